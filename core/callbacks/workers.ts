import type { JobWithMetadata } from 'pg-boss';
import { startJobPool, type StopJobPool } from '../queue/job-pool.ts';
import { queueNames } from '../queue/queue.ts';
import type { HubServices } from '../services.ts';
import {
  deliverCallback, deliveredWrites, loadDeliveries, type DeliveredWrites, type LoadedDelivery,
} from './deliver.ts';
import { deliveryIdsOf, type DeliveryJob } from './deliveries.ts';

/**
 * Starts delivering callbacks: `callbacks.concurrency` jobs at once, each attempting its
 * deliveries one after another, so an endpoint that is slow to answer (up to the timeout)
 * holds up only its own deliveries and the host receives a job's events in order. Jobs of
 * one endpoint share a group, and this process runs at most `perEndpointConcurrency` of a
 * group at once. Returns the stop function, which waits for the deliveries in hand.
 */
export function startCallbackWorkers(services: HubServices): StopJobPool {
  const { callbacks, queue } = services.config;
  const delivered = deliveredWrites(services.database.db);
  return startJobPool(services.queue.boss, {
    queue: queueNames.callbackDelivery,
    concurrency: callbacks.concurrency,
    localGroupConcurrency: callbacks.perEndpointConcurrency,
    pollingIntervalSeconds: queue.pollingIntervalSeconds,
    prepare: (jobs: JobWithMetadata<DeliveryJob>[]) =>
      loadDeliveries(services, jobs.flatMap((job) => deliveryIdsOf(job.data))),
    run: (job, deliveries) => attemptAll(services, job, deliveries, delivered),
  }, services.log);
}

/**
 * Attempts a job's deliveries in order. Each post waits for the one before it, not for its
 * record: the records of many posts then go to the database together, where one each cost
 * more than the post. The job ends when they are all written. One that throws (the hub's own
 * trouble, not the host's answer) does not stop the others; the job then fails, and its rerun
 * attempts again every delivery still pending, which the host may see twice, under the same
 * `webhook-id`.
 */
async function attemptAll(
  services: HubServices,
  job: JobWithMetadata<DeliveryJob>,
  deliveries: Map<string, LoadedDelivery>,
  delivered: DeliveredWrites,
): Promise<void> {
  let failure: unknown;
  const records: Promise<void>[] = [];
  for (const deliveryId of deliveryIdsOf(job.data)) {
    const log = services.log.child({ jobId: job.id, deliveryId });
    const failed = (error: unknown) => {
      log.error({ err: error }, 'callback attempt failed');
      failure ??= error;
    };
    await deliverCallback(services, deliveries.get(deliveryId), delivered, log).then(
      ({ recorded }) => records.push(recorded.catch(failed)),
      failed,
    );
  }

  await Promise.all(records);
  if (failure) throw failure;
}
