import type postgres from 'postgres';
import type { Simulator } from '../test/simulator/index.ts';
import { latency, perSecond, type Latency } from './stats.ts';

/** What happened to one message, in ms since the epoch. */
interface Trace {
  dueAt: number;
  /** When the simulator took the send: its `sent` status webhook follows at once. */
  sentAt?: number;
  /** When the simulator posted the `delivered` status webhook. */
  deliveredAt?: number;
  /** When the host received the `delivered` callback. */
  calledBackAt?: number;
}

export interface Flow {
  messages: number;
  /** Messages that reached each stage. */
  sent: number;
  delivered: number;
  calledBack: number;
  /** Messages per second from the moment they came due to the last that reached the stage. */
  sentPerSecond: number;
  deliveredPerSecond: number;
  calledBackPerSecond: number;
  /** Due time to the simulator's receipt, in ms. */
  dueToSent: Latency;
  /** Due time to the host's callback, in ms. */
  dueToCallback: Latency;
}

/**
 * Puts each message's times together: its due time from the database, the simulator's
 * webhooks (matched by the provider's id the hub stored) and the host receiver's callbacks.
 */
export async function traceFlow(
  sql: postgres.Sql,
  sim: Simulator,
  ids: string[],
  callbacks: Map<string, number>,
  startedAt: number,
): Promise<Flow> {
  const traces = await loadTraces(sql, ids);
  const bySid = new Map<string, Trace>();
  for (const trace of traces.values()) if (trace.sid) bySid.set(trace.sid, trace);
  for (const webhook of sim.webhooks) {
    if (webhook.kind !== 'message-status') continue;
    const payload = webhook.payload as Record<string, string>;
    const trace = bySid.get(payload.MessageSid);
    if (!trace) continue;
    const at = Date.parse(webhook.time);
    if (payload.MessageStatus === 'sent') trace.sentAt = at;
    if (payload.MessageStatus === 'delivered') trace.deliveredAt = at;
  }
  for (const [id, at] of callbacks) {
    const trace = traces.get(id);
    if (trace) trace.calledBackAt = at;
  }

  return summarise([...traces.values()], startedAt);
}

async function loadTraces(sql: postgres.Sql, ids: string[]) {
  const traces = new Map<string, Trace & { sid?: string }>();
  for (let start = 0; start < ids.length; start += 5_000) {
    const chunk = ids.slice(start, start + 5_000);
    const rows = await sql<{ id: string; send_at: Date; provider_id: string | null }[]>`
      select id, send_at, provider_id from messages where id = any(${chunk}::uuid[])`;
    for (const row of rows) {
      traces.set(row.id, { dueAt: row.send_at.getTime(), sid: row.provider_id ?? undefined });
    }
  }
  return traces;
}

function summarise(traces: Trace[], startedAt: number): Flow {
  const reached = (pick: (trace: Trace) => number | undefined) => {
    const times = traces.map(pick).filter((at): at is number => at !== undefined);
    const last = times.reduce((latest, at) => Math.max(latest, at), startedAt);
    return { count: times.length, rate: perSecond(times.length, last - startedAt) };
  };
  const sent = reached((trace) => trace.sentAt);
  const delivered = reached((trace) => trace.deliveredAt);
  const calledBack = reached((trace) => trace.calledBackAt);
  const since = (pick: (trace: Trace) => number | undefined) => traces
    .filter((trace) => pick(trace) !== undefined)
    .map((trace) => pick(trace)! - trace.dueAt);

  return {
    messages: traces.length,
    sent: sent.count,
    delivered: delivered.count,
    calledBack: calledBack.count,
    sentPerSecond: sent.rate,
    deliveredPerSecond: delivered.rate,
    calledBackPerSecond: calledBack.rate,
    dueToSent: latency(since((trace) => trace.sentAt)),
    dueToCallback: latency(since((trace) => trace.calledBackAt)),
  };
}
