import { and, eq, lt, sql } from 'drizzle-orm';
import type { Account } from '../accounts/store.ts';
import { messages } from '../db/schema.ts';
import { hubMetrics } from '../metrics/hub-metrics.ts';
import { changeStatus } from '../messages/status-log.ts';
import type { MessageBody } from '../plugins/channel.ts';
import { queueNames } from '../queue/queue.ts';
import type { HubServices } from '../services.ts';
import { book, lockBalance, type Tx } from './ledger.ts';
import { unitPrice } from './prices.ts';
import { creditHolds, creditLedger } from './tables.ts';

export type Reservation = 'reserved' | 'held';

interface Cost {
  units: number;
  unitPrice: number;
  amount: number;
}

/**
 * Reserves the estimated cost of a message before it is sent. With too little credit, or
 * while older messages of the account wait for credit, the message is held
 * (`insufficient_credit`) until a top-up releases it. Running it again for a message that
 * holds a reservation, such as one a top-up released, changes nothing.
 */
export async function reserveCredit(
  services: HubServices,
  account: Account,
  message: HeldMessage & { channel: string },
  body: MessageBody,
): Promise<Reservation> {
  const { plugin } = services.plugins.channel(message.channel);
  const price = unitPrice(services.config.prices, plugin);
  const units = plugin.estimateUnits(body);
  if (price === 0 || units === 0) return 'reserved';

  const cost = { units, unitPrice: price, amount: units * price };
  const at = services.clock();
  return services.database.db.transaction(async (tx) => {
    const balance = await lockBalance(tx, account.id);
    if (await hasReservation(tx, message.id)) return 'reserved';

    const hold = await holdFor(tx, message.id);
    if (balance < cost.amount || await waitingBefore(tx, account.id, hold?.id)) {
      if (!hold) await holdMessage(tx, services, message, { cost, at });
      hubMetrics.creditReservations.inc({ channel: message.channel, outcome: 'held' });
      return 'held';
    }

    if (hold) await tx.delete(creditHolds).where(eq(creditHolds.id, hold.id));
    const booking = { balance, thresholds: account.settings.lowCreditThresholds, at };
    await book(tx, { accountId: account.id, kind: 'reservation', messageId: message.id,
      units: cost.units, unitPrice: cost.unitPrice, amount: -cost.amount }, booking);
    hubMetrics.creditReservations.inc({ channel: message.channel, outcome: 'reserved' });
    return 'reserved';
  });
}

async function hasReservation(tx: Tx, messageId: string): Promise<boolean> {
  const rows = await tx.select({ id: creditLedger.id }).from(creditLedger)
    .where(and(eq(creditLedger.messageId, messageId), eq(creditLedger.kind, 'reservation')));
  return rows.length > 0;
}

/** Conditions on `messages` of a message that waits for credit. */
export const stillHeld = [
  eq(messages.status, 'held'),
  eq(messages.statusReason, 'insufficient_credit'),
];

/** The message's place in the queue for credit, if it is still held for credit. */
async function holdFor(tx: Tx, messageId: string) {
  const [row] = await tx.select({ id: creditHolds.id }).from(creditHolds)
    .innerJoin(messages, eq(messages.id, creditHolds.messageId))
    .where(and(eq(creditHolds.messageId, messageId), ...stillHeld));
  return row;
}

/** Whether messages held earlier (before `holdId`, or at all) still wait for credit. */
async function waitingBefore(tx: Tx, accountId: string, holdId?: number): Promise<boolean> {
  const rows = await tx.select({ id: creditHolds.id }).from(creditHolds)
    .innerJoin(messages, eq(messages.id, creditHolds.messageId))
    .where(and(
      eq(creditHolds.accountId, accountId),
      holdId === undefined ? sql`true` : lt(creditHolds.id, holdId),
      ...stillHeld,
    ))
    .limit(1);
  return rows.length > 0;
}

interface HeldMessage {
  id: string;
  accountId: string;
  /** When the message stops being worth sending (an appointment's start, a link's end). */
  expiresAt: Date | null;
}

async function holdMessage(
  tx: Tx,
  services: HubServices,
  message: HeldMessage,
  hold: { cost: Cost; at: Date },
): Promise<void> {
  const { cost, at } = hold;
  const held = await changeStatus(tx, message, {
    status: 'held', reason: 'insufficient_credit', at, from: ['scheduled', 'held', 'sending'],
  });
  if (!held) return;

  // A hold left from an earlier wait, which the message has since left, loses its place.
  await tx.delete(creditHolds).where(eq(creditHolds.messageId, message.id));
  await tx.insert(creditHolds).values({
    messageId: message.id, accountId: message.accountId, createdAt: at, ...cost,
  });

  // Without a top-up by then, that dispatch finds the moment passed and expires the message.
  if (message.expiresAt) {
    await services.queue.send(tx, queueNames.dispatch, { messageId: message.id }, {
      startAfter: message.expiresAt,
    });
  }
}
