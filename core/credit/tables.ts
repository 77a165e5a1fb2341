import { sql } from 'drizzle-orm';
import {
  bigint, bigserial, index, integer, pgTable, text, timestamp, uniqueIndex, uuid,
} from 'drizzle-orm/pg-core';
import { accounts, messages } from '../db/schema.ts';

/** Money in minor units of the currency (cents), which JavaScript numbers hold exactly. */
const money = (name: string) => bigint(name, { mode: 'number' });

/**
 * The current balance of each account, kept beside the ledger so that every change can lock
 * one row: concurrent dispatches of one account take turns, and the balance never goes wrong.
 */
export const creditBalances = pgTable('credit_balances', {
  accountId: text('account_id').primaryKey().references(() => accounts.id),
  balance: money('balance').notNull().default(0),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});

export const ledgerKinds = ['top_up', 'reservation', 'settlement', 'refund'] as const;
export type LedgerKind = (typeof ledgerKinds)[number];

/**
 * Every change of an account's balance, never updated or deleted. A reservation takes the
 * estimated cost before a send; the settlement gives back or takes the difference to the real
 * cost; a refund gives back a reservation whose message was not delivered.
 */
export const creditLedger = pgTable('credit_ledger', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  accountId: text('account_id').notNull().references(() => accounts.id),
  kind: text('kind').$type<LedgerKind>().notNull(),
  /** Added to the balance: positive for top-ups and refunds, negative for reservations. */
  amount: money('amount').notNull(),
  /** The balance after this entry. */
  balance: money('balance').notNull(),
  messageId: uuid('message_id').references(() => messages.id),
  /** Billable units (segments, minutes, pages) and the price of one, for message entries. */
  units: integer('units'),
  unitPrice: integer('unit_price'),
  /** The host's reference of a top-up, which makes repeating it harmless. */
  reference: text('reference'),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
}, (t) => [
  index('credit_ledger_account').on(t.accountId, t.id),
  uniqueIndex('credit_ledger_top_up_reference').on(t.accountId, t.reference)
    .where(sql`${t.kind} = 'top_up'`),
  uniqueIndex('credit_ledger_reservation').on(t.messageId)
    .where(sql`${t.kind} = 'reservation'`),
  // A reservation ends once: settled at the real cost, or refunded.
  uniqueIndex('credit_ledger_final').on(t.messageId)
    .where(sql`${t.kind} in ('settlement', 'refund')`),
]);

/**
 * Messages waiting for credit, in the order they were held: a top-up releases them oldest
 * first, and later messages wait behind them.
 */
export const creditHolds = pgTable('credit_holds', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  messageId: uuid('message_id').notNull().references(() => messages.id),
  accountId: text('account_id').notNull().references(() => accounts.id),
  /** The estimated cost that the release reserves. */
  amount: money('amount').notNull(),
  units: integer('units').notNull(),
  unitPrice: integer('unit_price').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
}, (t) => [
  uniqueIndex('credit_holds_message').on(t.messageId),
  index('credit_holds_account').on(t.accountId, t.id),
]);
