import type { PlannedMessage } from '../../core/plugins/trigger.ts';
import { addDays, atLocalTime } from '../../core/scheduling/send-time.ts';
import type { BillingConfig } from './config.ts';
import type { Invoice } from './invoice.ts';

export interface InvoicePlan {
  ref: string;
  invoice: Invoice;
  now: Date;
  config: BillingConfig;
  /** The client's time zone, in which the due date and the send time are read. */
  zone: string;
}

/**
 * Payment reminders before the due date and late payment notices after it, at the configured
 * local time, for an open invoice with something owed. Moments already past are left out.
 */
export function planInvoice(plan: InvoicePlan): PlannedMessage[] {
  const { invoice, config } = plan;
  if (invoice.status !== 'open' || invoice.amountDue === 0) return [];

  return [
    ...config.reminderDays.map((days) => message(plan, 'reminder', -days)),
    ...config.lateNoticeDays.map((days) => message(plan, 'late-notice', days)),
  ].filter((planned) => planned.sendAt > plan.now);
}

function message(plan: InvoicePlan, kind: string, days: number): PlannedMessage {
  const { ref, invoice, config, zone } = plan;
  const { clientRef, revision, amountDue, currency, dueDate, paymentLink } = invoice;
  // A reminder still on its way when the due date has passed would tell the client a due
  // date in the past; the late notices speak from then on.
  const dueDateOver = atLocalTime(addDays(dueDate, 1), '00:00', zone);
  return {
    key: `invoice:${ref}:r${revision}:${kind}:${Math.abs(days)}d:client:${clientRef}`,
    kind,
    recipient: { type: 'client', ref: clientRef },
    channel: invoice.channel ?? undefined,
    sendAt: atLocalTime(addDays(dueDate, days), config.sendTime, zone),
    expiresAt: kind === 'reminder' ? dueDateOver : undefined,
    data: { invoice: { amountDue, currency, dueDate, paymentLink } },
    copyTo: invoice.copyTo,
  };
}
