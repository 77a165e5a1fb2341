import { randomBytes } from 'node:crypto';
import type postgres from 'postgres';
import { openPostgres } from '../core/db/connection-url.ts';
import { dropDatabase, replaceDatabase } from '../test/support/database.ts';

export interface BenchDatabase {
  url: string;
  /** A small pool for the bench's own reads and the backlog's inserts. */
  sql: postgres.Sql;
  drop(): Promise<void>;
}

/** Creates a fresh database of the bench's own beside whatever else the server holds. */
export async function createBenchDatabase(adminUrl: string): Promise<BenchDatabase> {
  const name = `hub_bench_${randomBytes(4).toString('hex')}`;
  const admin = openPostgres(adminUrl, { max: 1, onnotice: () => {} });
  try {
    await admin`create database ${admin(name)}`;
  } finally {
    await admin.end();
  }

  const url = replaceDatabase(adminUrl, name);
  const sql = openPostgres(url, { max: 4, onnotice: () => {} });
  return {
    url,
    sql,
    async drop() {
      await sql.end({ timeout: 5 });
      await dropDatabase(adminUrl, name);
    },
  };
}
