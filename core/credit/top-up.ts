import { and, eq } from 'drizzle-orm';
import type { Account } from '../accounts/store.ts';
import { HubError } from '../errors.ts';
import type { HubServices } from '../services.ts';
import { book, lockBalance, type LedgerEntry } from './ledger.ts';
import { releaseHeld } from './release.ts';
import { creditLedger } from './tables.ts';

export interface TopUp {
  /** Minor units of the currency. */
  amount: number;
  /** The host's own reference: the same top-up sent again is applied once. */
  reference: string;
}

/**
 * Adds credit and releases the messages that were waiting for it. A top-up whose reference
 * was applied before returns the first entry; the same reference with another amount is a
 * conflict.
 */
export async function topUp(services: HubServices, account: Account, input: TopUp) {
  const at = services.clock();
  return services.database.db.transaction(async (tx) => {
    const balance = await lockBalance(tx, account.id);
    const [earlier] = await tx.select().from(creditLedger).where(and(
      eq(creditLedger.accountId, account.id),
      eq(creditLedger.kind, 'top_up'),
      eq(creditLedger.reference, input.reference),
    ));
    if (earlier) return { entry: sameTopUp(earlier, input), created: false, balance };

    const booking = { balance, thresholds: account.settings.lowCreditThresholds, at };
    const entry = await book(tx, { accountId: account.id, kind: 'top_up', ...input }, booking);
    const released = { ...booking, balance: entry.balance };
    const left = await releaseHeld(tx, services, account.id, released);
    return { entry, created: true, balance: left };
  });
}

function sameTopUp(earlier: LedgerEntry, input: TopUp): LedgerEntry {
  if (earlier.amount === input.amount) return earlier;
  throw new HubError('conflict', {
    message: `Top-up "${input.reference}" was made before with another amount.`,
  });
}
