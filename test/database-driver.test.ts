import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPostgres } from '../core/db/connection-url.ts';
import { createTestDatabase, type TestDatabase } from './support/database.ts';

let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase();
});

afterAll(async () => {
  await database?.drop();
});

/** A pool of `max` connections, each taking `maxPipeline` queries behind the one running. */
function pool(max: number, maxPipeline: number) {
  // postgres.js reads `max_pipeline`, though its types leave it out.
  const options = { max, max_pipeline: maxPipeline, onnotice: () => {} };
  return openPostgres(database.url, options);
}

/**
 * The hub's database driver pipelines queries onto busy connections; these give each of two
 * connections room for a single query behind the one running, so a transaction's BEGIN sent
 * to a busy connection fills its pipeline.
 */
describe('transactions on a busy connection', () => {
  it('keeps a transaction to itself when its BEGIN fills the pipeline', async () => {
    const sql = pool(2, 1);
    try {
      // Both connections open, then both busy: the BEGIN waits behind a running query.
      await Promise.all([sql`select 1`.execute(), sql`select 1`.execute()]);
      const slow = [sql`select pg_sleep(0.2)`.execute(), sql`select pg_sleep(0.2)`.execute()];
      const inside = sql.begin(async (tx) => {
        const [row] = await tx<{ id: string }[]>`select txid_current()::text as id`;
        return row.id;
      });
      await Promise.all(slow);
      const transaction = await inside;

      // Outside it, each statement runs in a transaction of its own.
      const [first] = await sql<{ id: string }[]>`select txid_current()::text as id`;
      const [second] = await sql<{ id: string }[]>`select txid_current()::text as id`;
      expect(new Set([transaction, first.id, second.id]).size).toBe(3);
    } finally {
      await sql.end({ timeout: 5 });
    }
  });

  it('runs many transactions and plain queries side by side on few connections', async () => {
    const sql = pool(2, 1);
    try {
      await sql`create table counters (id int primary key, value int not null)`;
      await sql`insert into counters values (1, 0)`;
      const work = Array.from({ length: 60 }, (_, index) => index % 3 === 0
        ? sql`select pg_sleep(0.01)`.execute().then(() => undefined)
        : sql.begin(async (tx) => {
          await tx`update counters set value = value + 1 where id = 1`;
        }));
      await Promise.all(work);

      const [row] = await sql<{ value: number }[]>`select value from counters where id = 1`;
      expect(row.value).toBe(40);
      const [open] = await sql<{ open: number }[]>`
        select count(*)::int as open from pg_stat_activity
         where datname = current_database() and state = 'idle in transaction'`;
      expect(open.open).toBe(0);
    } finally {
      await sql.end({ timeout: 5 });
    }
  });
});
