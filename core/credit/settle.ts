import { and, eq, inArray } from 'drizzle-orm';
import type { Account } from '../accounts/store.ts';
import type { HubEvent } from '../callbacks/events.ts';
import { isAnyOf } from '../db/any-of.ts';
import { messages, type MessageStatus } from '../db/schema.ts';
import type { HubServices } from '../services.ts';
import { book, lockBalance, type Entry, type Tx } from './ledger.ts';
import { releaseHeld } from './release.ts';
import { creditLedger } from './tables.ts';

type Outcome = 'charge' | 'refund';

/** What a status means for the credit a message reserved; undefined while it is not final. */
function outcomeOf(status: MessageStatus): Outcome | undefined {
  switch (status) {
    case 'delivered':
      return 'charge';
    case 'failed':
    case 'cancelled':
    case 'expired':
    case 'suppressed':
      return 'refund';
    case 'scheduled':
    case 'held':
    case 'sending':
    case 'sent':
    case 'received':
      return undefined;
  }
}

/**
 * Consumes `message.status` events: a delivered message is charged its real units (the
 * provider's segments, minutes or pages) at the price it was reserved at; one that ended
 * otherwise gets its reservation back. Credit that comes back releases held messages.
 */
export async function settleCredit(tx: Tx, services: HubServices, events: HubEvent[]) {
  const final = events.flatMap((event) => {
    const outcome = event.type === 'message.status'
      ? outcomeOf(event.data.status as MessageStatus)
      : undefined;
    return outcome ? [{ accountId: event.accountId, messageId: String(event.data.messageId),
      outcome }] : [];
  });
  if (final.length === 0) return;

  // Most messages reserve nothing (email, or an account on free prices): one query finds the
  // few that did.
  const reservations = await reservationsOf(tx, final.map((entry) => entry.messageId));
  const reserved = final.filter((entry) => reservations.has(entry.messageId));
  if (reserved.length === 0) return;

  // Accounts are read before any balance is locked: reading one afterwards would wait for a
  // pooled connection that dispatches, queued on that lock, may all be holding.
  const accounts = new Map<string, Account>();
  for (const { accountId } of reserved) {
    if (!accounts.has(accountId)) accounts.set(accountId, await services.accounts.get(accountId));
  }

  // Balances are locked in one order by every relay, so that two of them never deadlock.
  reserved.sort((a, b) => a.accountId.localeCompare(b.accountId));
  for (const { accountId, messageId, outcome } of reserved) {
    const reservation = reservations.get(messageId)!;
    await settle(tx, services, accounts.get(accountId)!, reservation, outcome);
  }
}

async function reservationsOf(tx: Tx, messageIds: string[]): Promise<Map<string, Reservation>> {
  const rows = await tx.select().from(creditLedger).where(and(
    isAnyOf(creditLedger.messageId, messageIds, 'uuid'), eq(creditLedger.kind, 'reservation'),
  ));
  return new Map(rows.map((row) => [row.messageId!, row]));
}

async function settle(
  tx: Tx,
  services: HubServices,
  account: Account,
  reservation: Reservation,
  outcome: Outcome,
): Promise<void> {
  const balance = await lockBalance(tx, account.id);
  const [final] = await finalEntriesOf(tx, reservation.messageId!);
  if (final) return;

  const at = services.clock();
  const booking = { balance, thresholds: account.settings.lowCreditThresholds, at };
  const change = outcome === 'charge' ? await settlement(tx, reservation) : refund(reservation);
  const entry = await book(tx, change, booking);
  if (entry.amount > 0) {
    await releaseHeld(tx, services, account.id, { ...booking, balance: entry.balance });
  }
}

type Reservation = typeof creditLedger.$inferSelect;
type FinalKind = 'settlement' | 'refund';

async function finalEntriesOf(tx: Tx, messageId: string) {
  const kinds: FinalKind[] = ['settlement', 'refund'];
  return tx.select().from(creditLedger)
    .where(and(eq(creditLedger.messageId, messageId), inArray(creditLedger.kind, kinds)));
}

/** The difference between the reserved estimate and the real cost, either way. */
async function settlement(tx: Tx, reservation: Reservation): Promise<Entry> {
  const [message] = await tx.select({ units: messages.units }).from(messages)
    .where(eq(messages.id, reservation.messageId!));
  const units = message?.units ?? reservation.units ?? 0;
  const unitPrice = reservation.unitPrice ?? 0;
  return {
    ...fromReservation(reservation, 'settlement'), units, unitPrice,
    amount: -reservation.amount - units * unitPrice,
  };
}

function refund(reservation: Reservation): Entry {
  return { ...fromReservation(reservation, 'refund'), amount: -reservation.amount };
}

function fromReservation(reservation: Reservation, kind: FinalKind) {
  return {
    accountId: reservation.accountId,
    kind,
    messageId: reservation.messageId ?? undefined,
    units: reservation.units ?? undefined,
    unitPrice: reservation.unitPrice ?? undefined,
  };
}
