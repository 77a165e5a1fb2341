import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { channelsOf, privacyPolicySchema } from '../../consent/booking.ts';
import { changeConsent } from '../../consent/changes.ts';
import { readConsent, storePrivacyAcceptance } from '../../consent/store.ts';
import { consentSources, consentStatuses } from '../../consent/tables.ts';
import type { RecipientType } from '../../plugins/trigger.ts';
import { RecipientStore } from '../../recipients/store.ts';
import type { HubServices } from '../../services.ts';
import type { HubEnv } from '../env.ts';
import {
  accountIdParam, bearerSecurity, commonErrors, jsonBody, jsonResponse, refSchema,
} from '../schemas.ts';

const moment = z.iso.datetime({ offset: true });

const consentInputSchema = z.strictObject({
  status: z.enum(consentStatuses).describe('What the recipient said.'),
  channels: z.array(z.string().max(32)).min(1).max(10).optional()
    .describe('The channels it covers; every enabled channel when absent.'),
  source: z.string().regex(/^[a-z][a-z0-9_]{0,63}$/).optional()
    .describe('How you learned it, in your own words: `front_desk`, `paper_form`, `portal`.'),
  at: moment.optional().describe('When the recipient said it; now when absent.'),
  privacyPolicy: privacyPolicySchema.optional()
    .describe("The recipient's acceptance of the practice's privacy policy, given with it."),
}).openapi('ConsentInput');

const consentSchema = z.object({
  recipient: z.object({ type: z.enum(['client', 'contact']), ref: z.string() }),
  channels: z.array(z.object({
    channel: z.string(),
    status: z.enum(consentStatuses),
    source: z.enum(consentSources),
    changedAt: z.string(),
  })).describe('Where the recipient stands per channel; a channel not listed: never said.'),
  privacyPolicies: z.array(z.object({ version: z.string(), acceptedAt: z.string() })),
  history: z.array(z.object({
    channel: z.string(),
    status: z.enum(consentStatuses),
    source: z.enum(consentSources),
    detail: z.string().nullable()
      .describe('The keyword or key used, how an email unsubscribe came (`link`, ' +
        '`one_click`), the provider\'s report (`spamreport`), or the source you named.'),
    at: z.string(),
    recordedAt: z.string(),
  })).describe('Every change, newest first.'),
}).openapi('Consent');

type Consent = z.infer<typeof consentSchema>;

function consentRoutesFor(type: RecipientType) {
  const params = accountIdParam.extend({
    ref: refSchema.openapi({ param: { name: 'ref', in: 'path' } }),
  });
  const path = `/v1/accounts/{accountId}/${type}s/{ref}/consent`;
  const post = createRoute({
    method: 'post', path, tags: ['Consent'], security: bearerSecurity,
    summary: `Record that a ${type} opted in or out`,
    description: 'Releases the messages held for the opt-in, or suppresses those still to ' +
      'come; the change is kept with its source and time and sent as `consent.changed`.',
    request: { params, body: jsonBody(consentInputSchema) },
    responses: { 200: jsonResponse(consentSchema, 'The consent now.'), ...commonErrors },
  });
  const get = createRoute({
    method: 'get', path, tags: ['Consent'], security: bearerSecurity,
    summary: `Read a ${type}'s consent and its history`,
    request: { params },
    responses: { 200: jsonResponse(consentSchema, 'The consent.'), ...commonErrors },
  });
  return { post, get };
}

/** The host's record of consent: opt-in, opt-out, and privacy-policy acceptance. */
export function consentRoutes(app: OpenAPIHono<HubEnv>, services: HubServices): void {
  const { db } = services.database;
  const recipients = new RecipientStore(db);

  for (const type of ['client', 'contact'] as const) {
    const routes = consentRoutesFor(type);

    app.openapi(routes.post, async (c) => {
      const { accountId, ref } = c.req.valid('param');
      const input = c.req.valid('json');
      const recipient = await recipients.get(accountId, type, ref);
      const channels = channelsOf(services, input.channels);

      await db.transaction(async (tx) => {
        if (input.privacyPolicy) {
          await storePrivacyAcceptance(tx, accountId, recipient.id, {
            version: input.privacyPolicy.version,
            acceptedAt: new Date(input.privacyPolicy.acceptedAt),
          });
        }
        await changeConsent(tx, services, {
          accountId, recipient, channels, status: input.status, source: 'host',
          detail: input.source ?? null, at: input.at ? new Date(input.at) : services.clock(),
        });
      });
      return c.json(await present(services, recipient), 200);
    });

    app.openapi(routes.get, async (c) => {
      const { accountId, ref } = c.req.valid('param');
      const recipient = await recipients.get(accountId, type, ref);
      return c.json(await present(services, recipient), 200);
    });
  }
}

async function present(
  services: HubServices,
  recipient: { id: string; type: RecipientType; ref: string },
): Promise<Consent> {
  const { current, history, privacy } = await readConsent(services.database.db, recipient.id);
  return {
    recipient: { type: recipient.type, ref: recipient.ref },
    channels: current.map(({ channel, status, source, changedAt }) => ({
      channel, status, source, changedAt: changedAt.toISOString(),
    })),
    privacyPolicies: privacy.map(({ version, acceptedAt }) => ({
      version, acceptedAt: acceptedAt.toISOString(),
    })),
    history: history.map(({ channel, status, source, detail, at, recordedAt }) => ({
      channel, status, source, detail, at: at.toISOString(),
      recordedAt: recordedAt.toISOString(),
    })),
  };
}
