import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { readCredit } from '../../credit/account-credit.ts';
import type { LedgerEntry } from '../../credit/ledger.ts';
import { ledgerKinds } from '../../credit/tables.ts';
import { topUp } from '../../credit/top-up.ts';
import type { HubServices } from '../../services.ts';
import { requireAdmin } from '../auth.ts';
import type { HubEnv } from '../env.ts';
import {
  accountIdParam, bearerSecurity, commonErrors, jsonBody, jsonResponse,
} from '../schemas.ts';

const tags = ['Credit'];

const entrySchema = z.object({
  id: z.number(),
  kind: z.enum(ledgerKinds),
  amount: z.number().describe('Minor units added to the balance; negative when taken.'),
  balance: z.number().describe('The balance after this entry.'),
  messageId: z.string().nullable(),
  units: z.number().nullable().describe('Segments, started minutes or pages.'),
  unitPrice: z.number().nullable(),
  reference: z.string().nullable(),
  createdAt: z.string(),
}).openapi('LedgerEntry');

const creditSchema = z.object({
  balance: z.number().describe('In minor units of the currency (cents).'),
  heldMessages: z.number().describe('Messages waiting for credit; a top-up sends them.'),
  ledger: z.array(entrySchema).describe('Newest first.'),
}).openapi('Credit');

const topUpSchema = z.strictObject({
  amount: z.number().int().min(1).max(100_000_000_000)
    .describe('Minor units of the currency (cents) to add.'),
  reference: z.string().min(1).max(200)
    .describe('Your reference for the payment; sending it again adds nothing.'),
}).openapi('TopUp');

const topUpResultSchema = z.object({
  entry: entrySchema,
  balance: z.number().describe('The balance after the top-up and the messages it released.'),
}).openapi('TopUpResult');

const addCredit = createRoute({
  method: 'post', path: '/v1/accounts/{accountId}/credit/top-ups', tags,
  security: bearerSecurity,
  summary: 'Add prepaid credit (admin key)',
  description: 'Messages held for credit are released oldest first, as far as it pays.',
  request: { params: accountIdParam, body: jsonBody(topUpSchema) },
  responses: {
    201: jsonResponse(topUpResultSchema, 'The top-up.'),
    200: jsonResponse(topUpResultSchema, 'This reference was applied before.'),
    ...commonErrors,
  },
});

const getCredit = createRoute({
  method: 'get', path: '/v1/accounts/{accountId}/credit', tags, security: bearerSecurity,
  summary: 'Read the balance and the ledger',
  request: {
    params: accountIdParam,
    query: z.strictObject({
      before: z.coerce.number().int().optional()
        .describe('Only entries before this id: pass the last `id` of a page.'),
      limit: z.coerce.number().int().min(1).max(500).default(100),
    }),
  },
  responses: { 200: jsonResponse(creditSchema, 'The credit.'), ...commonErrors },
});

export function creditRoutes(app: OpenAPIHono<HubEnv>, services: HubServices): void {
  app.openapi(addCredit, async (c) => {
    requireAdmin(c.get('caller'));
    const account = await services.accounts.get(c.req.valid('param').accountId);
    const result = await topUp(services, account, c.req.valid('json'));
    const body = { entry: presentEntry(result.entry), balance: result.balance };
    return c.json(body, result.created ? 201 : 200);
  });

  app.openapi(getCredit, async (c) => {
    const { accountId } = c.req.valid('param');
    await services.accounts.get(accountId);
    const credit = await readCredit(services.database.db, accountId, c.req.valid('query'));
    return c.json({ ...credit, ledger: credit.ledger.map(presentEntry) }, 200);
  });
}

function presentEntry(entry: LedgerEntry) {
  return {
    id: entry.id,
    kind: entry.kind,
    amount: entry.amount,
    balance: entry.balance,
    messageId: entry.messageId,
    units: entry.units,
    unitPrice: entry.unitPrice,
    reference: entry.reference,
    createdAt: entry.createdAt.toISOString(),
  };
}
