import { sql } from 'drizzle-orm';
import {
  bigserial, index, jsonb, pgTable, text, timestamp, uniqueIndex, uuid,
} from 'drizzle-orm/pg-core';
import { accounts, outbox } from '../db/schema.ts';
import type { NotificationKind, NotificationSettings, Frequency } from './settings.ts';

/** A staff member of a practice who receives notification emails. */
export const users = pgTable('users', {
  id: uuid('id').primaryKey().defaultRandom(),
  accountId: text('account_id').notNull().references(() => accounts.id),
  /** The host's own id for the user. */
  ref: text('ref').notNull(),
  email: text('email').notNull(),
  name: text('name'),
  /** Where the daily digest's hour is counted; the account's time zone when null. */
  timeZone: text('time_zone'),
  notifications: jsonb('notifications').$type<NotificationSettings>().notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
}, (t) => [uniqueIndex('users_ref').on(t.accountId, t.ref)]);

/**
 * One event a user is to hear of, with when: now, at the next hourly or daily digest. Marked
 * with the notification that told of it, so no event is told twice and none is forgotten
 * when the hub restarts between digests.
 */
export const notificationItems = pgTable('notification_items', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  accountId: text('account_id').notNull().references(() => accounts.id),
  userId: uuid('user_id').notNull().references(() => users.id, { onDelete: 'cascade' }),
  kind: text('kind').$type<NotificationKind>().notNull(),
  eventId: uuid('event_id').notNull().references(() => outbox.id),
  /** The user's frequency when the event happened: a change applies from the next event. */
  frequency: text('frequency').$type<Frequency>().notNull(),
  dueAt: timestamp('due_at', { withTimezone: true }).notNull(),
  notificationId: uuid('notification_id')
    .references(() => notifications.id, { onDelete: 'cascade' }),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
}, (t) => [
  uniqueIndex('notification_items_event').on(t.userId, t.kind, t.eventId),
  index('notification_items_due').on(t.dueAt).where(sql`${t.notificationId} is null`),
]);

export const notificationStatuses = ['pending', 'sent', 'failed'] as const;
export type NotificationStatus = (typeof notificationStatuses)[number];

/** One email to a user, telling of one or more events of one kind. */
export const notifications = pgTable('notifications', {
  id: uuid('id').primaryKey().defaultRandom(),
  accountId: text('account_id').notNull().references(() => accounts.id),
  userId: uuid('user_id').notNull().references(() => users.id, { onDelete: 'cascade' }),
  kind: text('kind').$type<NotificationKind>().notNull(),
  /** What the email says: how many events, and for errors how many of each reason. */
  summary: jsonb('summary').$type<NotificationSummary>().notNull(),
  status: text('status').$type<NotificationStatus>().notNull().default('pending'),
  provider: text('provider'),
  providerId: text('provider_id'),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  sentAt: timestamp('sent_at', { withTimezone: true }),
}, (t) => [index('notifications_user').on(t.userId, t.createdAt)]);

export interface NotificationSummary {
  count: number;
  /** For errors: how many events had each reason code. */
  reasons?: Record<string, number>;
  /** The message, when the email is about exactly one. */
  messageId?: string;
}
