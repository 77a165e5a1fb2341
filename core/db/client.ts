import { fileURLToPath } from 'node:url';
import { drizzle, type PostgresJsDatabase } from 'drizzle-orm/postgres-js';
import { migrate } from 'drizzle-orm/postgres-js/migrator';
import type postgres from 'postgres';
import type { Logger } from '../log.ts';
import { openPostgres } from './connection-url.ts';
import * as schema from './schema.ts';

export type Database = PostgresJsDatabase<typeof schema>;
export type Sql = postgres.Sql;

export interface DatabaseConnection {
  sql: Sql;
  db: Database;
  close(): Promise<void>;
}

const migrationsFolder = fileURLToPath(new URL('./migrations', import.meta.url));

/** An arbitrary number that names the hub's migration lock among advisory locks. */
const migrationLockId = 7_214_903;

export interface DatabaseSettings {
  poolSize: number;
  preparedStatements: boolean;
}

export function connectDatabase(
  url: string,
  settings: DatabaseSettings,
  log: Logger,
): DatabaseConnection {
  const sql = openPostgres(url, {
    max: settings.poolSize,
    prepare: settings.preparedStatements,
    onnotice: (notice) => log.debug({ code: notice.code }, 'database notice'),
    connection: { application_name: 'messaging-hub' },
  });
  const db = drizzle(settings.preparedStatements ? preparing(sql) : sql, { schema });

  let closed = false;
  return {
    sql,
    db,
    async close() {
      if (closed) return;
      closed = true;
      await sql.end({ timeout: 5 });
    },
  };
}

/**
 * Statements with at most this many parameters are prepared. A statement that takes a list
 * of ids has a text of its own for each length of the list, each kept on every connection
 * once prepared; past this length they are left unprepared. They run once per batch, so
 * their parsing is spread over many rows anyway.
 */
const preparedParameterLimit = 40;

/**
 * The client drizzle is given: drizzle sends every query it builds unprepared, so PostgreSQL
 * parses and plans each one again, which on the hub's hot path cost half as much as running
 * them. Here its queries are prepared (once per connection, by their text), in transactions
 * and savepoints too.
 */
function preparing(sql: Sql): Sql {
  return new Proxy(sql, {
    get(target, key, receiver) {
      if (key === 'unsafe') {
        return (query: string, params: unknown[] = [], options: object = {}) =>
          target.unsafe(query, params as never[], {
            ...options, prepare: params.length > 0 && params.length <= preparedParameterLimit,
          });
      }
      if (key === 'begin' || key === 'savepoint') {
        return (...args: unknown[]) => {
          const work = args.pop() as (inner: Sql) => unknown;
          const method = Reflect.get(target, key, target) as (...a: unknown[]) => unknown;
          return method.call(target, ...args, (inner: Sql) => work(preparing(inner)));
        };
      }
      return Reflect.get(target, key, receiver);
    },
  });
}

/**
 * Applies the committed migrations. Several hub processes may start at once against one
 * database, so they take turns under an advisory lock.
 */
export async function applyMigrations(connection: DatabaseConnection, log: Logger): Promise<void> {
  const lock = await connection.sql.reserve();
  try {
    await lock`select pg_advisory_lock(${migrationLockId})`;
    await migrate(connection.db, { migrationsFolder });
  } finally {
    await lock`select pg_advisory_unlock(${migrationLockId})`;
    lock.release();
  }
  log.info('database migrations applied');
}
