import { eq, sql } from 'drizzle-orm';
import { emitEvent } from '../callbacks/events.ts';
import type { Database } from '../db/client.ts';
import { creditBalances, creditLedger, type LedgerKind } from './tables.ts';

/** A transaction, or the database itself. */
export type Tx = Pick<Database, 'insert' | 'update' | 'select' | 'delete' | 'execute'>;

/**
 * Locks the account's balance row until the transaction ends and returns the balance. Every
 * change of a balance goes through here first, so changes of one account take turns.
 */
export async function lockBalance(tx: Tx, accountId: string): Promise<number> {
  await tx.insert(creditBalances).values({ accountId, balance: 0 }).onConflictDoNothing();
  const rows = await tx.execute<{ balance: string }>(sql`
    select balance from credit_balances where account_id = ${accountId} for update`);
  return Number(rows[0].balance);
}

export interface Entry {
  accountId: string;
  kind: LedgerKind;
  amount: number;
  messageId?: string;
  units?: number;
  unitPrice?: number;
  reference?: string;
}

export interface Booking {
  /** The balance the caller read with `lockBalance`, or the one the last booking returned. */
  balance: number;
  /** The account's low-credit thresholds. */
  thresholds: readonly number[];
  at: Date;
}

/**
 * Adds an entry to the ledger and moves the balance by its amount; the balance row must be
 * locked. Returns the entry with the new balance. When the balance falls to or below a
 * threshold it was above, the host hears `credit.low`, once for that crossing.
 */
export async function book(tx: Tx, entry: Entry, booking: Booking) {
  const balance = booking.balance + entry.amount;
  const [row] = await tx.insert(creditLedger)
    .values({ ...entry, balance, createdAt: booking.at })
    .returning();
  await tx.update(creditBalances)
    .set({ balance, updatedAt: booking.at })
    .where(eq(creditBalances.accountId, entry.accountId));

  for (const threshold of booking.thresholds) {
    if (booking.balance > threshold && balance <= threshold) {
      await emitEvent(tx, entry.accountId, 'credit.low', { threshold, balance }, booking.at);
    }
  }
  return row;
}

export type LedgerEntry = typeof creditLedger.$inferSelect;
