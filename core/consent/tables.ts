import { sql } from 'drizzle-orm';
import {
  bigserial, index, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid,
} from 'drizzle-orm/pg-core';
import { accounts, messages, recipients } from '../db/schema.ts';

export const consentStatuses = ['opted_in', 'opted_out'] as const;
export type ConsentStatus = (typeof consentStatuses)[number];

/** How a consent change reached the hub. */
export const consentSources = [
  /** A carrier keyword in an sms: STOP, START, YES… */
  'sms_keyword',
  /** A key pressed during a call. */
  'voice_keypress',
  /** The confirmation page an opt-in email links to. */
  'opt_in_page',
  /** The unsubscribe link of an email, or its one-click List-Unsubscribe header. */
  'email_unsubscribe',
  /** The host, through `POST .../clients/{ref}/consent` or with an online booking. */
  'host',
  /** The channel's provider: the recipient reported a message as spam or unsubscribed there. */
  'provider_report',
] as const;
export type ConsentSource = (typeof consentSources)[number];

/** Where each recipient stands, per channel; no row means they have never said. */
export const consents = pgTable('consents', {
  recipientId: uuid('recipient_id').notNull().references(() => recipients.id),
  channel: text('channel').notNull(),
  accountId: text('account_id').notNull().references(() => accounts.id),
  status: text('status').$type<ConsentStatus>().notNull(),
  source: text('source').$type<ConsentSource>().notNull(),
  changedAt: timestamp('changed_at', { withTimezone: true }).notNull(),
}, (t) => [primaryKey({ columns: [t.recipientId, t.channel] })]);

/** Every consent change, with its source and time; rows are only ever added. */
export const consentEvents = pgTable('consent_events', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  accountId: text('account_id').notNull().references(() => accounts.id),
  recipientId: uuid('recipient_id').notNull().references(() => recipients.id),
  channel: text('channel').notNull(),
  status: text('status').$type<ConsentStatus>().notNull(),
  source: text('source').$type<ConsentSource>().notNull(),
  /**
   * The keyword or key used, how an unsubscribe came (`link`, `one_click`), the provider's
   * name for its report (`spamreport`), or the host's own name for the source (`front_desk`).
   */
  detail: text('detail'),
  /**
   * The message that made the change: the inbound keyword or key press, or the message a
   * provider's report was about.
   */
  messageId: uuid('message_id').references(() => messages.id),
  /** When the recipient said so; the host may report a change made earlier. */
  at: timestamp('at', { withTimezone: true }).notNull(),
  recordedAt: timestamp('recorded_at', { withTimezone: true }).notNull().defaultNow(),
}, (t) => [index('consent_events_recipient').on(t.recipientId, t.id)]);

/** A client's acceptance of a version of the practice's privacy policy, as the host reports it. */
export const privacyAcceptances = pgTable('privacy_acceptances', {
  recipientId: uuid('recipient_id').notNull().references(() => recipients.id),
  version: text('version').notNull(),
  accountId: text('account_id').notNull().references(() => accounts.id),
  acceptedAt: timestamp('accepted_at', { withTimezone: true }).notNull(),
  recordedAt: timestamp('recorded_at', { withTimezone: true }).notNull().defaultNow(),
}, (t) => [primaryKey({ columns: [t.recipientId, t.version] })]);

export const optInRequestStatuses = ['pending', 'accepted', 'declined', 'expired'] as const;
export type OptInRequestStatus = (typeof optInRequestStatuses)[number];

/**
 * An opt-in request sent (or about to be) to a recipient whose messages wait for their
 * consent. At most one is pending per recipient.
 */
export const optInRequests = pgTable('opt_in_requests', {
  id: uuid('id').primaryKey().defaultRandom(),
  accountId: text('account_id').notNull().references(() => accounts.id),
  recipientId: uuid('recipient_id').notNull().references(() => recipients.id),
  channel: text('channel').notNull(),
  status: text('status').$type<OptInRequestStatus>().notNull().default('pending'),
  /** The request itself, and the reminder to answer it when the account sends one. */
  messageId: uuid('message_id').references(() => messages.id),
  reminderId: uuid('reminder_id').references(() => messages.id),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  closedAt: timestamp('closed_at', { withTimezone: true }),
}, (t) => [
  uniqueIndex('opt_in_requests_pending').on(t.recipientId)
    .where(sql`${t.status} = 'pending'`),
  index('opt_in_requests_open').on(t.status, t.createdAt),
]);
