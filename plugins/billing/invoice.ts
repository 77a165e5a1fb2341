import { z } from '@hono/zod-openapi';
import { refSchema } from '../../core/http/schemas.ts';
import { revise, type Revision } from '../../core/plugins/revision.ts';

export const invoiceStatuses = ['open', 'paid', 'void'] as const;

const currencies = new Set(Intl.supportedValuesOf('currency'));

export const invoiceInputSchema = z.strictObject({
  clientRef: refSchema.describe('The client, created first with `PUT .../clients/{ref}`.'),
  amountDue: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER)
    .describe('What is still owed, in minor units of the currency (cents).'),
  currency: z.string().regex(/^[A-Za-z]{3}$/)
    .transform((code) => code.toUpperCase())
    .refine((code) => currencies.has(code), 'Expected an ISO 4217 currency code such as USD')
    .openapi({ type: 'string', example: 'USD' }),
  dueDate: z.iso.date().describe("The due date, in the client's calendar: `2026-04-30`."),
  paymentLink: z.url({ protocol: /^https?$/ }).max(2000)
    .describe('Where the client pays; shown in every message.'),
  status: z.enum(invoiceStatuses).default('open')
    .describe('`paid` or `void` cancels every message still pending for the invoice.'),
  channel: z.string().max(32).optional()
    .describe("The channel for its messages; the client's assigned channel when absent."),
  copyTo: z.array(refSchema).max(5).optional()
    .describe('Contacts (a guardian, an insurer) copied on its reminders and notices.'),
}).openapi('InvoiceInput');

export type InvoiceInput = z.infer<typeof invoiceInputSchema>;

/** An invoice as stored with its subject. */
export interface Invoice extends Revision {
  clientRef: string;
  amountDue: number;
  currency: string;
  dueDate: string;
  paymentLink: string;
  status: (typeof invoiceStatuses)[number];
  channel: string | null;
  copyTo: string[];
}

export function toInvoice(
  input: InvoiceInput,
  previous: Record<string, unknown> | undefined,
): Invoice {
  const { clientRef, amountDue, currency, dueDate, paymentLink, status } = input;
  const content = { clientRef, amountDue, currency, dueDate, paymentLink, status };
  return {
    ...content,
    channel: input.channel ?? null,
    copyTo: input.copyTo ?? [],
    ...revise(previous, content),
  };
}
