import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import type { AccountStore, KeyListing } from '../../accounts/store.ts';
import { requireAdmin } from '../auth.ts';
import type { HubEnv } from '../env.ts';
import {
  accountIdParam, bearerSecurity, commonErrors, jsonBody, jsonResponse,
} from '../schemas.ts';

const keySchema = z.object({
  id: z.string(),
  label: z.string().nullable(),
  createdAt: z.string(),
  revokedAt: z.string().nullable(),
}).openapi('AccountKey');

const issuedKeySchema = z.object({
  id: z.string(),
  key: z.string().describe('The secret; it is shown this once.'),
  label: z.string().nullable(),
  createdAt: z.string(),
}).openapi('IssuedKey');

const keyParams = accountIdParam.extend({
  keyId: z.string().min(1).max(64).openapi({ param: { name: 'keyId', in: 'path' } }),
});

const tags = ['Accounts'];

const issueKey = createRoute({
  method: 'post', path: '/v1/accounts/{accountId}/keys', tags, security: bearerSecurity,
  summary: 'Issue an account key (admin key)',
  request: {
    params: accountIdParam,
    body: jsonBody(z.strictObject({ label: z.string().max(100).optional() })),
  },
  responses: { 201: jsonResponse(issuedKeySchema, 'The key, shown once.'), ...commonErrors },
});

const listKeys = createRoute({
  method: 'get', path: '/v1/accounts/{accountId}/keys', tags, security: bearerSecurity,
  summary: 'List the account\'s keys, revoked ones included, without their secrets',
  request: { params: accountIdParam },
  responses: {
    200: jsonResponse(z.object({ keys: z.array(keySchema) }), 'The keys.'),
    ...commonErrors,
  },
});

const revokeKey = createRoute({
  method: 'delete', path: '/v1/accounts/{accountId}/keys/{keyId}', tags,
  security: bearerSecurity,
  summary: 'Revoke an account key at once',
  description: 'The admin key, or any key of the account, may revoke a key of the account.',
  request: { params: keyParams },
  responses: { 200: jsonResponse(keySchema, 'The key, revoked.'), ...commonErrors },
});

export function keyRoutes(app: OpenAPIHono<HubEnv>, accounts: AccountStore): void {
  app.openapi(issueKey, async (c) => {
    requireAdmin(c.get('caller'));
    const { accountId } = c.req.valid('param');
    const issued = await accounts.issueKey(accountId, c.req.valid('json').label);
    return c.json({ ...issued, createdAt: issued.createdAt.toISOString() }, 201);
  });

  app.openapi(listKeys, async (c) => {
    const keys = await accounts.listKeys(c.req.valid('param').accountId);
    return c.json({ keys: keys.map(presentKey) }, 200);
  });

  app.openapi(revokeKey, async (c) => {
    const { accountId, keyId } = c.req.valid('param');
    return c.json(presentKey(await accounts.revokeKey(accountId, keyId)), 200);
  });
}

function presentKey(key: KeyListing) {
  return {
    id: key.id,
    label: key.label,
    createdAt: key.createdAt.toISOString(),
    revokedAt: key.revokedAt?.toISOString() ?? null,
  };
}
