import { queueNames } from '../queue/queue.ts';
import type { HubServices } from '../services.ts';
import { hubMetrics } from './hub-metrics.ts';

interface QueueRow {
  name: string;
  due: number;
  scheduled: number;
  active: number;
  oldest_due_seconds: number;
}

/**
 * Reads the job table at scrape time, so the gauges say how the queues stand now, across all
 * the hub's processes. pg-boss's own queue counts are refreshed by its monitor and lag behind.
 * Job states below `active` (created, retry) are waiting; `start_after` tells due from later.
 */
export async function refreshQueueGauges(services: HubServices): Promise<void> {
  const { sql } = services.database;
  const names = Object.values(queueNames) as string[];

  const rows = await sql<QueueRow[]>`
    select name,
           count(*) filter (where state < 'active' and start_after <= now())::int as due,
           count(*) filter (where state < 'active' and start_after > now())::int as scheduled,
           count(*) filter (where state = 'active')::int as active,
           coalesce(extract(epoch from now() - min(start_after)
             filter (where state < 'active' and start_after <= now())), 0)::float8
             as oldest_due_seconds
      from ${sql(services.config.queue.schema)}.job
     where name in ${sql(names)} and state <= 'active'
     group by name`;

  const byName = new Map(rows.map((row) => [row.name, row]));
  for (const queue of names) {
    const row = byName.get(queue);
    hubMetrics.queueDepth.set({ queue }, row?.due ?? 0);
    hubMetrics.queueScheduled.set({ queue }, row?.scheduled ?? 0);
    hubMetrics.queueActive.set({ queue }, row?.active ?? 0);
    hubMetrics.queueOldestDue.set({ queue }, row?.oldest_due_seconds ?? 0);
  }
}
