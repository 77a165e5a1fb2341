import { and, eq, inArray } from 'drizzle-orm';
import { fromDrizzle } from 'pg-boss';
import { sql } from 'drizzle-orm';
import { queueNames } from '../queue/queue.ts';
import type { HubServices } from '../services.ts';
import type { EventConsumer, RelayTx } from './relay.ts';
import { callbackDeliveries, callbackEndpoints } from './tables.ts';

/** What a delivery job carries: ids only. */
export interface DeliveryJob {
  deliveryId: string;
}

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
    inArray(callbackEndpoints.accountId, accountIds), eq(callbackEndpoints.enabled, true),
  ));
  if (endpoints.length === 0) return;

  const at = services.clock();
  const rows = events.flatMap((event) => endpoints
    .filter((endpoint) => endpoint.accountId === event.accountId)
    .filter((endpoint) => endpoint.eventTypes.includes(event.type))
    .map((endpoint) => ({
      endpointId: endpoint.id, accountId: event.accountId, eventId: event.id,
      nextAttemptAt: at, createdAt: at, updatedAt: at,
    })));
  if (rows.length === 0) return;

  const deliveries = await tx.insert(callbackDeliveries).values(rows)
    .returning({ id: callbackDeliveries.id, endpointId: callbackDeliveries.endpointId });
  await queueAttempts(tx, services, deliveries, 0);
};

/**
 * Queues the next attempt of each delivery, after `delaySeconds`. Jobs of one endpoint share
 * a group, which caps how many of them one worker runs at once (callbacks.perEndpointConcurrency).
 */
export async function queueAttempts(
  tx: RelayTx,
  services: HubServices,
  deliveries: QueuedDelivery[],
  delaySeconds: number,
): Promise<void> {
  const jobs = deliveries.map((delivery) => ({
    data: { deliveryId: delivery.id } satisfies DeliveryJob,
    startAfter: delaySeconds,
    group: { id: delivery.endpointId },
  }));
  await services.queue.boss.insert(queueNames.callbackDelivery, jobs, {
    db: fromDrizzle(tx, sql),
  });
}
