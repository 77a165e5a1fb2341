import { AsyncLocalStorage } from 'node:async_hooks';
import { and, eq, getTableColumns, isNull, sql } from 'drizzle-orm';
import { isAnyOf } from '../db/any-of.ts';
import type { Database } from '../db/client.ts';
import { accounts, apiKeys } from '../db/schema.ts';
import { HubError } from '../errors.ts';
import type { Caller } from '../http/env.ts';
import { generateId, generateKey, hashKey, sameSecret } from './keys.ts';
import {
  accountSettingsPatchSchema, resolveSettings, type AccountSettings, type AccountSettingsPatch,
} from './settings.ts';

export interface Account {
  id: string;
  name: string;
  /** The settings in force: the account's own over the config's defaults. */
  settings: AccountSettings;
  /** Only what the account set itself. */
  own: AccountSettingsPatch;
  createdAt: Date;
}

export interface IssuedKey {
  id: string;
  key: string;
  label: string | null;
  createdAt: Date;
}

/** An account key as listed: never its secret, which is not kept. */
export interface KeyListing {
  id: string;
  label: string | null;
  createdAt: Date;
  revokedAt: Date | null;
}

/**
 * Accounts, their settings and their keys. Within `withinRequest`, each account is read once:
 * the key's own account comes with the key, and later reads of the request reuse it, so an
 * API request sees one version of its account from start to end.
 */
export class AccountStore {
  readonly #db: Database;
  readonly #defaults: AccountSettings;
  readonly #adminKey: string;
  readonly #requestAccounts = new AsyncLocalStorage<Map<string, Account>>();

  /** The look-up of every request's key, built once rather than for each request. */
  readonly #keyLookup;

  constructor(db: Database, defaults: AccountSettings, adminKey: string) {
    this.#db = db;
    this.#defaults = defaults;
    this.#adminKey = adminKey;
    this.#keyLookup = db.select({ keyId: apiKeys.id, account: getTableColumns(accounts) })
      .from(apiKeys)
      .innerJoin(accounts, eq(accounts.id, apiKeys.accountId))
      .where(and(eq(apiKeys.hash, sql.placeholder('hash')), isNull(apiKeys.revokedAt)))
      .prepare('api_key_lookup');
  }

  /** Runs one API request, with the accounts it reads kept until it ends. */
  withinRequest<T>(work: () => Promise<T>): Promise<T> {
    return this.#requestAccounts.run(new Map(), work);
  }

  async create(input: { id?: string; name: string; settings?: AccountSettingsPatch }) {
    const id = input.id ?? generateId('acc');
    const rows = await this.#db.insert(accounts)
      .values({ id, name: input.name, settings: input.settings ?? {} })
      .onConflictDoNothing()
      .returning();
    if (rows.length === 0) throw new HubError('conflict', { message: 'The account exists.' });

    return this.#toAccount(rows[0]);
  }

  /** Creates or updates an account declared in the config. */
  async declare(input: { id: string; name: string; settings: AccountSettingsPatch }) {
    await this.#db.insert(accounts)
      .values(input)
      .onConflictDoUpdate({
        target: accounts.id,
        set: { name: input.name, settings: input.settings, updatedAt: new Date() },
      });
  }

  async find(id: string): Promise<Account | undefined> {
    const known = this.#requestAccounts.getStore()?.get(id);
    if (known) return known;

    const [row] = await this.#db.select().from(accounts).where(eq(accounts.id, id));
    return row && this.#remember(this.#toAccount(row));
  }

  /** Several accounts in one query, by id; ids the hub does not know are left out. */
  async findMany(ids: string[]): Promise<Map<string, Account>> {
    const rows = ids.length === 0
      ? []
      : await this.#db.select().from(accounts).where(isAnyOf(accounts.id, ids, 'text'));
    return new Map(rows.map((row) => [row.id, this.#toAccount(row)]));
  }

  async get(id: string): Promise<Account> {
    const account = await this.find(id);
    if (!account) throw new HubError('not_found', { message: 'No such account.' });
    return account;
  }

  async list(): Promise<Account[]> {
    const rows = await this.#db.select().from(accounts).orderBy(accounts.createdAt);
    return rows.map((row) => this.#toAccount(row));
  }

  async update(id: string, patch: { name?: string; settings?: AccountSettingsPatch }) {
    const current = await this.get(id);
    const settings = { ...current.own, ...patch.settings };

    const [row] = await this.#db.update(accounts)
      .set({ name: patch.name ?? current.name, settings, updatedAt: new Date() })
      .where(eq(accounts.id, id))
      .returning();
    return this.#remember(this.#toAccount(row));
  }

  async issueKey(accountId: string, label?: string): Promise<IssuedKey> {
    await this.get(accountId);

    const key = generateKey('hub');
    const [row] = await this.#db.insert(apiKeys)
      .values({ id: generateId('key'), accountId, hash: hashKey(key), label: label ?? null })
      .returning();
    return { id: row.id, key, label: row.label, createdAt: row.createdAt };
  }

  async listKeys(accountId: string): Promise<KeyListing[]> {
    await this.get(accountId);

    return this.#db.select({
      id: apiKeys.id, label: apiKeys.label,
      createdAt: apiKeys.createdAt, revokedAt: apiKeys.revokedAt,
    }).from(apiKeys)
      .where(eq(apiKeys.accountId, accountId))
      .orderBy(apiKeys.createdAt, apiKeys.id);
  }

  /** Revokes a key at once: the next request with it is refused. Revoking twice is fine. */
  async revokeKey(accountId: string, keyId: string): Promise<KeyListing> {
    const where = and(eq(apiKeys.accountId, accountId), eq(apiKeys.id, keyId));
    await this.#db.update(apiKeys)
      .set({ revokedAt: new Date() })
      .where(and(where, isNull(apiKeys.revokedAt)));

    const [row] = await this.#db.select().from(apiKeys).where(where);
    if (!row) throw new HubError('not_found', { message: 'No such key.' });
    return { id: row.id, label: row.label, createdAt: row.createdAt, revokedAt: row.revokedAt };
  }

  /**
   * Who a bearer key belongs to, or undefined for an unknown or revoked key. The admin key is
   * compared in constant time; account keys are found by their SHA-256, so the database
   * compares digests, and how long that takes says nothing about the secret.
   */
  async authenticate(key: string): Promise<Caller | undefined> {
    if (this.#adminKey && sameSecret(key, this.#adminKey)) return { kind: 'admin' };

    const [row] = await this.#keyLookup.execute({ hash: hashKey(key) });
    if (!row) return undefined;

    this.#remember(this.#toAccount(row.account));
    return { kind: 'account', accountId: row.account.id, keyId: row.keyId };
  }

  #remember(account: Account): Account {
    this.#requestAccounts.getStore()?.set(account.id, account);
    return account;
  }

  #toAccount(row: typeof accounts.$inferSelect): Account {
    const own = accountSettingsPatchSchema.parse(row.settings);
    return {
      id: row.id,
      name: row.name,
      settings: resolveSettings(this.#defaults, own),
      own,
      createdAt: row.createdAt,
    };
  }
}
