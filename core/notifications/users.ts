import { and, eq } from 'drizzle-orm';
import type { Database } from '../db/client.ts';
import { HubError } from '../errors.ts';
import { defaultNotificationSettings, type NotificationSettings } from './settings.ts';
import { users } from './tables.ts';

export type User = typeof users.$inferSelect;

export interface UserInput {
  email: string;
  name?: string | null;
  timeZone?: string | null;
  notifications?: Partial<NotificationSettings>;
}

/** The staff users of the accounts, by the host's own reference. */
export class UserStore {
  readonly #db: Database;

  constructor(db: Database) {
    this.#db = db;
  }

  /**
   * Creates or updates a user. Notification settings not given keep their current value
   * (the defaults for a new user); a change applies to events from now on.
   */
  async upsert(accountId: string, ref: string, input: UserInput, at: Date) {
    const current = await this.find(accountId, ref);
    const notifications = {
      ...(current?.notifications ?? defaultNotificationSettings), ...input.notifications,
    };
    const values = {
      email: input.email,
      name: input.name ?? null,
      timeZone: input.timeZone ?? null,
      notifications,
      updatedAt: at,
    };

    const [row] = await this.#db.insert(users)
      .values({ accountId, ref, ...values, createdAt: at })
      .onConflictDoUpdate({ target: [users.accountId, users.ref], set: values })
      .returning();
    return { user: row, created: !current };
  }

  async find(accountId: string, ref: string): Promise<User | undefined> {
    const [row] = await this.#db.select().from(users)
      .where(and(eq(users.accountId, accountId), eq(users.ref, ref)));
    return row;
  }

  async get(accountId: string, ref: string): Promise<User> {
    const user = await this.find(accountId, ref);
    if (!user) throw new HubError('not_found', { message: 'No such user.' });
    return user;
  }

  /** Removes the user; events not yet told of are forgotten with them. */
  async remove(accountId: string, ref: string): Promise<void> {
    const removed = await this.#db.delete(users)
      .where(and(eq(users.accountId, accountId), eq(users.ref, ref)))
      .returning({ id: users.id });
    if (removed.length === 0) throw new HubError('not_found', { message: 'No such user.' });
  }
}
