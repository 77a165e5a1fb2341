import type { SimApp, SimContext } from './context.ts';
import { twilioError } from './provider-errors.ts';
import { countSegments } from './segments.ts';
import {
  accountPath,
  apiVersion,
  newSid,
  sendTwilioWebhook,
  twilioDate,
} from './twilio-common.ts';
import type { TwilioMessages } from './twilio-messages.ts';
import { messageBodies } from './twiml.ts';

export interface InboundMedia {
  contentType: string;
  /** Served by the simulator at a Twilio-shaped media URL. */
  content?: Uint8Array | string;
  /** Or an outside URL to pass on as is. */
  url?: string;
}

export interface InboundSms {
  /** The patient's number. */
  from: string;
  /** The hub's Twilio number. */
  to: string;
  body: string;
  media?: InboundMedia[];
  /** Defaults to the `twilioInboundSms` webhook URL. */
  url?: string;
  messagingServiceSid?: string;
  /** Sent only for a number in a Messaging Service with Advanced Opt-Out. */
  optOutType?: 'STOP' | 'START' | 'HELP';
  /** Any other parameters, e.g. geography fields. */
  extra?: Record<string, string>;
}

export interface InboundSmsResult {
  messageSid: string;
  status: number;
  /** The hub's answer, which Twilio reads as TwiML. */
  twiml: string;
  /** The texts of the `<Message>` replies Twilio would send back to the patient. */
  replies: string[];
}

// Twilio's own handling of these words on long codes and toll-free numbers: after an opt-out
// word it refuses further sends from that number to the patient until an opt-in word.
const optOutWords = new Set([
  'STOP',
  'STOPALL',
  'UNSUBSCRIBE',
  'CANCEL',
  'END',
  'QUIT',
  'REVOKE',
  'OPTOUT',
]);
const optInWords = new Set(['START', 'YES', 'UNSTOP']);

export class TwilioInbound {
  private readonly ctx: SimContext;
  private readonly messages: TwilioMessages;
  private readonly media = new Map<string, { contentType: string; content: Uint8Array }>();

  constructor(ctx: SimContext, messages: TwilioMessages) {
    this.ctx = ctx;
    this.messages = messages;
  }

  mount(app: SimApp): void {
    app.get('/2010-04-01/Accounts/:account/Messages/:message/Media/:media', (c) => {
      const file = this.media.get(c.req.param('media'));
      if (!file) return twilioError(20404);
      return c.body(Buffer.from(file.content), 200, { 'Content-Type': file.contentType });
    });
  }

  /** A patient texts the hub's number: Twilio posts the message, signed, and reads the TwiML. */
  async receive(sms: InboundSms): Promise<InboundSmsResult> {
    const url = sms.url ?? this.ctx.urls.twilioInboundSms;
    if (!url) throw new Error('No URL for inbound SMS: set webhookUrls.twilioInboundSms');

    const media = sms.media ?? [];
    const sid = newSid(media.length > 0 ? 'MM' : 'SM');
    const mediaUrls = media.map((item) => this.storeMedia(sid, item));
    this.applyKeyword(sms);
    this.storeMessage(sid, sms, mediaUrls);

    const params = this.params(sid, sms, mediaUrls);
    const reply = await sendTwilioWebhook(this.ctx, 'inbound-sms', url, params);
    return {
      messageSid: sid,
      status: reply.status,
      twiml: reply.body,
      replies: messageBodies(reply.body),
    };
  }

  clear(): void {
    this.media.clear();
  }

  private params(sid: string, sms: InboundSms, mediaUrls: string[]): Record<string, string> {
    const params: Record<string, string> = {
      AccountSid: this.ctx.options.twilio.accountSid,
      ApiVersion: apiVersion,
      Body: sms.body,
      From: sms.from,
      MessageSid: sid,
      NumMedia: String(mediaUrls.length),
      NumSegments: String(countSegments(sms.body).segments),
      SmsMessageSid: sid,
      SmsSid: sid,
      SmsStatus: 'received',
      To: sms.to,
    };
    mediaUrls.forEach((mediaUrl, index) => {
      params[`MediaUrl${index}`] = mediaUrl;
      params[`MediaContentType${index}`] = sms.media?.[index]?.contentType ?? '';
    });
    if (sms.messagingServiceSid) params.MessagingServiceSid = sms.messagingServiceSid;
    if (sms.optOutType) params.OptOutType = sms.optOutType;
    return { ...params, ...sms.extra };
  }

  private storeMedia(messageSid: string, item: InboundMedia): string {
    if (item.url) return item.url;

    const mediaSid = newSid('ME');
    const content = typeof item.content === 'string'
      ? new TextEncoder().encode(item.content)
      : (item.content ?? new Uint8Array());
    this.media.set(mediaSid, { contentType: item.contentType, content });
    const path = `${accountPath(this.ctx.options.twilio.accountSid)}/Messages/${messageSid}`;
    return `${this.ctx.baseUrl}${path}/Media/${mediaSid}`;
  }

  private applyKeyword(sms: InboundSms): void {
    const word = sms.body.trim().toUpperCase();
    const optedOut = optOutWords.has(word) ? true : optInWords.has(word) ? false : undefined;
    if (optedOut === undefined) return;

    this.messages.setOptedOut(sms.to, sms.from, optedOut);
    if (sms.messagingServiceSid) {
      this.messages.setOptedOut(sms.messagingServiceSid, sms.from, optedOut);
    }
  }

  private storeMessage(sid: string, sms: InboundSms, mediaUrls: string[]): void {
    const now = twilioDate();
    const uri = `${accountPath(this.ctx.options.twilio.accountSid)}/Messages/${sid}`;
    this.messages.store({
      resource: {
        account_sid: this.ctx.options.twilio.accountSid,
        api_version: apiVersion,
        body: sms.body,
        date_created: now,
        date_sent: now,
        date_updated: now,
        direction: 'inbound',
        error_code: null,
        error_message: null,
        from: sms.from,
        messaging_service_sid: sms.messagingServiceSid ?? null,
        num_media: String(mediaUrls.length),
        num_segments: String(countSegments(sms.body).segments),
        price: null,
        price_unit: 'USD',
        sid,
        status: 'received',
        subresource_uris: { media: `${uri}/Media.json` },
        to: sms.to,
        uri: `${uri}.json`,
      },
      mediaUrls,
    });
  }
}
