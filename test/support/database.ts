import { randomBytes } from 'node:crypto';
import type postgres from 'postgres';
import { openPostgres } from '../../core/db/connection-url.ts';

export interface TestDatabase {
  /** `postgres://` URL of a fresh, empty database of its own. */
  url: string;
  /** Ends every connection to the database and drops it; a second call waits for the first. */
  drop(): Promise<void>;
}

/** What every test database's name starts with; the global set-up narrows it to its run. */
export const TEST_DATABASE_PREFIX = 'hub_test_';

const MISSING_ADMIN_URL = 'TEST_DATABASE_ADMIN_URL is not set: run the tests through vitest, '
  + 'whose global set-up finds or starts a PostgreSQL server and sets it.';

/**
 * Creates a uniquely named database on the test server, so that test files running in
 * parallel never see each other's rows. Call it once per file, in `beforeAll`.
 */
export async function createTestDatabase(): Promise<TestDatabase> {
  const adminUrl = process.env.TEST_DATABASE_ADMIN_URL;
  if (!adminUrl) throw new Error(MISSING_ADMIN_URL);

  const prefix = process.env.TEST_DATABASE_RUN_PREFIX ?? TEST_DATABASE_PREFIX;
  const name = `${prefix}${randomBytes(5).toString('hex')}`;
  await withAdmin(adminUrl, (sql) => sql`create database ${sql(name)}`);

  let dropping: Promise<void> | undefined;
  return {
    url: replaceDatabase(adminUrl, name),
    drop: () => (dropping ??= dropDatabase(adminUrl, name)),
  };
}

export async function dropDatabase(adminUrl: string, name: string): Promise<void> {
  await withAdmin(adminUrl, async (sql) => {
    await sql`
      select pg_terminate_backend(pid) from pg_stat_activity
      where datname = ${name} and pid <> pg_backend_pid()
    `;
    // FORCE also ends a connection that a pool opened between the two statements.
    await sql`drop database if exists ${sql(name)} with (force)`;
  });
}

/** Names of the test databases whose name starts with `prefix`. */
export async function listTestDatabases(adminUrl: string, prefix: string): Promise<string[]> {
  const rows = await withAdmin(adminUrl, (sql) => sql<{ datname: string }[]>`
    select datname from pg_database where starts_with(datname, ${prefix})
  `);
  return rows.map((row) => row.datname);
}

export function replaceDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

async function withAdmin<T>(adminUrl: string, work: (sql: postgres.Sql) => Promise<T>): Promise<T> {
  const sql = openPostgres(adminUrl, { max: 1, onnotice: () => {} });

  try {
    return await work(sql);
  } finally {
    await sql.end();
  }
}
