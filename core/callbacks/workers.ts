import type { JobWithMetadata } from 'pg-boss';
import { startJobPool, type StopJobPool } from '../queue/job-pool.ts';
import { queueNames } from '../queue/queue.ts';
import type { HubServices } from '../services.ts';
import { deliverCallback, deliveredWrites, loadDeliveries } from './deliver.ts';
import type { DeliveryJob } from './deliveries.ts';

/**
 * Starts delivering callbacks, `callbacks.concurrency` at once, each on its own, so an
 * endpoint that is slow to answer (up to the timeout) holds up only its own deliveries. Jobs
 * of one endpoint share a group, and this process runs at most `perEndpointConcurrency` of a
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
      loadDeliveries(services, jobs.map((job) => job.data.deliveryId)),
    run: async (job, deliveries) => {
      const log = services.log.child({ jobId: job.id, deliveryId: job.data.deliveryId });
      await deliverCallback(services, deliveries.get(job.data.deliveryId), delivered, log);
    },
  }, services.log);
}
