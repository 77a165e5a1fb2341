import { setTimeout as sleep } from 'node:timers/promises';
import type postgres from 'postgres';
import type { Simulator } from '../test/simulator/index.ts';
import type { HostReceiver } from './host-receiver.ts';
import type { HttpClient } from './http-client.ts';
import { closedLoop, openLoop } from './load.ts';
import type { Practice } from './practices.ts';
import { latency, perSecond, type Latency } from './stats.ts';
import { traceFlow, type Flow } from './traces.ts';

export interface Stage {
  sim: Simulator;
  receiver: HostReceiver;
  client: HttpClient;
  practices: Practice[];
  sql: postgres.Sql;
  /** Messages numbered from here on go to clients not used by earlier runs first. */
  nextMessage: number;
}

export interface BurstRun extends Flow {
  /** How long accepting the messages took, and whether it ran past their due time. */
  acceptMs: number;
  acceptOverranMs: number;
  failures: number;
}

/** The longest a run waits for its last callback: bounded, so the bench always ends. */
function drainTimeoutMs(messages: number): number {
  return 60_000 + messages * 25;
}

/**
 * A morning's reminders: `messages` accepted through the API ahead of time, all due at one
 * moment; then timed from that moment to the last send, delivery report and host callback.
 */
export async function runBurst(
  stage: Stage,
  messages: number,
  acceptPerSecond: number,
): Promise<BurstRun> {
  stage.sim.reset();
  stage.receiver.clear();
  const leadMs = Math.ceil((messages / Math.max(50, acceptPerSecond * 0.8)) * 1000) + 3_000;
  const dueAt = new Date(Date.now() + leadMs);

  const posted = await closedLoop(stage.client, stage.practices, {
    clients: 32, total: messages, sendAt: () => dueAt, offset: stage.nextMessage,
  });
  stage.nextMessage += messages;
  const overran = Math.max(0, Date.now() - dueAt.getTime());
  if (posted.failures > 0) process.stderr.write(`bench: accept failed: ${posted.firstFailure}\n`);
  await sleep(Math.max(0, dueAt.getTime() - Date.now()));

  const ids = posted.accepted.map((message) => message.id);
  await stage.receiver.waitFor(stage.receiver.delivered, ids, drainTimeoutMs(messages));
  const flow = await traceFlow(stage.sql, stage.sim, ids, stage.receiver.delivered,
    dueAt.getTime());
  return { ...flow, acceptMs: Math.round(posted.elapsedMs), acceptOverranMs: overran,
    failures: posted.failures };
}

export interface PacedRun extends Flow {
  offeredPerSecond: number;
  acceptedPerSecond: number;
  accept: Latency;
  failures: number;
}

/**
 * Messages sent now at a fixed rate, below capacity: the accept latency under that load and
 * the lag from due to sent that a patient would notice.
 */
export async function runPaced(stage: Stage, rate: number, seconds: number): Promise<PacedRun> {
  stage.sim.reset();
  stage.receiver.clear();
  const startedAt = Date.now();
  const posted = await openLoop(stage.client, stage.practices, {
    rate, seconds, offset: stage.nextMessage,
  });
  stage.nextMessage += posted.accepted.length + posted.failures;
  if (posted.failures > 0) process.stderr.write(`bench: accept failed: ${posted.firstFailure}\n`);

  const ids = posted.accepted.map((message) => message.id);
  await stage.receiver.waitFor(stage.receiver.delivered, ids, drainTimeoutMs(ids.length));
  const flow = await traceFlow(stage.sql, stage.sim, ids, stage.receiver.delivered, startedAt);
  return {
    ...flow,
    offeredPerSecond: rate,
    acceptedPerSecond: perSecond(posted.accepted.length, posted.elapsedMs),
    accept: latency(posted.latencies),
    failures: posted.failures,
  };
}
