import { setTimeout as sleep } from 'node:timers/promises';
import type postgres from 'postgres';

/**
 * Waits until the hub has nothing left to do now: no due or running jobs and no events
 * waiting for the relay. Bounded, so a stuck hub cannot hold the bench forever.
 */
export async function waitUntilIdle(sql: postgres.Sql, timeoutMs = 180_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const [row] = await sql<{ jobs: number; events: number }[]>`
      select (select count(*)::int from pgboss.job
               where state in ('created', 'retry', 'active') and start_after <= now()) as jobs,
             (select count(*)::int from event_relay where attempts < 5) as events`;
    if (row.jobs === 0 && row.events === 0) return true;
    await sleep(250);
  }
  return false;
}
