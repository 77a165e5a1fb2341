import { setTimeout as sleep } from 'node:timers/promises';
import type { HttpClient } from './http-client.ts';
import type { Practice } from './practices.ts';

export interface Accepted {
  id: string;
  /** When the message is due (ms since the epoch). */
  sendAt: number;
}

export interface LoadResult {
  accepted: Accepted[];
  /** Time from each request's planned start to its answer, in ms. */
  latencies: number[];
  failures: number;
  /** The first failure's answer, to show why. */
  firstFailure?: string;
  elapsedMs: number;
}

/** Plans the n-th message: practices and their clients in turn, so load spreads evenly. */
export function messageFor(practices: Practice[], n: number) {
  const practice = practices[n % practices.length];
  const client = practice.clients[Math.floor(n / practices.length) % practice.clients.length];
  return { practice, ref: client.ref };
}

/** Sends one message through the API and notes what came of it. */
async function post(
  client: HttpClient,
  practices: Practice[],
  n: number,
  sendAt: Date | undefined,
  result: LoadResult,
  plannedAt: number,
): Promise<void> {
  const { practice, ref } = messageFor(practices, n);
  const body = {
    recipient: { type: 'client', ref }, channel: 'sms',
    text: `Reminder ${n}: your appointment is tomorrow at 9:30. Reply C to confirm.`,
    ...(sendAt ? { sendAt: sendAt.toISOString() } : {}),
  };
  const answer = await client.call('POST', `/v1/accounts/${practice.id}/messages`, body,
    practice.key).catch((error: Error) => ({ status: 0, body: error.message }));
  const answeredAt = Date.now();
  result.latencies.push(performance.now() - plannedAt);

  if (answer.status !== 202) {
    result.failures += 1;
    result.firstFailure ??= `${answer.status} ${answer.body.slice(0, 200)}`;
    return;
  }
  const { id } = JSON.parse(answer.body) as { id: string };
  result.accepted.push({ id, sendAt: sendAt?.getTime() ?? answeredAt });
}

function emptyResult(): LoadResult {
  return { accepted: [], latencies: [], failures: 0, elapsedMs: 0 };
}

/** `clients` callers, each sending its next message as soon as the last is answered. */
export async function closedLoop(
  client: HttpClient,
  practices: Practice[],
  options: { clients: number; total: number; sendAt?: () => Date; offset?: number },
): Promise<LoadResult> {
  const result = emptyResult();
  const started = performance.now();
  let next = 0;
  const caller = async () => {
    while (next < options.total) {
      const n = (options.offset ?? 0) + next++;
      await post(client, practices, n, options.sendAt?.(), result, performance.now());
    }
  };
  await Promise.all(Array.from({ length: options.clients }, caller));
  result.elapsedMs = performance.now() - started;
  return result;
}

/**
 * Requests at a fixed rate whatever the answers do, each timed from its planned start, so a
 * slow answer shows in the latency rather than lowering the load.
 */
export async function openLoop(
  client: HttpClient,
  practices: Practice[],
  options: { rate: number; seconds: number; sendAt?: () => Date; offset?: number },
): Promise<LoadResult> {
  const result = emptyResult();
  const total = Math.round(options.rate * options.seconds);
  const interval = 1000 / options.rate;
  const started = performance.now();
  const inFlight: Promise<void>[] = [];

  for (let n = 0; n < total; n += 1) {
    const plannedAt = started + n * interval;
    const wait = plannedAt - performance.now();
    if (wait > 1) await sleep(wait);
    const index = (options.offset ?? 0) + n;
    const sent = post(client, practices, index, options.sendAt?.(), result, plannedAt);
    inFlight.push(sent);
  }
  await Promise.all(inFlight);
  result.elapsedMs = performance.now() - started;
  return result;
}
