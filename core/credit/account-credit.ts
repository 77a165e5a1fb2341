import { and, count, desc, eq, lt } from 'drizzle-orm';
import { messages } from '../db/schema.ts';
import type { Database } from '../db/client.ts';
import { creditBalances, creditLedger } from './tables.ts';

/** An account's balance, how many messages wait for credit, and a page of its ledger. */
export async function readCredit(
  db: Database,
  accountId: string,
  page: { before?: number; limit: number },
) {
  const [row] = await db.select({ balance: creditBalances.balance }).from(creditBalances)
    .where(eq(creditBalances.accountId, accountId));
  const [held] = await db.select({ count: count() }).from(messages).where(and(
    eq(messages.accountId, accountId),
    eq(messages.status, 'held'),
    eq(messages.statusReason, 'insufficient_credit'),
  ));

  const ledger = await db.select().from(creditLedger)
    .where(and(
      eq(creditLedger.accountId, accountId),
      page.before === undefined ? undefined : lt(creditLedger.id, page.before),
    ))
    .orderBy(desc(creditLedger.id))
    .limit(page.limit);
  return { balance: row?.balance ?? 0, heldMessages: held.count, ledger };
}
