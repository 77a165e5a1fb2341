import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '../log.ts';
import type { Sql } from './client.ts';

/**
 * Every job leaves two dead row versions behind (created, then active, then completed), and
 * so does every status change of a message. Until VACUUM clears them, each fetch of the next
 * jobs walks past their index entries: with a few minutes of churn a fetch costs ten times
 * what it does on a clean table. PostgreSQL's autovacuum waits until a fifth of a table is
 * dead, and may be switched off, so the hub looks after its busiest tables itself.
 */
const intervalMs = 5_000;

/** Dead rows beyond this plus the fraction of live ones make a table due for VACUUM. */
const deadRows = { floor: 2_000, fraction: 0.02 };

/** Changes since the last ANALYZE beyond this make a table due for fresh planner statistics. */
const changedRows = { floor: 10_000, fraction: 0.1 };

/** How long a stop waits for the round in hand; closing the database ends a longer VACUUM. */
const stopWaitMs = 2_000;

interface TableStats {
  schema: string;
  name: string;
  dead: boolean;
  changed: boolean;
}

/**
 * Vacuums and analyzes the tables of the given schemas that churned since the last round,
 * every few seconds, until stopped. Several workers on one database may do so at once: each
 * skips a table another one is vacuuming. Returns the stop function, which waits a moment
 * for the round in hand: a VACUUM cut short by closing the database leaves nothing undone
 * that the next one will not do.
 */
export function startTableUpkeep(sql: Sql, schemas: string[], log: Logger): () => Promise<void> {
  const stopping = new AbortController();
  const upkeepLog = log.child({ worker: 'table-upkeep' });

  const loop = (async () => {
    while (!stopping.signal.aborted) {
      await sleep(intervalMs, undefined, { signal: stopping.signal }).catch(() => undefined);
      await upkeepRound(sql, schemas, stopping.signal, upkeepLog).catch((error: unknown) => {
        upkeepLog.warn({ err: error }, 'table upkeep failed; trying again next round');
      });
    }
  })();

  return async () => {
    stopping.abort();
    await Promise.race([loop, sleep(stopWaitMs)]);
  };
}

async function upkeepRound(sql: Sql, schemas: string[], signal: AbortSignal, log: Logger) {
  if (signal.aborted) return;
  for (const table of await dueTables(sql, schemas)) {
    if (signal.aborted) return;
    await tidy(sql, table, log);
  }
}

async function dueTables(sql: Sql, schemas: string[]): Promise<TableStats[]> {
  return sql<TableStats[]>`
    select schema, name, dead, changed from (
      select schemaname as schema, relname as name,
             n_dead_tup > ${deadRows.floor}::float8 + ${deadRows.fraction}::float8 * n_live_tup
               as dead,
             n_mod_since_analyze
               > ${changedRows.floor}::float8 + ${changedRows.fraction}::float8 * n_live_tup
               as changed
        from pg_stat_user_tables
       where schemaname = any(${schemas})
    ) tables
     where dead or changed`;
}

/**
 * VACUUM runs outside a transaction, as every statement on the pool does here. It skips a
 * table another process holds for VACUUM, and it leaves the table's size alone: giving back
 * the empty pages at its end takes a lock that stops every write to the table for a moment,
 * and a queue table fills them again soon.
 */
async function tidy(sql: Sql, table: TableStats, log: Logger): Promise<void> {
  const name = sql(`${table.schema}.${table.name}`);
  const analyze = sql.unsafe(String(table.changed));
  const started = performance.now();
  if (table.dead) await sql`vacuum (skip_locked, truncate false, analyze ${analyze}) ${name}`;
  else await sql`analyze (skip_locked) ${name}`;

  const ms = Math.round(performance.now() - started);
  log.debug({ table: `${table.schema}.${table.name}`, vacuumed: table.dead, ms }, 'table tidied');
}
