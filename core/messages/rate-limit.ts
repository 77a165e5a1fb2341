import { sql } from 'drizzle-orm';
import type { JobWithMetadata } from 'pg-boss';
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

/**
 * Reserves the next send slot of a sender: `units` take `units / perSecond` seconds of the
 * sender's time, starting when its previous reservation ends (or now, when that has passed).
 * One upsert holds the sender's row lock, so workers in any number of processes queue up in
 * turn; the database's clock is the one clock they all share.
 */
export async function reserveSendSlot(
  db: SqlExecutor,
  sender: string,
  units: number,
  perSecond: number,
): Promise<SendSlot> {
  const seconds = units / perSecond;
  const rows = await db.execute<{ at_ms: number; wait_ms: number }>(sql`
    insert into sender_rate_limits as limits (sender, next_at)
    values (${sender}, clock_timestamp() + ${seconds} * interval '1 second')
    on conflict (sender) do update
       set next_at = greatest(limits.next_at, clock_timestamp())
                     + ${seconds} * interval '1 second'
    returning
      (extract(epoch from next_at) * 1000 - ${seconds * 1000})::float8 as at_ms,
      (extract(epoch from next_at - clock_timestamp()) * 1000 - ${seconds * 1000})::float8
        as wait_ms`);

  // Rounded up to whole milliseconds, as a Date holds them: a slot never starts early.
  const [row] = rows;
  return { at: new Date(Math.ceil(row.at_ms)), waitMs: Math.max(0, row.wait_ms) };
}

/**
 * How long after its slot a deferred send starts. The send before it may have reached the
 * provider late, slowed by the burst it came in with, and the provider counts arrivals.
 */
const startLagMs = 100;

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
