import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { timeZoneSchema } from '../../accounts/settings.ts';
import type { Database } from '../../db/client.ts';
import { frequencySchema } from '../../notifications/settings.ts';
import { UserStore, type User } from '../../notifications/users.ts';
import { normalizeEmail } from '../../recipients/addresses.ts';
import type { Clock } from '../../services.ts';
import type { HubEnv } from '../env.ts';
import {
  accountIdParam, bearerSecurity, commonErrors, jsonBody, jsonResponse, refSchema,
} from '../schemas.ts';

const tags = ['Users'];

const emailSchema = z.string().max(320).transform((raw, ctx) => {
  const check = normalizeEmail(raw);
  if (check.ok) return check.address;
  ctx.addIssue({ code: 'custom', message: check.message });
  return z.NEVER;
}).openapi({ type: 'string', example: 'frontdesk@example.com' });

const notificationSettingsSchema = z.strictObject({
  newMessages: frequencySchema.optional()
    .describe('Emails about messages from patients and contacts.'),
  errors: frequencySchema.optional()
    .describe('Emails about messages that could not be sent.'),
}).describe(
  'How often the user hears of each kind: immediately, in an hourly or daily digest, or ' +
    'never. A kind left out keeps its setting; a change applies from the next event on.',
);

const userInputSchema = z.strictObject({
  email: emailSchema,
  name: z.string().max(200).nullable().optional(),
  timeZone: timeZoneSchema.nullable().optional()
    .describe('For the hour of a daily digest; the account\'s time zone when absent.'),
  notifications: notificationSettingsSchema.optional(),
}).openapi('UserInput');

const userSchema = z.object({
  ref: z.string(),
  email: z.string(),
  name: z.string().nullable(),
  timeZone: z.string().nullable(),
  notifications: z.object({ newMessages: frequencySchema, errors: frequencySchema }),
  createdAt: z.string(),
  updatedAt: z.string(),
}).openapi('User');

const params = accountIdParam.extend({
  ref: refSchema.openapi({ param: { name: 'ref', in: 'path' } }),
});
const path = '/v1/accounts/{accountId}/users/{ref}';

const upsertUser = createRoute({
  method: 'put', path, tags, security: bearerSecurity,
  summary: 'Create or update a staff user and their notification settings',
  request: { params, body: jsonBody(userInputSchema) },
  responses: {
    200: jsonResponse(userSchema, 'The user, updated.'),
    201: jsonResponse(userSchema, 'The user, created.'),
    ...commonErrors,
  },
});

const getUser = createRoute({
  method: 'get', path, tags, security: bearerSecurity,
  summary: 'Read a staff user',
  request: { params },
  responses: { 200: jsonResponse(userSchema, 'The user.'), ...commonErrors },
});

const deleteUser = createRoute({
  method: 'delete', path, tags, security: bearerSecurity,
  summary: 'Remove a staff user; they get no more notifications',
  request: { params },
  responses: { 204: { description: 'Removed.' }, ...commonErrors },
});

export function userRoutes(app: OpenAPIHono<HubEnv>, db: Database, clock: Clock): void {
  const store = new UserStore(db);

  app.openapi(upsertUser, async (c) => {
    const { accountId, ref } = c.req.valid('param');
    const { user, created } = await store.upsert(accountId, ref, c.req.valid('json'), clock());
    return c.json(presentUser(user), created ? 201 : 200);
  });

  app.openapi(getUser, async (c) => {
    const { accountId, ref } = c.req.valid('param');
    return c.json(presentUser(await store.get(accountId, ref)), 200);
  });

  app.openapi(deleteUser, async (c) => {
    const { accountId, ref } = c.req.valid('param');
    await store.remove(accountId, ref);
    return c.body(null, 204);
  });
}

function presentUser(user: User) {
  return {
    ref: user.ref,
    email: user.email,
    name: user.name,
    timeZone: user.timeZone,
    notifications: user.notifications,
    createdAt: user.createdAt.toISOString(),
    updatedAt: user.updatedAt.toISOString(),
  };
}
