import type { Hono } from 'hono';
import type { z } from 'zod';
import type { Logger } from '../log.ts';
import type { StatusReason } from '../messages/reasons.ts';

/** How a channel is priced; the core turns units into credit. */
export type Pricing = 'segment' | 'minute' | 'page' | 'free';

/** What a carrier keyword asks for: STOP and its kin, START and its kin, HELP and INFO. */
export type CarrierKeyword = 'opt_out' | 'opt_in' | 'help';

/** Which field of a recipient holds this channel's address. */
export type AddressField = 'phone' | 'email' | 'fax';

export interface ChannelCapabilities {
  /** Recipients can answer through this channel. */
  replies: boolean;
  attachments: boolean;
  /** Recipients must opt in before the channel may be used (eFax is exempt). */
  needsOptIn: boolean;
  pricing: Pricing;
  /** Messages need a subject (email): a text from the host without one is refused. */
  requiresSubject?: boolean;
}

/** What a template or a host produced, ready to send. */
export interface MessageBody {
  text: string;
  subject?: string;
  html?: string;
}

/** A file sent with a message (a PDF for eFax or email). */
export interface OutboundAttachment {
  filename: string;
  contentType: string;
  data: Buffer;
}

export interface OutboundMessage {
  messageId: string;
  accountId: string;
  /** The normalised address of the recipient. */
  to: string;
  /** The sender for this account and channel, when the account or the channel config has one. */
  from?: string;
  body: MessageBody;
  attachments: OutboundAttachment[];
  language: string;
  /** Whether the message was planned by a trigger rather than sent by a person. */
  automated: boolean;
  /** The trigger and kind of message, for channels that treat some kinds differently. */
  trigger: string;
  kind: string;
  /** Keys the callee may press during a call; absent: the call takes none. */
  keypad?: Keypad;
  /**
   * A signed link at the hub that opts the recipient out of this channel at once, for
   * channels that carry one: every email shows it and names it in `List-Unsubscribe`.
   */
  unsubscribeUrl?: string;
}

/**
 * What the keys of an automated call do, as the account allows. The channel reports 1 and 2
 * as an inbound message whose text is the key and whose `inReplyTo` is the call; 0 it
 * connects itself.
 */
export interface Keypad {
  /** 1 confirms and 2 cancels (an appointment), or 1 opts in (an opt-in request). */
  answers?: 'confirm_cancel' | 'opt_in';
  /** The practice's number that pressing 0 connects the caller to. */
  forwardTo?: string;
}

export interface SendResult {
  /** The provider's id for what was sent; status webhooks refer to it. */
  providerId: string;
  /** Billable units known at send time (segments, pages); final units come with the status. */
  units?: number;
}

export type AddressCheck = { ok: true; address: string } | { ok: false; message: string };

/** A delivery status reported by a provider, applied by the core. */
export interface StatusUpdate {
  provider: string;
  providerId: string;
  status: 'sent' | 'delivered' | 'failed';
  reason?: StatusReason;
  units?: number;
  /** The provider's id of this event, so a repeated webhook is applied once. */
  eventId?: string;
  /**
   * The recipient told the provider they want no more of this channel (a spam report, the
   * provider's own unsubscribe link): the core opts them out, as a STOP would, whatever
   * becomes of the status. `detail` names what they did, as the provider calls it.
   */
  optOut?: { detail: string };
}

/** A file that came with an inbound message: its bytes, or where the provider keeps it. */
export interface InboundAttachment {
  filename?: string;
  contentType: string;
  data?: Buffer;
  url?: string;
}

/** A message received from a recipient, as a channel's webhook understood it. */
export interface InboundMessage {
  provider: string;
  /** The provider's id of the message; a repeated webhook with the same id is stored once. */
  providerId: string;
  /** The sender's normalised address. */
  from: string;
  /** The hub's number or address it was sent to, which names the account. */
  to: string;
  /** The account, when the channel can tell it from the address (a reply-to address). */
  accountId?: string;
  body: MessageBody;
  attachments?: InboundAttachment[];
  /** Billable units of the inbound message, when the provider charges for receiving. */
  units?: number;
  /** The provider's id of the hub message this answers, when known: the call of a key press. */
  inReplyTo?: string;
}

export type InboundResult =
  | { stored: true; messageId: string; accountId: string; duplicate: boolean }
  | { stored: false; reason: 'unknown_account' };

/** What a channel tells the core. Both return quickly; further work goes to jobs. */
export interface ChannelEvents {
  /** Queues a delivery report for its message. */
  status(update: StatusUpdate): Promise<void>;
  /** Stores an inbound message in its thread (matched to account and sender). */
  inbound(message: InboundMessage): Promise<InboundResult>;
}

export interface ChannelContext<C> {
  /** The channel's section of the config, validated by its `configSchema`. */
  config: C;
  /** The hub's public URL, which providers call back. */
  publicUrl: string;
  log: Logger;
  events: ChannelEvents;
}

/**
 * How fast a provider takes sends from one sender: a US long code sends about one SMS segment
 * a second. The core spaces sends with the same key across all workers; a send whose turn is
 * still ahead waits in the queue, not in a worker.
 */
export interface SendRateLimit {
  /** Who the limit applies to: the sender's number, a messaging service, a provider account. */
  key(message: OutboundMessage): string;
  /** Units the key may send per second. */
  perSecond: number;
  /** Units this message takes: its SMS segments, or 1 for a call. */
  units(message: OutboundMessage): number;
}

/** A channel set up with its provider. */
export interface ChannelInstance {
  /** The provider behind the channel: `twilio`, `sendgrid`, `phaxio`, `sandbox`. */
  readonly provider: string;
  send(message: OutboundMessage): Promise<SendResult>;
  /** Spaces sends per sender; without it, messages go out as fast as the workers send them. */
  rateLimit?: SendRateLimit;
  /** Provider webhooks, mounted by the core under `/webhooks/<provider>/`. */
  webhooks?: Hono;
  /**
   * Carrier keywords the provider answers by itself: Twilio replies to STOP and START on long
   * codes and toll-free numbers, and refuses to send after a STOP. The hub still records the
   * consent change but sends no reply of its own to these.
   */
  answersKeywords?: readonly CarrierKeyword[];
  stop?(): Promise<void>;
}

/**
 * A channel plugin: everything the core needs to send through one channel, whatever its
 * provider. Exported as the default export of the plugin folder's `index.ts`.
 */
export interface ChannelPlugin<C = unknown> {
  kind: 'channel';
  /** The channel's id, named in config and in messages: `sms`, `voice`, `email`, `efax`. */
  id: string;
  addressField: AddressField;
  capabilities: ChannelCapabilities;
  /** Validates the channel's config section; must accept `{ provider: 'sandbox' }`. */
  configSchema: z.ZodType<C>;
  /** Normalises an address (E.164 phone, email) or says what is wrong with it. */
  normalizeAddress(raw: string): AddressCheck;
  /** Billable units of a rendered message: segments, started minutes, pages; 0 when free. */
  estimateUnits(body: MessageBody): number;
  /** Sets the channel up with the provider its config names. */
  create(context: ChannelContext<C>): ChannelInstance;
}
