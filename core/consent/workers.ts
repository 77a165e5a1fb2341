import type { JobWithMetadata } from 'pg-boss';
import { queueNames } from '../queue/queue.ts';
import type { HubServices } from '../services.ts';
import { sweepConsent } from './sweep.ts';

/** The sweep runs every minute; see `sweepConsent`. */
const sweepCron = '* * * * *';

const sweepPollingSeconds = 30;

/** Starts the consent worker and schedules its sweep. */
export async function startConsentWorkers(services: HubServices): Promise<void> {
  const { boss } = services.queue;
  const polling = {
    pollingIntervalSeconds: services.config.queue.pollingIntervalSeconds,
    // The sweep's job is announced when the schedule makes it: nothing to look for between.
    notifyPollingIntervalSeconds: sweepPollingSeconds,
    includeMetadata: true,
  } as const;

  await boss.work(queueNames.consentSweep, polling, async ([job]: JobWithMetadata<object>[]) => {
    await sweepConsent(services, services.log.child({ jobId: job.id }));
  });
  await boss.schedule(queueNames.consentSweep, sweepCron, {});
}
