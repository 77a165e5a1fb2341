import type { JobWithMetadata } from 'pg-boss';
import { queueNames } from '../queue/queue.ts';
import type { HubServices } from '../services.ts';
import { processReply, type ReplyJob } from './process.ts';

/**
 * Starts the reply workers. Each job's group is its sender, and a group runs one job at a
 * time across every worker, so one person's replies are read one after another.
 */
export async function startReplyWorkers(services: HubServices): Promise<void> {
  const { queue } = services.config;
  const options = {
    batchSize: 1,
    localConcurrency: 4,
    groupConcurrency: 1,
    pollingIntervalSeconds: queue.pollingIntervalSeconds,
    notifyPollingIntervalSeconds: queue.pollingIntervalSeconds,
    includeMetadata: true,
  } as const;

  await services.queue.boss.work(queueNames.inbound, options,
    async ([job]: JobWithMetadata<ReplyJob>[]) => {
      const log = services.log.child({ jobId: job.id, messageId: job.data.messageId });
      await processReply(services, job.data, log);
    });
}
