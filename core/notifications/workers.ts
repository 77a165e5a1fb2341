import type { JobWithMetadata } from 'pg-boss';
import { queueNames } from '../queue/queue.ts';
import type { HubServices } from '../services.ts';
import { collectDue, type CollectJob } from './collect.ts';
import { sendNotification, type SendJob } from './send.ts';

/**
 * Every minute the cron job collects what has come due: hourly digests at the top of the
 * hour, daily ones at each user's hour. A digest missed while no worker ran is collected by
 * the next run.
 */
const digestCron = '* * * * *';

/** How often an idle notification worker looks for retries that came due. */
const idlePollingSeconds = 15;

/** Starts the notification workers and schedules the digest job. */
export async function startNotificationWorkers(services: HubServices): Promise<void> {
  const { boss } = services.queue;
  // Every job here is announced when it is made (the minute's collection, a notification
  // due now), so polling only finds retries that came due, which may start a little late.
  const polling = {
    pollingIntervalSeconds: services.config.queue.pollingIntervalSeconds,
    notifyPollingIntervalSeconds: idlePollingSeconds,
    includeMetadata: true,
  } as const;

  await boss.work(queueNames.notificationCollect, polling,
    async ([job]: JobWithMetadata<CollectJob>[]) => {
      const made = await collectDue(services, job.data);
      if (made > 0) services.log.info({ jobId: job.id, notifications: made }, 'notifications due');
    });

  await boss.work(queueNames.notificationSend, { ...polling, localConcurrency: 4 },
    async ([job]: JobWithMetadata<SendJob>[]) => {
      const log = services.log.child({ jobId: job.id, notificationId: job.data.notificationId });
      await sendNotification(services, job.data, log);
    });

  await boss.schedule(queueNames.notificationCollect, digestCron, {});
}
