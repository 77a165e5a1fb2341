import type { StatusUpdate } from '../../core/plugins/channel.ts';

/**
 * Every `CallStatus` a status callback carries: the Call resource's statuses and
 * `initiated`. https://www.twilio.com/docs/voice/api/call-resource#call-status-values
 */
const callStatuses = [
  'queued', 'initiated', 'ringing', 'in-progress', 'completed', 'busy', 'no-answer', 'failed',
  'canceled',
] as const;

export type TwilioCallStatus = (typeof callStatuses)[number];

export function isTwilioCallStatus(value: string): value is TwilioCallStatus {
  return (callStatuses as readonly string[]).includes(value);
}

type Outcome = Pick<StatusUpdate, 'status' | 'reason' | 'units'>;

/**
 * What a call's status means for the message, or undefined while the call is under way. An
 * answered call is billed per started minute; one nobody answered costs nothing.
 */
export function callOutcome(
  status: TwilioCallStatus,
  durationSeconds?: number,
): Outcome | undefined {
  switch (status) {
    case 'queued':
    case 'initiated':
    case 'ringing':
    case 'in-progress':
      return undefined;
    case 'completed':
      return { status: 'delivered', units: startedMinutes(durationSeconds) };
    case 'busy':
      return { status: 'failed', reason: 'busy', units: 0 };
    case 'no-answer':
      return { status: 'failed', reason: 'no_answer', units: 0 };
    case 'failed':
    case 'canceled':
      return { status: 'failed', reason: 'provider_error', units: 0 };
  }
}

/** Twilio rounds an answered call up to the next whole minute. */
function startedMinutes(seconds: number | undefined): number | undefined {
  if (seconds === undefined) return undefined;
  return Math.max(1, Math.ceil(seconds / 60));
}
