import { and, asc, eq, gt } from 'drizzle-orm';
import { messages } from '../db/schema.ts';
import { hubMetrics } from '../metrics/hub-metrics.ts';
import { queueNames } from '../queue/queue.ts';
import type { HubServices } from '../services.ts';
import { book, type Booking, type Tx } from './ledger.ts';
import { creditHolds } from './tables.ts';

const pageSize = 500;

/**
 * Releases messages held for credit, oldest first, as far as the balance pays for them. Each
 * gets its reservation here, so that messages sent meanwhile cannot take the credit first,
 * and its dispatch is queued again. Returns the balance left.
 */
export async function releaseHeld(
  tx: Tx,
  services: HubServices,
  accountId: string,
  booking: Booking,
): Promise<number> {
  let balance = booking.balance;
  let after = 0;
  for (;;) {
    const page = await heldPage(tx, accountId, after);
    for (const { hold, waiting, channel } of page) {
      after = hold.id;
      if (waiting && balance < hold.amount) return balance;

      await tx.delete(creditHolds).where(eq(creditHolds.id, hold.id));
      if (!waiting) continue;

      const { units, unitPrice, amount, messageId } = hold;
      const entry = await book(tx, { accountId, kind: 'reservation', messageId, units,
        unitPrice, amount: -amount }, { ...booking, balance });
      balance = entry.balance;
      hubMetrics.creditReservations.inc({ channel, outcome: 'reserved' });
      await services.queue.send(tx, queueNames.dispatch, { messageId });
    }
    if (page.length < pageSize) return balance;
  }
}

/** Holds in order, with whether their message still waits (it may have been cancelled). */
async function heldPage(tx: Tx, accountId: string, after: number) {
  const rows = await tx.select({
    hold: creditHolds, status: messages.status, reason: messages.statusReason,
    channel: messages.channel,
  })
    .from(creditHolds)
    .innerJoin(messages, eq(messages.id, creditHolds.messageId))
    .where(and(eq(creditHolds.accountId, accountId), gt(creditHolds.id, after)))
    .orderBy(asc(creditHolds.id))
    .limit(pageSize);
  return rows.map(({ hold, status, reason, channel }) => ({
    hold, channel, waiting: status === 'held' && reason === 'insufficient_credit',
  }));
}
