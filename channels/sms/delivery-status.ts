import type { StatusReason } from '../../core/messages/reasons.ts';
import type { StatusUpdate } from '../../core/plugins/channel.ts';

/**
 * Every `MessageStatus` of Twilio's Message resource; status callbacks carry the same words.
 * https://www.twilio.com/docs/messaging/api/message-resource#message-status-values
 */
const messageStatuses = [
  'queued', 'accepted', 'scheduled', 'sending', 'sent', 'delivered', 'undelivered', 'failed',
  'receiving', 'received', 'read', 'partially_delivered', 'canceled',
] as const;

export type TwilioMessageStatus = (typeof messageStatuses)[number];

export function isTwilioMessageStatus(value: string): value is TwilioMessageStatus {
  return (messageStatuses as readonly string[]).includes(value);
}

type Outcome = Pick<StatusUpdate, 'status' | 'reason'>;

/**
 * What a reported status means for the message, or undefined for the steps before the
 * carrier has it (Twilio reports those only for sends through a Messaging Service).
 */
export function smsOutcome(status: TwilioMessageStatus, errorCode?: number): Outcome | undefined {
  switch (status) {
    case 'queued':
    case 'accepted':
    case 'scheduled':
    case 'sending':
    case 'receiving':
    case 'received':
      return undefined;
    case 'sent':
      return { status: 'sent' };
    case 'delivered':
    case 'read':
    // Some of the message reached the handset, which is as far as a carrier confirms.
    case 'partially_delivered':
      return { status: 'delivered' };
    case 'undelivered':
    case 'failed':
      return { status: 'failed', reason: deliveryFailure(errorCode) };
    case 'canceled':
      return { status: 'failed', reason: 'provider_error' };
  }
}

/**
 * Why a carrier did not deliver, from the callback's `ErrorCode`.
 * https://www.twilio.com/docs/api/errors/30003 (and 30005, 30006, 30007)
 */
function deliveryFailure(errorCode: number | undefined): StatusReason {
  switch (errorCode) {
    case 30003: // Unreachable destination handset
    case 30005: // Unknown destination handset: the number does not exist
      return 'invalid_address';
    case 30006: // Landline or unreachable carrier
      return 'landline';
    case 30007: // Filtered by the carrier as spam or a policy violation
      return 'carrier_filtered';
    default:
      return 'provider_error';
  }
}
