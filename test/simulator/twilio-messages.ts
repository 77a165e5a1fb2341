import type { SimApp, SimContext } from './context.ts';
import { field, fieldList, type Params } from './parse-body.ts';
import { isPhoneNumber } from './phone.ts';
import { twilioError } from './provider-errors.ts';
import { countSegments } from './segments.ts';
import {
  accountPath,
  apiVersion,
  newSid,
  sendTwilioWebhook,
  twilioDate,
} from './twilio-common.ts';
import type { WebhookReply } from './webhooks.ts';

export type MessageStatus =
  | 'accepted'
  | 'queued'
  | 'sending'
  | 'sent'
  | 'delivered'
  | 'undelivered'
  | 'failed'
  | 'received'
  | 'canceled';

/** The Message resource, with the snake_case keys twilio-node reads. */
export interface MessageResource {
  account_sid: string;
  api_version: string;
  body: string;
  date_created: string;
  date_sent: string | null;
  date_updated: string;
  direction: 'outbound-api' | 'inbound';
  error_code: number | null;
  error_message: string | null;
  from: string | null;
  messaging_service_sid: string | null;
  num_media: string;
  num_segments: string;
  price: string | null;
  price_unit: string;
  sid: string;
  status: MessageStatus;
  subresource_uris: { media: string };
  to: string;
  uri: string;
}

export interface StoredMessage {
  resource: MessageResource;
  statusCallback?: string;
  mediaUrls: string[];
}

/** How the simulated network treats messages to one number. */
export interface SmsDestination {
  /** Reject the send at once with this error code: 21211, 21610, 21614, 21635, … */
  reject?: number;
  /** The final status. Defaults to `delivered`. */
  outcome?: 'delivered' | 'undelivered' | 'failed';
  /** `ErrorCode` of an undelivered or failed message; defaults to 30003 or 30008. */
  errorCode?: number;
}

const deliveryErrors: Record<number, string> = {
  30003: 'Unreachable destination handset',
  30005: 'Unknown destination handset',
  30006: 'Landline or unreachable carrier',
  30007: 'Message filtered',
  30008: 'Unknown error',
  30034: 'Message from an unregistered number',
};

/** What one segment costs, so that the hub's cost settlement has a price to read. */
const segmentPrice = 0.0079;

export class TwilioMessages {
  readonly messages = new Map<string, StoredMessage>();
  private readonly ctx: SimContext;
  private readonly destinations = new Map<string, SmsDestination>();
  private readonly optedOut = new Set<string>();

  constructor(ctx: SimContext) {
    this.ctx = ctx;
  }

  mount(app: SimApp): void {
    const base = '/2010-04-01/Accounts/:account';
    app.post(`${base}/Messages.json`, (c) => {
      const params = c.get('body').params;
      const rejection = this.check(params);
      if (rejection) return rejection;

      const message = this.create(params);
      if (this.ctx.options.autoWebhooks) {
        const task = `twilio message ${message.resource.sid}`;
        this.ctx.webhooks.run(task, () => this.deliver(message));
      }
      return c.json(message.resource, 201);
    });

    app.get(`${base}/Messages/:file`, (c) => {
      const message = this.messages.get(c.req.param('file').replace(/\.json$/, ''));
      if (!message) return twilioError(20404);
      return c.json(message.resource);
    });
  }

  /** Sets how messages to this number end; `{ reject: 21211 }` refuses them at once. */
  setDestination(number: string, destination: SmsDestination): void {
    this.destinations.set(number, destination);
  }

  /** Messages to a landline are accepted, then come back undelivered with 30006. */
  markLandline(number: string): void {
    this.setDestination(number, { outcome: 'undelivered', errorCode: 30006 });
  }

  /** After a STOP, Twilio refuses further messages from that sender to that recipient: 21610. */
  setOptedOut(sender: string, recipient: string, optedOut: boolean): void {
    const key = `${sender}>${recipient}`;
    if (optedOut) this.optedOut.add(key);
    else this.optedOut.delete(key);
  }

  /** Stores a message created elsewhere in the simulator (an inbound SMS). */
  store(message: StoredMessage): void {
    this.messages.set(message.resource.sid, message);
  }

  /**
   * Moves a message to a status and posts the status callback, if the send asked for one.
   * `errorCode` goes with `undelivered` and `failed`.
   */
  async sendStatus(
    sid: string,
    status: MessageStatus,
    errorCode?: number,
  ): Promise<WebhookReply | undefined> {
    const message = this.messages.get(sid);
    if (!message) throw new Error(`No message ${sid}`);
    const params = this.applyStatus(message.resource, status, errorCode);

    if (!message.statusCallback) return undefined;
    return sendTwilioWebhook(this.ctx, 'message-status', message.statusCallback, params);
  }

  clear(): void {
    this.messages.clear();
    this.destinations.clear();
    this.optedOut.clear();
  }

  private check(params: Params): Response | undefined {
    const to = field(params, 'To');
    const sender = field(params, 'MessagingServiceSid') ?? field(params, 'From');
    const body = field(params, 'Body') ?? '';
    const hasContent = body !== '' || fieldList(params, 'MediaUrl').length > 0;

    if (!to) return twilioError(21604);
    if (!sender) return twilioError(21603);
    if (!hasContent && !field(params, 'ContentSid')) return twilioError(21602);
    if (!isPhoneNumber(to)) {
      return twilioError(21211, 400, `The 'To' number ${to} is not a valid phone number.`);
    }
    if (body.length > 1600) return twilioError(21617);

    const reject = this.destinations.get(to)?.reject;
    if (reject !== undefined) return twilioError(reject);
    if (this.optedOut.has(`${sender}>${to}`)) return twilioError(21610);
    return undefined;
  }

  private create(params: Params): StoredMessage {
    const { accountSid } = this.ctx.options.twilio;
    const mediaUrls = fieldList(params, 'MediaUrl');
    const sid = newSid(mediaUrls.length > 0 ? 'MM' : 'SM');
    const body = field(params, 'Body') ?? '';
    const serviceSid = field(params, 'MessagingServiceSid') ?? null;
    const now = twilioDate();
    const uri = `${accountPath(accountSid)}/Messages/${sid}`;

    const resource: MessageResource = {
      account_sid: accountSid,
      api_version: apiVersion,
      body,
      date_created: now,
      date_sent: null,
      date_updated: now,
      direction: 'outbound-api',
      error_code: null,
      error_message: null,
      from: field(params, 'From') ?? null,
      messaging_service_sid: serviceSid,
      num_media: String(mediaUrls.length),
      num_segments: String(countSegments(body).segments),
      price: null,
      price_unit: 'USD',
      sid,
      // A send through a Messaging Service is first `accepted`, then queued by the service.
      status: serviceSid ? 'accepted' : 'queued',
      subresource_uris: { media: `${uri}/Media.json` },
      to: field(params, 'To') ?? '',
      uri: `${uri}.json`,
    };
    const message = { resource, statusCallback: field(params, 'StatusCallback'), mediaUrls };
    this.messages.set(sid, message);
    return message;
  }

  /** The callbacks a real send produces; Twilio sends none for the initial status. */
  private async deliver(message: StoredMessage): Promise<void> {
    const destination = this.destinations.get(message.resource.to) ?? {};
    const outcome = destination.outcome ?? 'delivered';
    const steps: MessageStatus[] = message.resource.messaging_service_sid
      ? ['queued', 'sending']
      : [];
    if (outcome !== 'failed') steps.push('sent');
    steps.push(outcome);

    const defaultCode = outcome === 'failed' ? 30008 : 30003;
    const errorCode = outcome === 'delivered' ? undefined : (destination.errorCode ?? defaultCode);
    for (const status of steps) {
      await this.ctx.webhooks.wait();
      const final = status === outcome;
      await this.sendStatus(message.resource.sid, status, final ? errorCode : undefined);
    }
  }

  private applyStatus(
    resource: MessageResource,
    status: MessageStatus,
    errorCode: number | undefined,
  ): Record<string, string> {
    const now = new Date();
    resource.status = status;
    resource.date_updated = twilioDate(now);
    if (status === 'sent') {
      resource.date_sent = resource.date_updated;
      resource.price = (-segmentPrice * Number(resource.num_segments)).toFixed(5);
    }
    if (errorCode !== undefined) {
      resource.error_code = errorCode;
      resource.error_message = deliveryErrors[errorCode] ?? null;
    }

    const params: Record<string, string> = {
      AccountSid: resource.account_sid,
      ApiVersion: apiVersion,
      MessageSid: resource.sid,
      MessageStatus: status,
      SmsSid: resource.sid,
      SmsStatus: status,
      To: resource.to,
    };
    if (resource.from) params.From = resource.from;
    if (resource.messaging_service_sid) params.MessagingServiceSid = resource.messaging_service_sid;
    if (errorCode !== undefined) params.ErrorCode = String(errorCode);
    if (status === 'delivered' || status === 'undelivered') params.RawDlrDoneDate = dlrDate(now);
    return params;
  }
}

/** `RawDlrDoneDate` is the carrier's `YYMMDDhhmm`, without a zone. */
function dlrDate(date: Date): string {
  return date.toISOString().replace(/[-:T]/g, '').slice(2, 12);
}
