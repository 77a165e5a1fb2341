import { z } from 'zod';
import type { StatusReason } from '../../../core/messages/reasons.ts';
import type { StatusUpdate } from '../../../core/plugins/channel.ts';

/**
 * Event types of SendGrid's Event Webhook.
 * https://www.twilio.com/docs/sendgrid/for-developers/tracking-events/event
 */
const eventTypes = [
  'processed', 'deferred', 'delivered', 'bounce', 'dropped', 'open', 'click',
  'spamreport', 'unsubscribe', 'group_unsubscribe', 'group_resubscribe',
] as const;

/** One event of a batch. Custom args arrive as top-level fields (`hub_message_id`). */
export const mailEventSchema = z.looseObject({
  event: z.enum(eventTypes),
  sg_event_id: z.string().min(1),
  sg_message_id: z.string().min(1),
  hub_message_id: z.string().optional(),
  type: z.string().optional(),
  reason: z.string().optional(),
});

export type MailEvent = z.infer<typeof mailEventSchema>;

/**
 * What an event means for its message: a status, and whether the recipient asked for no more
 * email; or nothing yet and why.
 */
export type EventOutcome =
  | { kind: 'status'; status: StatusUpdate['status']; reason?: StatusReason; optOut?: true }
  | { kind: 'ignored'; why: 'in_flight' | 'engagement' | 'resubscribe' };

export function eventOutcome(event: MailEvent): EventOutcome {
  switch (event.event) {
    case 'processed':
      return { kind: 'status', status: 'sent' };
    case 'delivered':
      return { kind: 'status', status: 'delivered' };
    case 'bounce':
      // `type: blocked` is a refusal by the receiving server (reputation, content), not an
      // address that does not exist.
      return { kind: 'status', status: 'failed', reason: bounceReason(event.type) };
    case 'dropped':
      return { kind: 'status', status: 'failed', reason: droppedReason(event.reason) };
    case 'spamreport':
    case 'unsubscribe':
    case 'group_unsubscribe':
      // A recipient who received the mail and wants no more: marked as spam, or unsubscribed
      // through SendGrid's own link or preferences page. The message counts as delivered
      // (applied only while it is not delivered or failed yet), and the recipient is opted
      // out of email, as SendGrid itself now drops mail to them.
      return { kind: 'status', status: 'delivered', optOut: true };
    case 'deferred':
      // The receiving server asked SendGrid to try again later; it keeps trying for 72 hours.
      return { kind: 'ignored', why: 'in_flight' };
    case 'open':
    case 'click':
      return { kind: 'ignored', why: 'engagement' };
    case 'group_resubscribe':
      // Lifts SendGrid's suppression only. Consent to the practice's messages is given to the
      // hub (its opt-in page, the host), so this does not opt anyone back in.
      return { kind: 'ignored', why: 'resubscribe' };
  }
}

function bounceReason(type: string | undefined): StatusReason {
  return type === 'blocked' ? 'blocked' : 'bounced';
}

/**
 * SendGrid drops mail it will not try: to an address on one of its suppression lists (with
 * the list in `reason`), or to an invalid one.
 * https://www.twilio.com/docs/sendgrid/for-developers/tracking-events/event#delivery-events
 */
function droppedReason(reason: string | undefined): StatusReason {
  switch (reason?.toLowerCase()) {
    case 'bounced address':
      return 'bounced';
    case 'unsubscribed address':
      return 'unsubscribed';
    case 'invalid':
      return 'invalid_address';
    default:
      return 'blocked';
  }
}

/**
 * The send's `X-Message-Id`, from an event's `sg_message_id`, which SendGrid extends with the
 * id of the server that handled it: `<X-Message-Id>.filter0001p1mdw1-…`.
 * https://www.twilio.com/docs/sendgrid/glossary/x-message-id
 */
export function sentMessageId(sgMessageId: string): string {
  const dot = sgMessageId.indexOf('.');
  return dot === -1 ? sgMessageId : sgMessageId.slice(0, dot);
}
