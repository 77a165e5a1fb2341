import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import type { AuditEntry, AuditLog } from '../../audit/store.ts';
import type { HubEnv } from '../env.ts';
import { accountIdParam, bearerSecurity, commonErrors, jsonResponse } from '../schemas.ts';

const entrySchema = z.object({
  id: z.string(),
  at: z.string(),
  accountId: z.string(),
  targetAccountId: z.string()
    .describe('The account in the path; another one when the key reached beyond its own.'),
  keyId: z.string().describe('The account key used, or `admin`.'),
  action: z.string().describe('Such as `message.read`, `recipient.write`, `consent.write`.'),
  subject: z.string().nullable()
    .describe('What was reached, as a path inside the account: `messages/<id>`.'),
  route: z.string(),
  status: z.number().int().describe('The HTTP status the hub answered with.'),
  requestId: z.string(),
}).openapi('AuditEntry');

const auditQuery = z.strictObject({
  action: z.string().max(100).optional(),
  subject: z.string().max(400).optional()
    .describe('A subject and everything below it: `clients/c-1` also finds its consent.'),
  key: z.string().max(64).optional().describe('An account key id, or `admin`.'),
  from: z.iso.datetime({ offset: true }).optional().describe('Entries at or after this time.'),
  to: z.iso.datetime({ offset: true }).optional().describe('Entries before this time.'),
  cursor: z.string().regex(/^[1-9]\d{0,15}$/, 'Expected a cursor from nextCursor').optional()
    .describe('The `nextCursor` of the page before.'),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

const listAudit = createRoute({
  method: 'get', path: '/v1/accounts/{accountId}/audit', tags: ['Audit'],
  security: bearerSecurity,
  summary: 'List who read or changed what, newest first',
  description: 'Every request to an account route is recorded, refused ones included. An entry '
    + 'names what was reached but holds none of its data.',
  request: { params: accountIdParam, query: auditQuery },
  responses: {
    200: jsonResponse(z.object({
      entries: z.array(entrySchema),
      nextCursor: z.string().nullable().describe('Pass as `cursor` for the next page.'),
    }), 'A page of audit entries.'),
    ...commonErrors,
  },
});

export function auditRoutes(app: OpenAPIHono<HubEnv>, auditLog: AuditLog): void {
  app.openapi(listAudit, async (c) => {
    const { accountId } = c.req.valid('param');
    const query = c.req.valid('query');

    const entries = await auditLog.list(accountId, {
      action: query.action,
      subject: query.subject,
      keyId: query.key,
      from: query.from ? new Date(query.from) : undefined,
      to: query.to ? new Date(query.to) : undefined,
      before: query.cursor ? Number(query.cursor) : undefined,
      limit: query.limit,
    });

    const last = entries.length === query.limit ? entries.at(-1) : undefined;
    return c.json({
      entries: entries.map(presentEntry),
      nextCursor: last ? String(last.id) : null,
    }, 200);
  });
}

function presentEntry(entry: AuditEntry) {
  return {
    id: String(entry.id),
    at: entry.at.toISOString(),
    accountId: entry.accountId,
    targetAccountId: entry.targetAccountId,
    keyId: entry.keyId,
    action: entry.action,
    subject: entry.subject,
    route: entry.route,
    status: entry.status,
    requestId: entry.requestId,
  };
}
