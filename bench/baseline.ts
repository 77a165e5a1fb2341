import { PgBoss } from 'pg-boss';
import { perSecond } from './stats.ts';

export interface Baseline {
  jobs: number;
  /** `send()` one job per transaction, 10 in flight. */
  sendPerSecond: number;
  /** `fetch()` of 50 jobs and `complete()` of them, by one no-op worker. */
  workPerSecond: number;
}

const inFlight = 10;
const batchSize = 50;
const queue = 'baseline';

/**
 * Raw pg-boss on the bench's database, in a schema of its own: the yardstick every hub
 * figure is divided by, since the machine's speed varies from run to run.
 */
export async function measureBaseline(url: string, jobs: number): Promise<Baseline> {
  const boss = new PgBoss({
    connectionString: url, schema: 'bench_baseline', max: inFlight + 2,
    supervise: false, schedule: false,
  });
  boss.on('error', () => undefined);
  await boss.start();
  await boss.createQueue(queue, { deleteAfterSeconds: 3600 });

  try {
    const sendMs = await timed(() => sendAll(boss, jobs));
    const workMs = await timed(() => workAll(boss, jobs));
    return { jobs, sendPerSecond: perSecond(jobs, sendMs), workPerSecond: perSecond(jobs, workMs) };
  } finally {
    await boss.stop({ graceful: false, timeout: 1_000 });
  }
}

async function sendAll(boss: PgBoss, jobs: number): Promise<void> {
  let next = 0;
  const sender = async () => {
    while (next < jobs) {
      const index = next++;
      await boss.send(queue, { messageId: `m-${index}` });
    }
  };
  await Promise.all(Array.from({ length: inFlight }, sender));
}

async function workAll(boss: PgBoss, jobs: number): Promise<void> {
  let done = 0;
  while (done < jobs) {
    const batch = await boss.fetch(queue, { batchSize });
    if (batch.length === 0) throw new Error(`baseline: only ${done} of ${jobs} jobs were found`);
    await boss.complete(queue, batch.map((job) => job.id));
    done += batch.length;
  }
}

async function timed(work: () => Promise<void>): Promise<number> {
  const started = performance.now();
  await work();
  return performance.now() - started;
}
