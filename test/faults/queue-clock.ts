import type { TransactionSql } from 'postgres';
import type { Sql } from '../../core/db/client.ts';
import { eventually } from '../support/hub.ts';

/** What happens when simulated time reaches `at` seconds: a fault ends, a host is back. */
export interface TimedChange {
  at: number;
  apply(): void;
}

export interface RunOptions {
  changes: TimedChange[];
  /** Jumps go this many seconds past the next due job, so jobs due close together run as one. */
  slack: number;
  /** What else must be quiet before time may jump, besides the queues' jobs. */
  isSettled?: () => Promise<boolean>;
  timeoutMs: number;
}

/**
 * Simulated time for the hub's waiting jobs. A wait of minutes or hours (a retry's backoff, a
 * callback's next attempt) is pg-boss's `start_after`, which PostgreSQL's clock decides;
 * moving it back by an amount makes every waiting job of the given queues come due that much
 * sooner, just as if that much time had passed. The hub code under test runs unchanged, on
 * real time, and what it scheduled is what the test sees; only the waiting is skipped.
 *
 * Simulated time runs with real time and jumps ahead at each `advance`.
 */
export class QueueClock {
  readonly #sql: Sql;
  readonly #queues: string[];
  readonly #started = Date.now();
  readonly #jumps: Array<{ at: number; seconds: number }> = [];

  constructor(sql: Sql, queues: string[]) {
    this.#sql = sql;
    this.#queues = queues;
  }

  /** Simulated seconds since the clock was made. */
  elapsed(): number {
    return this.at(new Date());
  }

  /** The simulated second, since the clock was made, of a real moment. */
  at(moment: Date): number {
    const jumped = this.#jumps.filter((jump) => jump.at <= moment.getTime())
      .reduce((sum, jump) => sum + jump.seconds, 0);
    return (moment.getTime() - this.#started) / 1000 + jumped;
  }

  /**
   * Lets `seconds` pass for every job that waits, if no job runs or is due: false, and no
   * jump, when one is. The queue's table is locked against fetches meanwhile, since a job a
   * worker took just before the jump would have its next wait counted from after it.
   */
  async advance(seconds: number): Promise<boolean> {
    const lockedAt = await this.#sql.begin(async (tx) => {
      await tx`lock table pgboss.job in exclusive mode`;
      // The jump counts from here. Taken after the commit instead, it could come after a
      // send that a fetch waiting on the lock made at once, whose time would then miss it.
      const at = Date.now();
      if (!await this.isIdle(tx)) return undefined;
      await tx`
        update pgboss.job set start_after = start_after - make_interval(secs => ${seconds})
         where name = any(${this.#queues}) and state in ('created', 'retry')`;
      return at;
    });
    if (lockedAt !== undefined) this.#jumps.push({ at: lockedAt, seconds });
    return lockedAt !== undefined;
  }

  /** Seconds until the next waiting job is due, or undefined when none waits. */
  async nextDue(): Promise<number | undefined> {
    const [row] = await this.#sql<{ seconds: number | null }[]>`
      select extract(epoch from min(start_after) - now())::float8 as seconds
        from pgboss.job where name = any(${this.#queues}) and state in ('created', 'retry')`;
    return row.seconds === null ? undefined : Math.max(0, row.seconds);
  }

  /** Whether no job of the queues is running or due now. */
  async isIdle(sql: Sql | TransactionSql = this.#sql): Promise<boolean> {
    const [row] = await sql<{ busy: number }[]>`
      select count(*)::int as busy from pgboss.job
       where name = any(${this.#queues})
         and (state = 'active' or (state in ('created', 'retry') and start_after <= now()))`;
    return row.busy === 0;
  }

  /**
   * Lets simulated time pass until no job waits: whenever nothing runs, jumps to the next
   * due job, or first to the next change when that comes sooner. A change is applied once
   * the clock has reached it, before any job due later runs.
   */
  async run(options: RunOptions): Promise<void> {
    const pending = [...options.changes].sort((a, b) => a.at - b.at);
    const deadline = Date.now() + options.timeoutMs;

    while (Date.now() < deadline) {
      await eventually(async () => await this.isIdle()
        && (await options.isSettled?.() ?? true), deadline - Date.now());
      while (pending.length && pending[0].at <= this.elapsed()) pending.shift()!.apply();

      const next = await this.nextDue();
      if (next === undefined && pending.length === 0) return;
      const target = this.elapsed() + (next ?? Infinity) + options.slack;
      const change = pending.find((candidate) => candidate.at < target);
      await this.advance(Math.max(0, (change?.at ?? target) - this.elapsed()));
    }
    throw new Error('simulated time did not run out of waiting jobs in time');
  }
}
