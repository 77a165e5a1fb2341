import { and, eq, sql } from 'drizzle-orm';
import { fromDrizzle } from 'pg-boss';
import { isAnyOf } from '../db/any-of.ts';
import { duePriority } from '../queue/due-order.ts';
import { queueNames } from '../queue/queue.ts';
import type { HubServices } from '../services.ts';
import type { EventConsumer, RelayTx } from './relay.ts';
import { callbackDeliveries, callbackEndpoints } from './tables.ts';

/**
 * What a delivery job carries: ids only. One job attempts several deliveries of one endpoint,
 * in order; a job queued by an earlier version of the hub carries a single `deliveryId`.
 */
export interface DeliveryJob {
  deliveryIds?: string[];
  deliveryId?: string;
}

/** The deliveries a job attempts, in order. */
export function deliveryIdsOf(job: DeliveryJob): string[] {
  return job.deliveryIds ?? (job.deliveryId ? [job.deliveryId] : []);
}

/**
 * Most deliveries one job attempts. Each job costs the queue an insert, a fetch and a
 * completion, so a batch of events shares them; a small batch still lets an endpoint's
 * deliveries run on several of its places at once, and its attempts, one after another,
 * stay within the job's expiry even when every one of them times out.
 */
const deliveriesPerJob = 10;

export interface QueuedDelivery {
  id: string;
  endpointId: string;
}

/**
 * Consumes every event: one delivery per enabled endpoint of the account that wants the
 * event's type, each with a job to make the first attempt now.
 */
export const queueDeliveries: EventConsumer = async (tx, services, events) => {
  const accountIds = [...new Set(events.map((event) => event.accountId))];
  const endpoints = await tx.select().from(callbackEndpoints).where(and(
    isAnyOf(callbackEndpoints.accountId, accountIds, 'text'), eq(callbackEndpoints.enabled, true),
  ));
  if (endpoints.length === 0) return;

  const rows = events.flatMap((event) => endpoints
    .filter((endpoint) => endpoint.accountId === event.accountId)
    .filter((endpoint) => endpoint.eventTypes.includes(event.type))
    .map((endpoint) => ({
      endpoint_id: endpoint.id, account_id: event.accountId, event_id: event.id,
    })));
  if (rows.length === 0) return;

  const deliveries = await insertDeliveries(tx, rows, services.clock());
  await queueAttempts(tx, services, deliveries, 0);
};

/**
 * Inserts deliveries, all in one statement whose text is the same for any number of them,
 * so it stays prepared; returns them in the order given.
 */
async function insertDeliveries(
  tx: RelayTx,
  rows: Array<{ endpoint_id: string; account_id: string; event_id: string }>,
  at: Date,
): Promise<QueuedDelivery[]> {
  const time = at.toISOString();
  const inserted = await tx.execute<{ id: string; endpoint_id: string }>(sql`
    insert into ${callbackDeliveries}
      (endpoint_id, account_id, event_id, next_attempt_at, created_at, updated_at)
    select d.endpoint_id, d.account_id, d.event_id, ${time}, ${time}, ${time}
      from rows from (jsonb_to_recordset(${JSON.stringify(rows)}::jsonb)
             as (endpoint_id text, account_id text, event_id uuid))
           with ordinality as d(endpoint_id, account_id, event_id, n)
     order by d.n
    returning id, endpoint_id`);
  return inserted.map((row) => ({ id: row.id, endpointId: row.endpoint_id }));
}

/**
 * Queues the next attempt of each delivery, after `delaySeconds`, in jobs of up to
 * `deliveriesPerJob` deliveries of one endpoint. Jobs of one endpoint share a group, which
 * caps how many of them one worker runs at once (callbacks.perEndpointConcurrency).
 */
export async function queueAttempts(
  tx: RelayTx,
  services: HubServices,
  deliveries: QueuedDelivery[],
  delaySeconds: number,
): Promise<void> {
  const byEndpoint = Map.groupBy(deliveries, (delivery) => delivery.endpointId);
  const jobs = [...byEndpoint].flatMap(([endpointId, ofEndpoint]) =>
    chunks(ofEndpoint.map((delivery) => delivery.id), deliveriesPerJob).map((deliveryIds) => ({
      data: { deliveryIds } satisfies DeliveryJob,
      startAfter: delaySeconds,
      priority: duePriority(delaySeconds, Date.now()),
      group: { id: endpointId },
    })));
  await services.queue.boss.insert(queueNames.callbackDelivery, jobs, {
    db: fromDrizzle(tx, sql),
  });
}

function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let start = 0; start < items.length; start += size) {
    out.push(items.slice(start, start + size));
  }
  return out;
}
