import type { JobWithMetadata } from 'pg-boss';
import { startJobPool, type StopJobPool } from '../queue/job-pool.ts';
import { queueNames } from '../queue/queue.ts';
import type { HubServices } from '../services.ts';
import { processReply, type ReplyJob } from './process.ts';

/** Replies read at once by one process; each takes a few queries and perhaps an answer. */
const concurrency = 16;

/**
 * Starts reading replies. Each job's group is its sender, and a group runs one job at a time
 * across every worker, so one person's replies (a STOP, then a START) are read in order.
 * Returns the stop function, which waits for the replies in hand.
 */
export function startReplyWorkers(services: HubServices): StopJobPool {
  return startJobPool(services.queue.boss, {
    queue: queueNames.inbound,
    concurrency,
    groupConcurrency: 1,
    pollingIntervalSeconds: services.config.queue.pollingIntervalSeconds,
    // A reply's job reads its own rows: replies are few next to callbacks.
    prepare: async () => undefined,
    run: async (job: JobWithMetadata<ReplyJob>) => {
      const log = services.log.child({ jobId: job.id, messageId: job.data.messageId });
      await processReply(services, job.data, log);
    },
  }, services.log);
}
