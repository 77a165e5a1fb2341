import { fileURLToPath } from 'node:url';
import { drizzle, type PostgresJsDatabase } from 'drizzle-orm/postgres-js';
import { migrate } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';
import type { Logger } from '../log.ts';
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

export function connectDatabase(url: string, poolSize: number, log: Logger): DatabaseConnection {
  const sql = postgres(url, {
    max: poolSize,
    onnotice: (notice) => log.debug({ code: notice.code }, 'database notice'),
    connection: { application_name: 'messaging-hub' },
  });
  const db = drizzle(sql, { schema });

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
