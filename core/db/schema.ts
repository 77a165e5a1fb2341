import { sql } from 'drizzle-orm';
import {
  bigserial, boolean, index, integer, jsonb, pgTable, primaryKey, text, timestamp,
  uniqueIndex, uuid,
} from 'drizzle-orm/pg-core';

import {
  encryptedBytes, encryptedJson, encryptedText,
} from '../encryption/columns.ts';

const createdAt = () => timestamp('created_at', { withTimezone: true }).notNull().defaultNow();
const updatedAt = () => timestamp('updated_at', { withTimezone: true }).notNull().defaultNow();

/** One practice served by the hub. `settings` holds what the account may override. */
export const accounts = pgTable('accounts', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  settings: jsonb('settings').$type<Record<string, unknown>>().notNull(),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
});

/** Account keys, stored as a SHA-256 of the secret; the secret is shown once. */
export const apiKeys = pgTable('api_keys', {
  id: text('id').primaryKey(),
  accountId: text('account_id').notNull().references(() => accounts.id),
  hash: text('hash').notNull(),
  label: text('label'),
  createdAt: createdAt(),
  revokedAt: timestamp('revoked_at', { withTimezone: true }),
}, (t) => [uniqueIndex('api_keys_hash').on(t.hash)]);

/** Clients and contacts, keyed by the host's own reference. */
export const recipients = pgTable('recipients', {
  id: uuid('id').primaryKey().defaultRandom(),
  accountId: text('account_id').notNull().references(() => accounts.id),
  type: text('type').$type<'client' | 'contact'>().notNull(),
  ref: text('ref').notNull(),
  firstName: encryptedText('first_name'),
  lastName: encryptedText('last_name'),
  phone: encryptedText('phone'),
  email: encryptedText('email'),
  fax: encryptedText('fax'),
  /** Keyed hashes of the addresses, to find who a reply came from without decrypting. */
  phoneHash: text('phone_hash'),
  emailHash: text('email_hash'),
  faxHash: text('fax_hash'),
  channel: text('channel'),
  timeZone: text('time_zone'),
  language: text('language'),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
}, (t) => [
  uniqueIndex('recipients_ref').on(t.accountId, t.type, t.ref),
  index('recipients_phone_hash').on(t.accountId, t.phoneHash),
  index('recipients_email_hash').on(t.accountId, t.emailHash),
  index('recipients_fax_hash').on(t.accountId, t.faxHash),
]);

/** The conversation between an account and one recipient. */
export const threads = pgTable('threads', {
  id: uuid('id').primaryKey().defaultRandom(),
  accountId: text('account_id').notNull().references(() => accounts.id),
  recipientId: uuid('recipient_id').notNull().references(() => recipients.id),
  lastMessageAt: timestamp('last_message_at', { withTimezone: true }),
  unreadCount: integer('unread_count').notNull().default(0),
  createdAt: createdAt(),
}, (t) => [
  uniqueIndex('threads_recipient').on(t.recipientId),
  index('threads_account_recent').on(t.accountId, t.lastMessageAt),
]);

/**
 * What a trigger plans messages about: an appointment, an invoice, a form request. Kept
 * generic so a trigger plugin needs no tables of its own.
 */
export const subjects = pgTable('subjects', {
  id: uuid('id').primaryKey().defaultRandom(),
  accountId: text('account_id').notNull().references(() => accounts.id),
  trigger: text('trigger').notNull(),
  type: text('type').notNull(),
  ref: text('ref').notNull(),
  state: encryptedJson<Record<string, unknown>>('state').notNull(),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
}, (t) => [uniqueIndex('subjects_ref').on(t.accountId, t.type, t.ref)]);

export const messageStatuses = [
  'scheduled', 'held', 'sending', 'sent', 'delivered', 'failed', 'cancelled', 'expired',
  'suppressed', 'received',
] as const;
export type MessageStatus = (typeof messageStatuses)[number];

export const messages = pgTable('messages', {
  id: uuid('id').primaryKey().defaultRandom(),
  accountId: text('account_id').notNull().references(() => accounts.id),
  recipientId: uuid('recipient_id').references(() => recipients.id),
  threadId: uuid('thread_id').references(() => threads.id),
  subjectId: uuid('subject_id').references(() => subjects.id),
  direction: text('direction').$type<'outbound' | 'inbound'>().notNull(),
  trigger: text('trigger').notNull(),
  kind: text('kind').notNull(),
  /** Sent by a person through the API, rather than planned by a trigger. */
  manual: boolean('manual').notNull().default(false),
  /** The plan's stable key: re-planning the same subject finds the same message by it. */
  key: text('key').notNull(),
  channel: text('channel').notNull(),
  status: text('status').$type<MessageStatus>().notNull(),
  statusReason: text('status_reason'),
  sendAt: timestamp('send_at', { withTimezone: true }).notNull(),
  expiresAt: timestamp('expires_at', { withTimezone: true }),
  template: text('template'),
  language: text('language'),
  data: encryptedJson<Record<string, unknown>>('data'),
  /** Rendered (outbound) or received (inbound) content: text, subject, html. */
  content: encryptedJson<MessageContent>('content'),
  address: encryptedText('address'),
  provider: text('provider'),
  providerId: text('provider_id'),
  units: integer('units'),
  attempts: integer('attempts').notNull().default(0),
  /**
   * The dispatch job that marked the message `sending`: only that job, run again after a
   * crash, may resume the send; any other job for the message leaves it alone.
   */
  dispatchJob: text('dispatch_job'),
  readAt: timestamp('read_at', { withTimezone: true }),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
}, (t) => [
  uniqueIndex('messages_key').on(t.accountId, t.key),
  index('messages_account_created').on(t.accountId, t.createdAt),
  index('messages_thread').on(t.threadId, t.createdAt),
  // A reply answers the latest message sent in its thread, found from the latest send time
  // back: the thread's messages scheduled for later are never read, however many there are.
  index('messages_thread_sent').on(t.threadId, t.sendAt).where(sql`${t.direction} = 'outbound'`),
  index('messages_subject').on(t.subjectId),
  uniqueIndex('messages_provider_id').on(t.provider, t.providerId)
    .where(sql`${t.providerId} is not null`),
]);

export interface MessageContent {
  text?: string;
  subject?: string;
  html?: string;
}

/** Files that came with a message: kept in the database, or a provider's URL to fetch. */
export const attachments = pgTable('attachments', {
  messageId: uuid('message_id').notNull().references(() => messages.id),
  position: integer('position').notNull(),
  filename: encryptedText('filename'),
  contentType: text('content_type').notNull(),
  size: integer('size'),
  data: encryptedBytes('data'),
  url: encryptedText('url'),
}, (t) => [primaryKey({ columns: [t.messageId, t.position] })]);

/** Every status a message has had, with the time and the reason code. */
export const messageEvents = pgTable('message_events', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  messageId: uuid('message_id').notNull().references(() => messages.id),
  status: text('status').$type<MessageStatus>().notNull(),
  reason: text('reason'),
  at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
}, (t) => [index('message_events_message').on(t.messageId, t.id)]);

/**
 * Events for the host, written in the same transaction as the change that caused them and
 * delivered from here, so a crash between the change and the delivery loses nothing.
 */
export const outbox = pgTable('outbox', {
  id: uuid('id').primaryKey().defaultRandom(),
  accountId: text('account_id').notNull().references(() => accounts.id),
  type: text('type').notNull(),
  data: jsonb('data').$type<Record<string, unknown>>().notNull(),
  createdAt: createdAt(),
}, (t) => [index('outbox_account_created').on(t.accountId, t.createdAt)]);

/**
 * The first answer to a request with an `Idempotency-Key`, replayed for repeats by the same
 * caller: the API key's id, or `admin`. The answer may carry a secret shown once (an account
 * key, a callback's signing secret), so its body is stored encrypted.
 */
export const idempotencyKeys = pgTable('idempotency_keys', {
  accountId: text('account_id').notNull(),
  caller: text('caller').notNull(),
  key: text('key').notNull(),
  requestHash: text('request_hash').notNull(),
  status: integer('status'),
  response: encryptedText('response'),
  createdAt: createdAt(),
}, (t) => [primaryKey({ columns: [t.accountId, t.caller, t.key] })]);

/** Provider events already applied, so a repeated webhook has no second effect. */
export const providerEvents = pgTable('provider_events', {
  provider: text('provider').notNull(),
  eventId: text('event_id').notNull(),
  createdAt: createdAt(),
}, (t) => [primaryKey({ columns: [t.provider, t.eventId] })]);

/**
 * The next free send slot per sender (a phone number, a messaging service), shared by every
 * worker so that a sender's provider limit holds however many workers send for it.
 */
export const senderRateLimits = pgTable('sender_rate_limits', {
  sender: text('sender').primaryKey(),
  nextAt: timestamp('next_at', { withTimezone: true }).notNull(),
});
