import { setTimeout as sleep } from 'node:timers/promises';
import type { JobAttempt, JobWithMetadata, PgBoss } from 'pg-boss';
import { retryThroughOutage } from '../db/outage.ts';
import type { Logger } from '../log.ts';
import type { QueueName } from './queue.ts';

export interface JobPoolOptions<T, P> {
  queue: QueueName;
  /** Most jobs this process runs at once. */
  concurrency: number;
  /** Most jobs of one group (the `group.id` they were sent with) this process runs at once. */
  localGroupConcurrency?: number;
  /** Most jobs of one group running at once across every process (tracked in the database). */
  groupConcurrency?: number;
  /** How long an idle pool waits before it looks for due jobs again. */
  pollingIntervalSeconds: number;
  /**
   * Reads what the jobs of one fetch need, in one go (their rows, say), before they run. A
   * throw fails the whole fetch's jobs, which the queue retries.
   */
  prepare(jobs: JobWithMetadata<T>[]): Promise<P>;
  /** Runs one job. A throw fails the job, and the queue retries it on its own schedule. */
  run(job: JobWithMetadata<T>, prepared: P): Promise<void>;
}

/** How long a full pool waits after a place frees up before it fetches, for more to free up. */
const gatherMs = 10;

/** How long the outcome of a job is tried again while the database is unreachable. */
const settleGiveUpMs = 120_000;

/** Stops fetching, waits for the jobs in hand, and settles them. */
export type StopJobPool = () => Promise<void>;

/**
 * Runs the jobs of one queue as independent tasks: fetched in batches, as many as there are
 * free places, and each settled as soon as it ends. A batch handler waits for its slowest
 * job; here a slow job (an endpoint taking its whole timeout) holds only its own place.
 * Groups at their local limit are left out of the next fetches, so the jobs of one slow
 * group wait in the queue rather than in memory.
 */
export function startJobPool<T, P>(
  boss: PgBoss,
  options: JobPoolOptions<T, P>,
  log: Logger,
): StopJobPool {
  const pool = new JobPool(boss, options, log.child({ queue: options.queue }));
  const loop = pool.run();
  return async () => {
    pool.stop();
    await loop;
  };
}

interface Admitted<T, P> {
  job: JobWithMetadata<T>;
  prepared: P;
}

class JobPool<T, P> {
  readonly #boss: PgBoss;
  readonly #options: JobPoolOptions<T, P>;
  readonly #log: Logger;
  readonly #stopping = new AbortController();
  readonly #running = new Set<Promise<void>>();
  readonly #perGroup = new Map<string, number>();
  /** Jobs a fetch brought beyond their group's local limit, started as the group frees up. */
  readonly #waiting = new Map<string, Admitted<T, P>[]>();
  #held = 0;
  #slotFreed?: () => void;
  readonly #settled: JobAttempt[] = [];
  #flush?: Promise<void>;

  constructor(boss: PgBoss, options: JobPoolOptions<T, P>, log: Logger) {
    this.#boss = boss;
    this.#options = options;
    this.#log = log;
  }

  stop(): void {
    this.#stopping.abort();
    this.#slotFreed?.();
  }

  async run(): Promise<void> {
    while (!this.#stopping.signal.aborted) {
      const free = this.#options.concurrency - this.#held;
      if (free <= 0) {
        await this.#nextFreeSlot();
        // Under load, places free one at a time: a moment's wait lets a few more free up, so
        // one fetch and one read serve several jobs rather than one each.
        if (this.#held > 0) await this.#idle(gatherMs);
        continue;
      }

      const full = this.#fullGroups();
      const jobs = await this.#fetch(free, full);
      await this.#prepare(jobs);
      if (jobs.length >= free) continue;

      // A short fetch while some groups were left out may only mean those groups are busy:
      // their next jobs are due as soon as one of theirs ends.
      await (full?.length ? Promise.race([this.#nextFreeSlot(), this.#idle()]) : this.#idle());
    }

    while (this.#held > 0) await this.#nextFreeSlot();
    await this.#flushSettled();
  }

  async #fetch(batchSize: number, ignoreGroups?: string[]): Promise<JobWithMetadata<T>[]> {
    const { queue, groupConcurrency } = this.#options;
    try {
      return await this.#boss.fetch<T>(queue, {
        batchSize, includeMetadata: true, groupConcurrency, ignoreGroups,
      });
    } catch (error) {
      this.#log.error({ err: error }, 'job fetch failed; trying again');
      return [];
    }
  }

  #fullGroups(): string[] | undefined {
    const limit = this.#options.localGroupConcurrency;
    if (!limit) return undefined;
    return [...this.#perGroup].filter(([, running]) => running >= limit).map(([id]) => id);
  }

  async #prepare(jobs: JobWithMetadata<T>[]): Promise<void> {
    if (jobs.length === 0) return;
    let prepared: P;
    try {
      prepared = await this.#options.prepare(jobs);
    } catch (error) {
      await Promise.all(jobs.map((job) => this.#fail(job, error)));
      return;
    }
    for (const job of jobs) this.#admit({ job, prepared });
  }

  #admit(admitted: Admitted<T, P>): void {
    this.#held += 1;
    const group = admitted.job.groupId ?? undefined;
    const limit = this.#options.localGroupConcurrency;
    if (group && limit && (this.#perGroup.get(group) ?? 0) >= limit) {
      this.#waiting.set(group, [...(this.#waiting.get(group) ?? []), admitted]);
      return;
    }
    this.#start(admitted);
  }

  #start({ job, prepared }: Admitted<T, P>): void {
    const group = job.groupId ?? undefined;
    if (group) this.#perGroup.set(group, (this.#perGroup.get(group) ?? 0) + 1);

    const task = this.#options.run(job, prepared).then(
      () => this.#complete(job),
      (error: unknown) => this.#fail(job, error),
    ).finally(() => {
      this.#running.delete(task);
      this.#release(group);
    });
    this.#running.add(task);
  }

  #release(group: string | undefined): void {
    this.#held -= 1;
    if (group) {
      const left = (this.#perGroup.get(group) ?? 1) - 1;
      if (left > 0) this.#perGroup.set(group, left);
      else this.#perGroup.delete(group);

      const next = this.#waiting.get(group)?.shift();
      if (this.#waiting.get(group)?.length === 0) this.#waiting.delete(group);
      if (next) {
        this.#held -= 1;
        this.#admit(next);
      }
    }
    this.#slotFreed?.();
  }

  /** Completions are written together: one statement for all the jobs that ended meanwhile. */
  #complete(job: JobWithMetadata<T>): void {
    this.#settled.push({ id: job.id, retryCount: job.retryCount });
    this.#flush ??= new Promise<void>((resolve) => setImmediate(resolve))
      .then(() => this.#flushSettled());
  }

  async #flushSettled(): Promise<void> {
    this.#flush = undefined;
    const attempts = this.#settled.splice(0);
    if (attempts.length === 0) return;
    const { queue } = this.#options;
    await this.#settle('complete', attempts, () => this.#boss.complete(queue, attempts));
  }

  async #fail(job: JobWithMetadata<T>, error: unknown): Promise<void> {
    this.#log.error({ err: error, jobId: job.id }, 'job failed; the queue will retry it');
    const attempt = { id: job.id, retryCount: job.retryCount };
    // The job keeps the kind of failure only: a database error's message may quote values.
    const reason = { error: error instanceof Error ? error.name : 'unknown' };
    const { queue } = this.#options;
    await this.#settle('fail', [attempt], () => this.#boss.fail(queue, attempt, reason));
  }

  /**
   * Writes a job's outcome, trying again while the database is away: an outcome given up on
   * would leave the job to wait out its whole expiry before it runs again. Every job the hub
   * runs this way checks its rows first, so a job that does run again skips what it did.
   */
  async #settle(kind: string, attempts: JobAttempt[], write: () => Promise<unknown>) {
    try {
      await retryThroughOutage(write, { log: this.#log, giveUpAfterMs: settleGiveUpMs });
    } catch (error) {
      this.#log.error({ err: error, jobs: attempts.length, kind }, 'job outcome not recorded');
    }
  }

  #nextFreeSlot(): Promise<void> {
    return new Promise((resolve) => {
      this.#slotFreed = () => {
        this.#slotFreed = undefined;
        resolve();
      };
    });
  }

  /** Waits out the polling interval (or `ms`), unless the pool stops meanwhile. */
  async #idle(ms = this.#options.pollingIntervalSeconds * 1000): Promise<void> {
    await sleep(ms, undefined, { signal: this.#stopping.signal }).catch(() => undefined);
  }
}
