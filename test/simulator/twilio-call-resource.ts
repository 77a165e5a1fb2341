import { accountPath, apiVersion, newSid, twilioDate } from './twilio-common.ts';

export type CallStatus =
  | 'queued'
  | 'ringing'
  | 'in-progress'
  | 'completed'
  | 'busy'
  | 'no-answer'
  | 'failed'
  | 'canceled';

/** The Call resource, with the snake_case keys twilio-node reads. */
export interface CallResource {
  account_sid: string;
  answered_by: string | null;
  api_version: string;
  caller_name: string | null;
  date_created: string;
  date_updated: string;
  direction: 'outbound-api';
  duration: string | null;
  end_time: string | null;
  forwarded_from: string | null;
  from: string;
  from_formatted: string;
  group_sid: string | null;
  parent_call_sid: string | null;
  phone_number_sid: string | null;
  price: string | null;
  price_unit: string;
  queue_time: string;
  sid: string;
  start_time: string | null;
  status: CallStatus;
  stir_verstat: string | null;
  subresource_uris: Record<string, string>;
  to: string;
  to_formatted: string;
  trunk_sid: string | null;
  uri: string;
}

/** How the simulated callee behaves. */
export interface CallBehavior {
  /** Reject the call at once with this error code. */
  reject?: number;
  /** How the call ends. Defaults to `completed` (answered). */
  outcome?: 'completed' | 'busy' | 'no-answer' | 'failed';
  /** Length of an answered call. Defaults to 12 s. */
  durationSec?: number;
  /** `AnsweredBy` when the call asked for machine detection. Defaults to `human`. */
  answeredBy?: 'human' | 'machine_start' | 'fax' | 'unknown';
  /** Keys pressed at the first `<Gather>`. Without them the caller presses nothing. */
  digits?: string;
  /** Stay on the line at a `<Gather>` until `pressDigits()` or `hangUp()`. */
  holdForInput?: boolean;
}

export interface StoredCall {
  resource: CallResource;
  /** What the create asked to run: `Url` (with `Method`) or inline `Twiml`. */
  source: { url?: string; method?: string; twiml?: string };
  statusCallback?: string;
  statusCallbackMethod: string;
  /** The `StatusCallbackEvent` subscriptions; Twilio's default is `completed` only. */
  events: Set<string>;
  machineDetection: boolean;
  /** Every TwiML document the call ran, in order. */
  twiml: string[];
  /** Where the current document came from; relative Gather actions resolve against it. */
  documentUrl?: string;
  sequence: number;
  digitsPressed: boolean;
}

export interface VoiceReply {
  status: number;
  twiml: string;
}

/** What a started minute costs, so that the hub's cost settlement has a price to read. */
const minutePrice = 0.014;

export function newCallResource(accountSid: string, from: string, to: string): CallResource {
  const sid = newSid('CA');
  const now = twilioDate();
  const uri = `${accountPath(accountSid)}/Calls/${sid}`;
  return {
    account_sid: accountSid,
    answered_by: null,
    api_version: apiVersion,
    caller_name: null,
    date_created: now,
    date_updated: now,
    direction: 'outbound-api',
    duration: null,
    end_time: null,
    forwarded_from: null,
    from,
    from_formatted: from,
    group_sid: null,
    parent_call_sid: null,
    phone_number_sid: null,
    price: null,
    price_unit: 'USD',
    queue_time: '0',
    sid,
    start_time: null,
    status: 'queued',
    stir_verstat: null,
    subresource_uris: {
      notifications: `${uri}/Notifications.json`,
      recordings: `${uri}/Recordings.json`,
    },
    to,
    to_formatted: to,
    trunk_sid: null,
    uri: `${uri}.json`,
  };
}

export function endCall(resource: CallResource, status: CallStatus, durationSec: number): void {
  const now = twilioDate();
  resource.status = status;
  resource.date_updated = now;
  resource.end_time = now;
  resource.duration = String(durationSec);
  resource.price = (-minutePrice * Math.ceil(durationSec / 60)).toFixed(5);
}

/** The SIP code Twilio reports with each final status. */
export function sipCode(status: CallStatus): string {
  switch (status) {
    case 'busy':
      return '486';
    case 'no-answer':
      return '480';
    case 'failed':
      return '500';
    case 'canceled':
      return '487';
    default:
      return '200';
  }
}
