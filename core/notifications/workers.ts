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

/** Starts the notification workers and schedules the digest job. */
export async function startNotificationWorkers(services: HubServices): Promise<void> {
  const { boss } = services.queue;
  const polling = {
    pollingIntervalSeconds: services.config.queue.pollingIntervalSeconds,
    notifyPollingIntervalSeconds: services.config.queue.pollingIntervalSeconds,
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
