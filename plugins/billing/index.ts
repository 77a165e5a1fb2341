import { createRoute, z } from '@hono/zod-openapi';
import {
  accountIdParam, bearerSecurity, commonErrors, jsonBody, jsonResponse, refSchema,
} from '../../core/http/schemas.ts';
import type { AcceptedMessage, TriggerPlugin } from '../../core/plugins/trigger.ts';
import { configSchema, type BillingConfig } from './config.ts';
import { invoiceInputSchema, invoiceStatuses, toInvoice, type Invoice } from './invoice.ts';
import { planInvoice } from './plan.ts';

const plannedSchema = z.object({
  id: z.string(),
  kind: z.string(),
  status: z.string(),
  sendAt: z.string(),
});

const invoiceSchema = z.object({
  ref: z.string(),
  clientRef: z.string(),
  amountDue: z.number(),
  currency: z.string(),
  dueDate: z.string(),
  paymentLink: z.string(),
  status: z.enum(invoiceStatuses),
  messages: z.array(plannedSchema)
    .describe('The reminders and late notices now planned for it.'),
}).openapi('Invoice');

const putInvoice = createRoute({
  method: 'put', path: '/v1/accounts/{accountId}/invoices/{ref}', tags: ['Invoices'],
  security: bearerSecurity,
  summary: 'Create or update an invoice by your own reference',
  description:
    'Plans payment reminders before the due date and late payment notices after it. ' +
    'A paid or void invoice cancels whatever is still pending for it.',
  request: {
    params: accountIdParam.extend({
      ref: refSchema.openapi({ param: { name: 'ref', in: 'path' } }),
    }),
    body: jsonBody(invoiceInputSchema),
  },
  responses: {
    200: jsonResponse(invoiceSchema, 'The invoice, updated.'),
    201: jsonResponse(invoiceSchema, 'The invoice, created.'),
    ...commonErrors,
  },
});

const sampleInvoice = {
  amountDue: 12050,
  currency: 'USD',
  dueDate: '2026-04-30',
  paymentLink: 'https://pay.example.com/i/8f2k',
};

/** Billing reminders before an invoice's due date, and late payment notices after it. */
const billing: TriggerPlugin<BillingConfig> = {
  kind: 'trigger',
  id: 'billing',
  configSchema,
  templates: {
    reminder: { sampleData: { invoice: sampleInvoice } },
    'late-notice': { sampleData: { invoice: sampleInvoice } },
  },
  routes(app, context) {
    app.openapi(putInvoice, async (c) => {
      const { accountId, ref } = c.req.valid('param');
      const input = c.req.valid('json');
      const client = { type: 'client' as const, ref: input.clientRef };
      const [previous, zone] = await Promise.all([
        context.subject(accountId, 'invoice', ref),
        context.timeZone(accountId, client),
      ]);

      const invoice = toInvoice(input, previous?.state);
      const messages = planInvoice({
        ref, invoice, now: context.clock(), config: context.config, zone,
      });
      const accepted = await context.accept({
        accountId, trigger: 'billing',
        subject: { type: 'invoice', ref, state: { ...invoice } }, messages,
      });
      return c.json(present(ref, invoice, accepted), previous ? 200 : 201);
    });
  },
};

function present(ref: string, invoice: Invoice, accepted: AcceptedMessage[]) {
  const { clientRef, amountDue, currency, dueDate, paymentLink, status } = invoice;
  return {
    ref, clientRef, amountDue, currency, dueDate, paymentLink, status,
    messages: accepted.map(({ id, kind, status: messageStatus, sendAt }) => ({
      id, kind, status: messageStatus, sendAt: sendAt.toISOString(),
    })),
  };
}

export default billing;
