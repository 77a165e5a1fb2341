import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { accountSettingsPatchSchema, accountSettingsSchema } from '../../accounts/settings.ts';
import type { Account, AccountStore } from '../../accounts/store.ts';
import { requireAdmin } from '../auth.ts';
import type { HubEnv } from '../env.ts';
import {
  accountIdParam, bearerSecurity, commonErrors, jsonBody, jsonResponse, refSchema,
} from '../schemas.ts';

const accountSchema = z.object({
  id: z.string(),
  name: z.string(),
  settings: accountSettingsSchema,
  createdAt: z.string(),
}).openapi('Account');

const createAccountSchema = z.strictObject({
  id: refSchema.optional().describe('Your own id for the account; generated when absent.'),
  name: z.string().min(1).max(200),
  settings: accountSettingsPatchSchema.optional(),
});

const updateAccountSchema = z.strictObject({
  name: z.string().min(1).max(200).optional(),
  settings: accountSettingsPatchSchema.optional(),
});

const tags = ['Accounts'];

const createAccount = createRoute({
  method: 'post', path: '/v1/accounts', tags, security: bearerSecurity,
  summary: 'Create an account (admin key)',
  request: { body: jsonBody(createAccountSchema) },
  responses: { 201: jsonResponse(accountSchema, 'The account.'), ...commonErrors },
});

const getAccount = createRoute({
  method: 'get', path: '/v1/accounts/{accountId}', tags, security: bearerSecurity,
  summary: 'Read an account and its settings',
  request: { params: accountIdParam },
  responses: { 200: jsonResponse(accountSchema, 'The account.'), ...commonErrors },
});

const updateAccount = createRoute({
  method: 'patch', path: '/v1/accounts/{accountId}', tags, security: bearerSecurity,
  summary: 'Change an account\'s name or settings',
  request: { params: accountIdParam, body: jsonBody(updateAccountSchema) },
  responses: { 200: jsonResponse(accountSchema, 'The account.'), ...commonErrors },
});

export function accountRoutes(app: OpenAPIHono<HubEnv>, accounts: AccountStore): void {
  app.openapi(createAccount, async (c) => {
    requireAdmin(c.get('caller'));
    const account = await accounts.create(c.req.valid('json'));
    return c.json(present(account), 201);
  });

  app.openapi(getAccount, async (c) => {
    const account = await accounts.get(c.req.valid('param').accountId);
    return c.json(present(account), 200);
  });

  app.openapi(updateAccount, async (c) => {
    const { accountId } = c.req.valid('param');
    const account = await accounts.update(accountId, c.req.valid('json'));
    return c.json(present(account), 200);
  });
}

function present(account: Account) {
  return {
    id: account.id,
    name: account.name,
    settings: account.settings,
    createdAt: account.createdAt.toISOString(),
  };
}
