import { sql } from 'drizzle-orm';
import { fromDrizzle, PgBoss, type SendOptions } from 'pg-boss';
import type { Database } from '../db/client.ts';
import type { Logger } from '../log.ts';

/** Every queue the hub uses; the payloads carry ids only. */
export const queueNames = {
  dispatch: 'dispatch',
  status: 'status',
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

export function createJobQueue(url: string, settings: QueueSettings, log: Logger): JobQueue {
  const boss = new PgBoss({
    connectionString: url,
    schema: settings.schema,
    max: 4,
    useListenNotify: true,
    application_name: 'messaging-hub-queue',
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
      await boss.send(name, data, { ...options, db: fromDrizzle(tx, sql) });
    },
  };
}

async function startQueues(boss: PgBoss, settings: QueueSettings): Promise<void> {
  await boss.start();

  for (const name of Object.values(queueNames)) {
    await boss.createQueue(name, {
      retryLimit: settings.retryLimit,
      retryDelay: settings.retryDelaySeconds,
      retryBackoff: settings.retryBackoff,
      retryDelayMax: 3600,
      expireInSeconds: 300,
      deleteAfterSeconds: 24 * 3600,
      notify: true,
    });
  }
}
