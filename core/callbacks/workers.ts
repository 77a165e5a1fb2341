import type { JobWithMetadata } from 'pg-boss';
import { queueNames } from '../queue/queue.ts';
import type { HubServices } from '../services.ts';
import { deliverCallback } from './deliver.ts';
import type { DeliveryJob } from './deliveries.ts';

/**
 * Starts the callback workers: several at once, one job each, so an endpoint that is slow
 * to answer (up to the timeout) holds up only its own deliveries. Jobs of one endpoint share
 * a group, and one worker process runs at most `perEndpointConcurrency` of a group at once.
 */
export async function startCallbackWorkers(services: HubServices): Promise<void> {
  const { callbacks, queue } = services.config;
  const options = {
    batchSize: 1,
    localConcurrency: callbacks.concurrency,
    localGroupConcurrency: callbacks.perEndpointConcurrency,
    pollingIntervalSeconds: queue.pollingIntervalSeconds,
    notifyPollingIntervalSeconds: queue.pollingIntervalSeconds,
    includeMetadata: true,
  } as const;

  await services.queue.boss.work(queueNames.callbackDelivery, options,
    async ([job]: JobWithMetadata<DeliveryJob>[]) => {
      const log = services.log.child({ jobId: job.id, deliveryId: job.data.deliveryId });
      await deliverCallback(services, job.data.deliveryId, log);
    });
}
