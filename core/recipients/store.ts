import { and, eq, getTableColumns, sql } from 'drizzle-orm';
import type { Database } from '../db/client.ts';
import { recipients } from '../db/schema.ts';
import { addressHash } from '../encryption/columns.ts';
import { HubError } from '../errors.ts';
import type { RecipientType } from '../plugins/trigger.ts';

export type Recipient = typeof recipients.$inferSelect;

export interface RecipientInput {
  firstName?: string | null;
  lastName?: string | null;
  phone?: string | null;
  email?: string | null;
  fax?: string | null;
  channel?: string | null;
  timeZone?: string | null;
  language?: string | null;
}

/** Clients and contacts, by the host's own reference. */
export class RecipientStore {
  readonly #db: Database;

  constructor(db: Database) {
    this.#db = db;
  }

  /**
   * Creates or updates the recipient; fields left out of the input are kept. `created` tells
   * the two apart (a fresh row has no deleting transaction in `xmax`).
   */
  async upsert(accountId: string, type: RecipientType, ref: string, input: RecipientInput) {
    const now = new Date();
    const fields = { ...input, ...addressHashes(input), updatedAt: now };
    const [row] = await this.#db.insert(recipients)
      .values({ accountId, type, ref, ...fields })
      .onConflictDoUpdate({
        target: [recipients.accountId, recipients.type, recipients.ref],
        set: fields,
      })
      .returning({ ...getTableColumns(recipients), created: sql<boolean>`(xmax = 0)` });
    return row;
  }

  async find(accountId: string, type: RecipientType, ref: string) {
    const [row] = await this.#db.select().from(recipients).where(and(
      eq(recipients.accountId, accountId), eq(recipients.type, type), eq(recipients.ref, ref),
    ));
    return row;
  }

  async get(accountId: string, type: RecipientType, ref: string): Promise<Recipient> {
    const row = await this.find(accountId, type, ref);
    if (!row) throw new HubError('not_found', { message: `No such ${type}.` });
    return row;
  }
}

/** The look-up hashes of the addresses being set; an address set to null clears its hash. */
function addressHashes(input: RecipientInput) {
  const hash = (value: string | null | undefined) =>
    value === undefined ? undefined : value === null ? null : addressHash(value);
  return { phoneHash: hash(input.phone), emailHash: hash(input.email), faxHash: hash(input.fax) };
}
