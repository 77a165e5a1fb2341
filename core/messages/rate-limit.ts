import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'drizzle-orm';
import type { JobWithMetadata } from 'pg-boss';
import { WriteBatcher } from '../db/write-batcher.ts';
import type { Logger } from '../log.ts';
import type { ChannelInstance, OutboundMessage } from '../plugins/channel.ts';
import { queueNames, type SqlExecutor } from '../queue/queue.ts';
import type { HubServices } from '../services.ts';
import type { DispatchJob } from './dispatch.ts';

/** When a reserved slot starts, and how long from now that is, both by the database's clock. */
export interface SendSlot {
  at: Date;
  waitMs: number;
}

interface SlotRequest {
  sender: string;
  seconds: number;
}

/** One batcher per database: the sends of every worker loop in the process share it. */
const slotBatchers = new WeakMap<SqlExecutor, WriteBatcher<SlotRequest, SendSlot>>();

/**
 * Reserves the next send slot of a sender: `units` take `units / perSecond` seconds of the
 * sender's time, starting when its previous reservation ends (or now, when that has passed).
 * The upsert holds the sender's row lock, so workers in any number of processes queue up in
 * turn; the database's clock is the one clock they all share. Sends reserving at the same
 * time share one statement, and take their slots in the order they asked.
 */
export function reserveSendSlot(
  db: SqlExecutor,
  sender: string,
  units: number,
  perSecond: number,
): Promise<SendSlot> {
  let batcher = slotBatchers.get(db);
  if (!batcher) {
    batcher = new WriteBatcher((requests) => reserveSlots(db, requests));
    slotBatchers.set(db, batcher);
  }
  return batcher.add({ sender, seconds: units / perSecond });
}

async function reserveSlots(db: SqlExecutor, requests: SlotRequest[]): Promise<SendSlot[]> {
  const totals = new Map<string, number>();
  for (const { sender, seconds } of requests) {
    totals.set(sender, (totals.get(sender) ?? 0) + seconds);
  }
  const wanted = [...totals].map(([sender, seconds]) => ({ sender, seconds }));

  const rows = await db.execute<{ sender: string; end_ms: number; wait_ms: number }>(sql`
    with wanted as (
      select * from jsonb_to_recordset(${JSON.stringify(wanted)}::jsonb)
        as w(sender text, seconds float8))
    insert into sender_rate_limits as limits (sender, next_at)
    select sender, clock_timestamp() + seconds * interval '1 second' from wanted
    on conflict (sender) do update
       set next_at = greatest(limits.next_at, clock_timestamp())
                     + (select seconds from wanted where wanted.sender = limits.sender)
                       * interval '1 second'
    returning sender,
      (extract(epoch from next_at) * 1000)::float8 as end_ms,
      (extract(epoch from next_at - clock_timestamp()) * 1000)::float8 as wait_ms`);

  // Each sender's reservations run back to back, in the order they were asked for, and end
  // where the sender's new `next_at` does.
  const ends = new Map(rows.map((row) => [row.sender, row]));
  const used = new Map<string, number>();
  return requests.map(({ sender, seconds }) => {
    const end = ends.get(sender)!;
    const before = totals.get(sender)! - (used.get(sender) ?? 0);
    used.set(sender, (used.get(sender) ?? 0) + seconds);
    const fromEnd = before * 1000;
    // Rounded up to whole milliseconds, as a Date holds them: a slot never starts early.
    return {
      at: new Date(Math.ceil(end.end_ms - fromEnd)),
      waitMs: Math.max(0, end.wait_ms - fromEnd),
    };
  });
}

/**
 * How long after its slot a deferred send starts. The send before it may have reached the
 * provider late, slowed by the burst it came in with, and the provider counts arrivals.
 */
const startLagMs = 100;

/** The longest wait for a slot that a send sits out in place rather than put back. */
const waitInPlaceMs = 100;

/** A dispatch job put back for the slot it reserved; its first run sends without reserving. */
interface DeferredDispatch extends DispatchJob {
  slotReserved: true;
}

export interface RateLimitedSend {
  /** The channel's id, which keeps one sender's sms and voice limits apart. */
  channel: string;
  instance: ChannelInstance;
  message: OutboundMessage;
  job: JobWithMetadata<DispatchJob>;
  log: Logger;
}

/**
 * Applies the channel's rate limit to one send. Returns true when the send's slot has not
 * begun: the job has then been queued again for that moment, and this run should stop.
 *
 * A deferred job's first run uses its reservation; its retries reserve anew, since a failed
 * attempt spent the slot. The new job gets the retries the old one had left, so deferrals
 * never add attempts to a send that keeps failing.
 */
export async function deferToSendSlot(
  services: HubServices,
  send: RateLimitedSend,
): Promise<boolean> {
  const { instance, message, job } = send;
  const limit = instance.rateLimit;
  if (!limit) return false;
  if (isDeferred(job.data) && job.retryCount === 0) return false;

  const sender = `${send.channel}:${limit.key(message)}`;
  const { db } = services.database;
  const slot = await reserveSendSlot(db, sender, limit.units(message), limit.perSecond);
  if (slot.waitMs <= 0) return false;
  // A slot a moment away (a fast sender's turn within a batch) costs less to wait for here
  // than a job put back and fetched again.
  if (slot.waitMs <= waitInPlaceMs) {
    await sleep(slot.waitMs);
    return false;
  }

  const deferred: DeferredDispatch = { ...job.data, slotReserved: true };
  const startAfter = new Date(slot.at.getTime() + startLagMs);
  const retryLimit = Math.max(0, job.retryLimit - job.retryCount);
  const options = { startAfter, retryLimit };
  await services.queue.send(db, queueNames.dispatch, deferred, options);
  send.log.debug({ waitMs: Math.round(slot.waitMs) }, 'send deferred to its sender slot');
  return true;
}

function isDeferred(data: DispatchJob): data is DeferredDispatch {
  return 'slotReserved' in data && data.slotReserved === true;
}
