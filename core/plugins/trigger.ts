import type { OpenAPIHono } from '@hono/zod-openapi';
import type { z } from 'zod';
import type { EventType } from '../callbacks/events.ts';
import type { Booking } from '../consent/booking.ts';
import type { AccountSettings } from '../config/account-settings.ts';
import type { MessageStatus } from '../db/schema.ts';
import type { HubEnv } from '../http/env.ts';
import type { Logger } from '../log.ts';
import type { MessageBody, OutboundAttachment } from './channel.ts';

export type RecipientType = 'client' | 'contact';

/** A message a trigger wants to exist. */
export interface PlannedMessage {
  /**
   * Stable within the account: planning the same thing again yields the same key, so a retry
   * or a re-plan never creates a second message.
   */
  key: string;
  /** The kind of message (`reminder`, `notice`, `message`); names the template. */
  kind: string;
  recipient: { type: RecipientType; ref: string };
  /** The channel to use; the recipient's assigned channel when absent. */
  channel?: string;
  /**
   * When to send. An sms or voice message due inside the recipient's quiet hours waits for
   * them to end, unless it has a `latestAt`.
   */
  sendAt: Date;
  /**
   * For a reminder ahead of a set time (an appointment's start, less the lead the client needs
   * to act on it): the latest moment it is worth sending. When quiet hours cover `sendAt`, the
   * message moves to the nearest allowed moment no later than this, earlier if need be, and is
   * skipped (`cancelled`, reason `quiet_hours`) when there is none.
   */
  latestAt?: Date;
  /** After this moment the message is no longer worth sending. */
  expiresAt?: Date;
  /**
   * Literal content from the host, sent as it is. Without it the message is rendered at send
   * time from the template `<trigger>/<kind>` for its channel and the recipient's language.
   */
  body?: MessageBody;
  /** Files sent with the message, for channels that take attachments. */
  attachments?: OutboundAttachment[];
  /** Template data; the core adds `recipient` and `practice`. */
  data?: Record<string, unknown>;
  /**
   * Sent by a person through the API rather than planned automatically: an unusable address
   * is refused at once (422) instead of failing the message later.
   */
  manual?: boolean;
  /**
   * Refs of contacts (a guardian, a referring provider) who get a copy of this message through
   * their own channel. A copy reads as the recipient's message does, in the contact's language
   * (or the account's); it is rendered when planned.
   */
  copyTo?: string[];
}

/** The thing messages are about (an appointment, an invoice), stored with its latest state. */
export interface SubjectInput {
  type: string;
  ref: string;
  state: Record<string, unknown>;
}

export interface AcceptRequest {
  accountId: string;
  trigger: string;
  subject?: SubjectInput;
  messages: PlannedMessage[];
  /** Events for the host, written in the same transaction (`appointment.confirmed`). */
  events?: Array<{ type: EventType; data: Record<string, unknown> }>;
}

export interface AcceptedMessage {
  id: string;
  key: string;
  kind: string;
  status: string;
  /** When it goes out, after any move for quiet hours. */
  sendAt: Date;
  created: boolean;
}

/** A message planned for a subject earlier, as a trigger sees it when planning again. */
export interface SubjectMessage {
  key: string;
  kind: string;
  status: MessageStatus;
  recipient: { type: RecipientType; ref: string };
  sendAt: Date;
  createdAt: Date;
  data: Record<string, unknown>;
}

/** A subject as stored, with every message planned for it so far, oldest first. */
export interface StoredSubject {
  state: Record<string, unknown>;
  messages: SubjectMessage[];
}

/** The core's services a trigger uses. */
export interface TriggerContext<C> {
  config: C;
  log: Logger;
  /** The hub's clock; tests run it ahead. */
  clock: () => Date;
  /**
   * Stores the subject and the planned messages in one transaction and queues their
   * dispatch; a message whose key exists already is kept as it is.
   */
  accept(request: AcceptRequest): Promise<AcceptedMessage[]>;
  /** The account's settings in force, for per-account schedules. */
  settings(accountId: string): Promise<AccountSettings>;
  /**
   * A subject's stored state and messages, to plan against what was already sent. Two calls
   * for one subject at the same moment may both plan from the same history; the later plan
   * then replaces the earlier one's pending messages.
   */
  subject(accountId: string, type: string, ref: string): Promise<StoredSubject | undefined>;
  /** A recipient's time zone, or the account's when they have none; 422 for an unknown one. */
  timeZone(accountId: string, recipient: { type: RecipientType; ref: string }): Promise<string>;
  /**
   * Records the consent a booking carries (the client's opt-in, their acceptance of the
   * privacy policy), and refuses (422) a booking through the online scheduler by a client who
   * has never accepted the practice's privacy policy. Call it before `accept`.
   */
  recordBookingConsent(accountId: string, clientRef: string, booking: Booking): Promise<void>;
}

/** A recipient's reply to one of the trigger's messages, as the core understood it. */
export interface InboundReply {
  accountId: string;
  /** The inbound message. */
  messageId: string;
  /** What the recipient sent, trimmed: the text, or the key pressed during a call. */
  text: string;
  /**
   * What it means by the account's reply words, or by the key pressed (1 confirms, 2
   * cancels); absent when it matches none. Carrier keywords never get here: CANCEL opts out.
   */
  answer?: 'confirm' | 'cancel';
  channel: string;
  receivedAt: Date;
  /** The message answered: the trigger's latest in the thread, or the call keys were pressed in. */
  inReplyTo: {
    id: string;
    kind: string;
    key: string;
    subject?: { type: string; ref: string };
  };
}

/**
 * What a trigger made of a reply: `handled` when it acted on it, `unchanged` when it asked for
 * what already is (a second confirmation), `unclear` when a person should read it (no answer
 * it understands, or an appointment already past or cancelled).
 */
export type ReplyResult = 'handled' | 'unchanged' | 'unclear';

/** What a template of this trigger needs, for checking every template at start. */
export interface TemplateNeeds {
  /** Data like the trigger's own, which every template of this kind must render with. */
  sampleData: Record<string, unknown>;
  /** Channels this kind is sent on; all enabled channels when absent. */
  channels?: string[];
}

/**
 * A trigger plugin turns host events into planned messages. Exported as the default export of
 * the plugin folder's `index.ts`.
 */
export interface TriggerPlugin<C = unknown> {
  kind: 'trigger';
  id: string;
  configSchema: z.ZodType<C>;
  /** The message kinds this trigger renders from templates, by kind. */
  templates: Record<string, TemplateNeeds>;
  /** Adds the trigger's host-facing routes (full paths under `/v1/accounts/{accountId}`). */
  routes(app: OpenAPIHono<HubEnv>, context: TriggerContext<C>): void;
  /**
   * Acts on a reply to one of the trigger's messages: the appointment trigger confirms or
   * cancels. The core has already taken carrier keywords out; without this hook, every reply
   * to the trigger's messages is marked as needing attention. Runs once per reply, never
   * concurrently for one recipient.
   */
  interpretReply?(reply: InboundReply, context: TriggerContext<C>): Promise<ReplyResult>;
}
