import {
  bigserial, boolean, index, integer, pgTable, text, timestamp, uniqueIndex, uuid,
} from 'drizzle-orm/pg-core';
import { accounts, outbox } from '../db/schema.ts';

/** Where the host wants its events, which of them, and the secret they are signed with. */
export const callbackEndpoints = pgTable('callback_endpoints', {
  id: text('id').primaryKey(),
  accountId: text('account_id').notNull().references(() => accounts.id),
  url: text('url').notNull(),
  eventTypes: text('event_types').array().notNull(),
  description: text('description'),
  /** `whsec_` and the base64 key; the HMAC needs the key itself, so it cannot be hashed. */
  secret: text('secret').notNull(),
  enabled: boolean('enabled').notNull().default(true),
  /** Why the hub stopped delivering: `gone` when the endpoint answered 410. */
  disabledReason: text('disabled_reason'),
  disabledAt: timestamp('disabled_at', { withTimezone: true }),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
}, (t) => [index('callback_endpoints_account').on(t.accountId, t.createdAt)]);

export const deliveryStatuses = ['pending', 'delivered', 'failed', 'cancelled'] as const;
export type DeliveryStatus = (typeof deliveryStatuses)[number];

/** One event on its way to one endpoint; a replay is a delivery of its own. */
export const callbackDeliveries = pgTable('callback_deliveries', {
  id: uuid('id').primaryKey().defaultRandom(),
  endpointId: text('endpoint_id').notNull()
    .references(() => callbackEndpoints.id, { onDelete: 'cascade' }),
  accountId: text('account_id').notNull(),
  eventId: uuid('event_id').notNull().references(() => outbox.id),
  status: text('status').$type<DeliveryStatus>().notNull().default('pending'),
  attempts: integer('attempts').notNull().default(0),
  nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true }),
  replayOf: uuid('replay_of'),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
}, (t) => [index('callback_deliveries_endpoint').on(t.endpointId, t.createdAt)]);

/** Every request the hub made for a delivery, and what came of it. */
export const callbackAttempts = pgTable('callback_attempts', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  deliveryId: uuid('delivery_id').notNull()
    .references(() => callbackDeliveries.id, { onDelete: 'cascade' }),
  at: timestamp('at', { withTimezone: true }).notNull(),
  /** The HTTP status the endpoint answered; null when no answer came. */
  statusCode: integer('status_code'),
  latencyMs: integer('latency_ms').notNull(),
  /** Why no answer came: `timeout`, or the network error's code. */
  error: text('error'),
}, (t) => [index('callback_attempts_delivery').on(t.deliveryId, t.id)]);

/**
 * Outbox events not yet handed to their consumers. Written with the event, removed in the
 * transaction that hands it on, so each event is relayed once even across crashes.
 */
export const eventRelay = pgTable('event_relay', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  outboxId: uuid('outbox_id').notNull().references(() => outbox.id),
  /** Times a relay took it up; an event that keeps failing stays here for an operator. */
  attempts: integer('attempts').notNull().default(0),
  /** Until when the relay that took it up last has it to itself. */
  claimedUntil: timestamp('claimed_until', { withTimezone: true }),
}, (t) => [uniqueIndex('event_relay_outbox').on(t.outboxId)]);
