import type { JobResult, JobWithMetadata } from 'pg-boss';
import { queueNames } from '../queue/queue.ts';
import type { HubServices } from '../services.ts';
import { dispatchMessage, loadDispatchBatch, type DispatchJob } from './dispatch.ts';
import {
  applyStatusUpdates, loadReportedMessages, reportsOf, type StatusJob,
} from './provider-status.ts';

/** How often an idle status worker looks for retries that came due; new reports wake it. */
const reportPollingSeconds = 5;

/** A status for a send not yet recorded is retried this many times before it is dropped. */
const unknownMessageRetries = 5;

/**
 * Starts the message workers. Jobs are fetched in batches and settled one by one, so one slow
 * or failing message never holds back or fails the others in its batch.
 */
export async function startMessageWorkers(services: HubServices): Promise<void> {
  const { boss } = services.queue;
  const { queue } = services.config;
  const polling = {
    batchSize: queue.dispatchBatchSize,
    pollingIntervalSeconds: queue.pollingIntervalSeconds,
    // Notifications only announce new jobs; jobs that come due later (a future send time, a
    // retry) are found by polling, so the poll stays as short as a send may be late.
    notifyPollingIntervalSeconds: queue.pollingIntervalSeconds,
    burstWhenBatchFull: true,
    includeMetadata: true,
    perJobResults: true,
  } as const;

  await boss.work(queueNames.dispatch, polling, async (jobs: JobWithMetadata<DispatchJob>[]) => {
    const batch = await loadDispatchBatch(services, jobs);
    return Promise.all(jobs.map(async (job): Promise<JobResult> => {
      const outcome = await dispatchMessage(services, job, batch).catch((error: unknown) => {
        services.log.error({ err: error, jobId: job.id }, 'dispatch failed');
        return 'retry' as const;
      });
      return { id: job.id, status: outcome === 'done' ? 'completed' : 'failed' };
    }));
  });

  // A delivery report is announced when it arrives; only one that came before its send was
  // recorded waits for a retry, and may be picked up a few seconds late.
  const reports = { ...polling, notifyPollingIntervalSeconds: reportPollingSeconds };
  await boss.work(queueNames.status, reports, async (jobs: JobWithMetadata<StatusJob>[]) => {
    const known = await loadReportedMessages(services, jobs.flatMap((job) => reportsOf(job.data)));
    return Promise.all(jobs.map(async (job): Promise<JobResult> => {
      const log = services.log.child({ jobId: job.id });
      const outcomes = await applyStatusUpdates(services, reportsOf(job.data), known, log);
      // A rerun applies the job's reports again; those already applied are ignored then.
      const retry = outcomes.includes('error') || (outcomes.includes('unknown_message')
        && job.retryCount < unknownMessageRetries);
      return { id: job.id, status: retry ? 'failed' : 'completed' };
    }));
  });
}
