import type { StatusReason } from '../../core/messages/reasons.ts';
import type { StatusUpdate } from '../../core/plugins/channel.ts';
import type { PhaxioFax } from './phaxio-fax.ts';

/**
 * The delivery report in a sent fax's webhook, or undefined while it is still on its way
 * (`transmitting_page` and `retry_scheduled` webhooks report those).
 */
export function faxStatusUpdate(fax: PhaxioFax): StatusUpdate | undefined {
  const report = { provider: 'phaxio', providerId: String(fax.id), eventId: eventId(fax) };

  switch (fax.status) {
    case 'queued':
    case 'pendingbatch':
    case 'inprogress':
      return undefined;
    // The hub sends each fax to one number, so a partial success cannot happen; were it to,
    // the number that received it counts.
    case 'success':
    case 'partialsuccess':
      return { ...report, status: 'delivered', units: fax.num_pages ?? undefined };
    case 'failure':
      return { ...report, status: 'failed', reason: failureReason(fax) };
    default:
      return unknownStatus(fax.status);
  }
}

function eventId(fax: PhaxioFax): string {
  return `${fax.id}:${fax.status}`;
}

/**
 * Phaxio's line errors name what the receiving line did; ids from
 * https://www.phaxio.com/docs/errorMessages. Anything else (the document, the fax
 * handshake, Phaxio itself) is a fax failure.
 */
const lineErrorReasons: Record<number, StatusReason> = {
  16: 'no_answer',
  17: 'busy',
  30: 'no_answer',
  34: 'invalid_address',
};

function failureReason(fax: PhaxioFax): StatusReason {
  const error = fax.recipients?.find((recipient) => recipient.error_type) ?? fax;
  if (error.error_type !== 'lineError' || error.error_id == null) return 'fax_failed';
  return lineErrorReasons[error.error_id] ?? 'fax_failed';
}

function unknownStatus(status: never): never {
  throw new Error(`Unknown Phaxio fax status ${String(status)}`);
}
