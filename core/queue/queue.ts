import { sql } from 'drizzle-orm';
import { fromDrizzle, PgBoss, type QueueOptions, type SendOptions } from 'pg-boss';
import type { Database } from '../db/client.ts';
import type { Logger } from '../log.ts';
import { duePriority } from './due-order.ts';

/** Every queue the hub uses; the payloads carry ids only. */
export const queueNames = {
  dispatch: 'dispatch',
  status: 'status',
  callbackDelivery: 'callback-delivery',
  notificationCollect: 'notification-collect',
  notificationSend: 'notification-send',
  inbound: 'inbound',
  consentSweep: 'consent-sweep',
} as const;

export type QueueName = (typeof queueNames)[keyof typeof queueNames];

export interface QueueSettings {
  schema: string;
  retryLimit: number;
  retryDelaySeconds: number;
  retryBackoff: boolean;
}

/** A drizzle transaction, or the database itself. */
export type SqlExecutor = Pick<Database, 'execute'>;

export interface JobQueue {
  boss: PgBoss;
  start(): Promise<void>;
  stop(timeoutMs: number): Promise<void>;
  /** Queues a job inside the caller's transaction, so it exists exactly when the rows do. */
  send(tx: SqlExecutor, name: QueueName, data: object, options?: SendOptions): Promise<void>;
}

/**
 * A worker beats for the jobs it holds every half of this; a job whose worker fell silent (a
 * process killed mid-batch) goes back to the queue within about twice this, rather than when
 * its expiry ends.
 */
const livenessSeconds = 10;

export function createJobQueue(url: string, settings: QueueSettings, log: Logger): JobQueue {
  const boss = new PgBoss({
    connectionString: url,
    schema: settings.schema,
    max: 4,
    useListenNotify: true,
    application_name: 'messaging-hub-queue',
    // The monitor is what notices a worker that stopped beating; its default minute would
    // leave a dead worker's sends waiting that long.
    monitorIntervalSeconds: livenessSeconds,
    superviseIntervalSeconds: livenessSeconds,
  });
  boss.on('error', (error) => log.error({ err: error }, 'queue error'));
  boss.on('warning', (warning) => log.warn({ warning: warning.message }, 'queue warning'));

  let started: Promise<void> | undefined;
  let stopped: Promise<void> | undefined;

  return {
    boss,
    start() {
      started ??= startQueues(boss, settings);
      return started;
    },
    stop(timeoutMs) {
      stopped ??= boss.stop({ graceful: true, timeout: timeoutMs });
      return stopped;
    },
    async send(tx, name, data, options = {}) {
      const priority = duePriority(options.startAfter, Date.now());
      await boss.send(name, data, { priority, ...options, db: fromDrizzle(tx, sql) });
    },
  };
}

async function startQueues(boss: PgBoss, settings: QueueSettings): Promise<void> {
  await boss.start();

  const common = { expireInSeconds: 300, deleteAfterSeconds: 24 * 3600, notify: true };
  const liveness = { heartbeatSeconds: livenessSeconds };
  await ensureQueue(boss, queueNames.dispatch, {
    ...common,
    ...liveness,
    retryLimit: settings.retryLimit,
    retryDelay: settings.retryDelaySeconds,
    retryBackoff: settings.retryBackoff,
    // pg-boss takes a ceiling only for backoff.
    ...(settings.retryBackoff ? { retryDelayMax: 3600 } : {}),
  });

  // A provider may report a status before the send it belongs to is recorded; such a report
  // is retried soon and often rather than on the dispatch schedule.
  await ensureQueue(boss, queueNames.status, {
    ...common, ...liveness, retryLimit: 8, retryDelay: 1, retryBackoff: true, retryDelayMax: 60,
  });

  // Callbacks wait between attempts on their own schedule (callbacks/deliver.ts); a failed
  // job here is the hub's own trouble, such as a lost database connection. Jobs may wait
  // days for their attempt, so they are kept as long.
  const hubFailures = { retryLimit: 3, retryDelay: 5, retryBackoff: true, retryDelayMax: 300 };
  await ensureQueue(boss, queueNames.callbackDelivery, {
    ...common, ...hubFailures, retentionSeconds: 7 * 24 * 3600,
  });
  await ensureQueue(boss, queueNames.notificationCollect, { ...common, ...hubFailures });
  await ensureQueue(boss, queueNames.notificationSend, {
    ...common,
    retryLimit: settings.retryLimit,
    retryDelay: settings.retryDelaySeconds,
    retryBackoff: settings.retryBackoff,
    retryDelayMax: 3600,
  });

  // A reply that fails to be read (the database went away) is tried again soon: the patient
  // waits for the answer to their STOP or their confirmation.
  await ensureQueue(boss, queueNames.inbound, {
    ...common, retryLimit: 5, retryDelay: 2, retryBackoff: true, retryDelayMax: 300,
  });
  await ensureQueue(boss, queueNames.consentSweep, { ...common, ...hubFailures });
}

/** Creates the queue, or brings an existing one's options up to date with this version. */
async function ensureQueue(boss: PgBoss, name: QueueName, options: QueueOptions): Promise<void> {
  await boss.createQueue(name, options);
  await boss.updateQueue(name, options);
}
