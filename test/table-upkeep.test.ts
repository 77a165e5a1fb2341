import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startTestHub, type TestHub } from './support/hub.ts';

let testHub: TestHub;

beforeAll(async () => {
  testHub = await startTestHub();
});

afterAll(async () => {
  const { sql } = testHub.hub.services.database;
  await sql`drop table if exists upkeep_probe`;
});

describe('table upkeep', () => {
  it('vacuums a table of the hub once thousands of its rows are dead', async () => {
    const { sql } = testHub.hub.services.database;
    await sql`create table upkeep_probe (id int primary key, note text)`;
    await sql`insert into upkeep_probe select n, 'first' from generate_series(1, 5000) n`;
    await sql`update upkeep_probe set note = 'second'`;

    const tidied = await eventually(async () => {
      const [row] = await sql<{ vacuumed: Date | null; dead: number }[]>`
        select last_vacuum as vacuumed, n_dead_tup::int as dead
          from pg_stat_user_tables where relname = 'upkeep_probe'`;
      return row?.vacuumed ? row : undefined;
    }, 40_000);

    expect(tidied.dead).toBe(0);
  }, 60_000);
});
