import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '../log.ts';

/**
 * Errors that mean the database could not be reached, rather than that it refused the
 * statement: the socket went (postgres.js and Node codes), or the server is shutting down,
 * starting or crashed (SQLSTATE class 08 and 57P01–57P03). An ended pool is not among them:
 * the hub is stopping, and waiting would only hold up its stop.
 */
const unreachableCodes = new Set([
  'CONNECTION_CLOSED', 'CONNECT_TIMEOUT', 'ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT',
  '57P01', '57P02', '57P03',
]);

/** Whether an error, or the error it wraps (drizzle wraps the driver's), is an outage. */
export function isDatabaseOutage(error: unknown): boolean {
  for (let current = error; current instanceof Error; current = current.cause) {
    const { code } = current as { code?: unknown };
    if (typeof code !== 'string') continue;
    if (unreachableCodes.has(code) || code.startsWith('08')) return true;
  }
  return false;
}

export interface OutageRetry {
  log: Logger;
  /** How long to keep trying before the outage is the caller's to handle. */
  giveUpAfterMs?: number;
}

const firstWaitMs = 200;
const longestWaitMs = 2000;

/**
 * Runs `write` until the database takes it. For writes that record something already done
 * outside the database, such as a request a provider or a host accepted: given up on, the
 * work would be done again once the database is back. `write` must be safe to repeat, since
 * a commit whose answer was lost may have been applied.
 */
export async function retryThroughOutage<T>(
  write: () => Promise<T>,
  options: OutageRetry,
): Promise<T> {
  const deadline = Date.now() + (options.giveUpAfterMs ?? 60_000);

  for (let wait = firstWaitMs; ; wait = Math.min(wait * 2, longestWaitMs)) {
    try {
      return await write();
    } catch (error) {
      if (!isDatabaseOutage(error) || Date.now() + wait > deadline) throw error;
      options.log.warn({ err: error, waitMs: wait }, 'database unreachable; writing again soon');
      await sleep(wait);
    }
  }
}
