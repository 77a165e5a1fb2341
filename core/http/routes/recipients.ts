import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { timeZoneSchema } from '../../accounts/settings.ts';
import { HubError } from '../../errors.ts';
import type { AddressCheck } from '../../plugins/channel.ts';
import type { RecipientType } from '../../plugins/trigger.ts';
import { normalizeEmail, normalizePhone } from '../../recipients/addresses.ts';
import type { Recipient, RecipientStore } from '../../recipients/store.ts';
import type { HubEnv } from '../env.ts';
import {
  accountIdParam, bearerSecurity, commonErrors, jsonBody, jsonResponse, refSchema,
} from '../schemas.ts';

/** A field holding an address, normalised on the way in and refused with a reason. */
function address(normalize: (raw: string) => AddressCheck) {
  return z.string().max(320).nullable().optional().transform((raw, ctx) => {
    if (raw === null || raw === undefined || raw === '') return raw === '' ? null : raw;

    const check = normalize(raw);
    if (check.ok) return check.address;
    ctx.addIssue({ code: 'custom', message: check.message });
    return z.NEVER;
  });
}

const recipientInputSchema = z.strictObject({
  firstName: z.string().max(100).nullable().optional(),
  lastName: z.string().max(100).nullable().optional(),
  phone: address(normalizePhone).openapi({ type: 'string', example: '+12025550123' }),
  email: address(normalizeEmail).openapi({ type: 'string', example: 'pat@example.com' }),
  fax: address(normalizePhone).openapi({ type: 'string', example: '+12025550199' }),
  channel: z.string().max(32).nullable().optional()
    .describe('The channel messages use unless a request names one.'),
  timeZone: timeZoneSchema.nullable().optional(),
  language: z.string().min(2).max(12).nullable().optional(),
}).openapi('RecipientInput');

const recipientSchema = z.object({
  ref: z.string(),
  type: z.enum(['client', 'contact']),
  firstName: z.string().nullable(),
  lastName: z.string().nullable(),
  phone: z.string().nullable(),
  email: z.string().nullable(),
  fax: z.string().nullable(),
  channel: z.string().nullable(),
  timeZone: z.string().nullable(),
  language: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
}).openapi('Recipient');

const refParams = accountIdParam.extend({
  ref: refSchema.openapi({ param: { name: 'ref', in: 'path' } }),
});

function upsertRoute(type: RecipientType) {
  return createRoute({
    method: 'put', path: `/v1/accounts/{accountId}/${type}s/{ref}`, tags: ['Recipients'],
    security: bearerSecurity,
    summary: `Create or update a ${type} by your own reference`,
    request: { params: refParams, body: jsonBody(recipientInputSchema) },
    responses: {
      200: jsonResponse(recipientSchema, `The ${type}, updated.`),
      201: jsonResponse(recipientSchema, `The ${type}, created.`),
      ...commonErrors,
    },
  });
}

function getRoute(type: RecipientType) {
  return createRoute({
    method: 'get', path: `/v1/accounts/{accountId}/${type}s/{ref}`, tags: ['Recipients'],
    security: bearerSecurity,
    summary: `Read a ${type}`,
    request: { params: refParams },
    responses: { 200: jsonResponse(recipientSchema, `The ${type}.`), ...commonErrors },
  });
}

export function recipientRoutes(
  app: OpenAPIHono<HubEnv>,
  store: RecipientStore,
  channelIds: readonly string[],
): void {
  for (const type of ['client', 'contact'] as const) {
    app.openapi(upsertRoute(type), async (c) => {
      const { accountId, ref } = c.req.valid('param');
      const input = c.req.valid('json');
      if (input.channel && !channelIds.includes(input.channel)) {
        throw new HubError('unknown_channel', {
          details: [{ path: 'body.channel', message: `Enabled: ${channelIds.join(', ')}` }],
        });
      }

      const { created, ...row } = await store.upsert(accountId, type, ref, input);
      return c.json(presentRecipient(row), created ? 201 : 200);
    });

    app.openapi(getRoute(type), async (c) => {
      const { accountId, ref } = c.req.valid('param');
      return c.json(presentRecipient(await store.get(accountId, type, ref)), 200);
    });
  }
}

export function presentRecipient(row: Recipient) {
  return {
    ref: row.ref,
    type: row.type,
    firstName: row.firstName,
    lastName: row.lastName,
    phone: row.phone,
    email: row.email,
    fax: row.fax,
    channel: row.channel,
    timeZone: row.timeZone,
    language: row.language,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}
