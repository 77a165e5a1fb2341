import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'drizzle-orm';
import { isAnyOf } from '../db/any-of.ts';
import type { Database } from '../db/client.ts';
import { outbox } from '../db/schema.ts';
import type { Logger } from '../log.ts';
import type { HubServices } from '../services.ts';
import type { EventType, HubEvent } from './events.ts';
import { eventRelay } from './tables.ts';

/** A transaction of the relay. */
export type RelayTx = Pick<Database, 'insert' | 'update' | 'select' | 'delete' | 'execute'>;

/**
 * Something that acts on events: queues callbacks, plans notifications, settles credit. It
 * runs in the transaction that takes the events off the relay, so what it writes exists
 * exactly when the events count as handed on.
 */
export type EventConsumer = (
  tx: RelayTx,
  services: HubServices,
  events: HubEvent[],
) => Promise<void>;

const batchSize = 200;

/** An event that failed this often on its own is left in `event_relay` for an operator. */
const maxAttempts = 5;

/**
 * How long a relay has a batch it claimed to itself: far longer than handing it on takes.
 * Were it to run out first, another relay would claim the batch again and find it gone.
 */
const claimSeconds = 10;

/**
 * Hands outbox events to their consumers, in batches, until stopped. Several worker
 * processes may relay at once: each takes rows the others have not locked. Returns the stop
 * function, which waits for the batch in hand.
 */
export function startEventRelay(
  services: HubServices,
  consumers: EventConsumer[],
): () => Promise<void> {
  const stopping = new AbortController();
  const idle = services.config.queue.pollingIntervalSeconds * 1000;
  const log = services.log.child({ worker: 'event-relay' });

  const loop = (async () => {
    while (!stopping.signal.aborted) {
      const relayed = await relayRound(services, consumers, log).catch((error: unknown) => {
        log.error({ err: error }, 'event relay failed; trying again');
        return 0;
      });
      if (relayed === batchSize) continue;
      await sleep(idle, undefined, { signal: stopping.signal }).catch(() => undefined);
    }
  })();

  return async () => {
    stopping.abort();
    await loop;
  };
}

/**
 * Relays one batch. When the batch fails, its events are tried one by one, so one event that
 * cannot be handled does not hold back the others.
 */
async function relayRound(services: HubServices, consumers: EventConsumer[], log: Logger) {
  const ids = await claim(services);
  if (ids.length === 0) return 0;

  try {
    await handOn(services, consumers, ids);
  } catch (error) {
    log.warn({ err: error, events: ids.length }, 'event batch failed; relaying one by one');
    const failed: number[] = [];
    for (const id of ids) {
      await handOn(services, consumers, [id]).catch((cause: unknown) => {
        log.error({ err: cause, relayId: id }, 'event could not be relayed');
        failed.push(id);
      });
    }
    await release(services, failed).catch(() => undefined);
  }
  return ids.length;
}

/**
 * Counts an attempt on the next batch, committed on its own so that it counts even when
 * the hand-on fails, and keeps the batch from other relays for `claimSeconds`. Without that
 * hold, a batch was free again the moment its claim committed, and with two workers both
 * claimed the same rows and waited on each other's removal of them, which made two workers
 * slower than one. A relay that dies holding a batch leaves it to the others once the hold
 * runs out.
 */
async function claim(services: HubServices): Promise<number[]> {
  // The database's clock, which every worker shares, times the hold.
  const rows = await services.database.db.execute<{ id: string }>(sql`
    update event_relay
       set attempts = attempts + 1,
           claimed_until = clock_timestamp() + make_interval(secs => ${claimSeconds})
     where id in (select id from event_relay
                   where attempts < ${maxAttempts}
                     and (claimed_until is null or claimed_until < clock_timestamp())
                   order by id limit ${batchSize} for update skip locked)
    returning id`);
  return rows.map((row) => Number(row.id));
}

/**
 * Gives up the hold on events that could not be handed on, so the next round, of any relay,
 * tries them again at once. Should the database be out, the hold runs out by itself.
 */
async function release(services: HubServices, ids: number[]): Promise<void> {
  if (ids.length === 0) return;
  await services.database.db.update(eventRelay).set({ claimedUntil: null })
    .where(isAnyOf(eventRelay.id, ids, 'bigint'));
}

/**
 * Removes the claimed rows and hands their events on, in one transaction. Only rows this
 * transaction removed are handed on: another relay that claimed the same row after this
 * one's claim committed finds it gone.
 */
async function handOn(services: HubServices, consumers: EventConsumer[], ids: number[]) {
  await services.database.db.transaction(async (tx) => {
    const events = await takeEvents(tx, ids);
    if (events.length === 0) return;
    for (const consume of consumers) await consume(tx, services, events);
  });
}

/** Removes relay rows and reads their events, oldest first, in one statement. */
async function takeEvents(tx: RelayTx, ids: number[]): Promise<HubEvent[]> {
  const rows = await tx.execute<OutboxRow>(sql`
    with taken as (
      delete from ${eventRelay} where ${isAnyOf(eventRelay.id, ids, 'bigint')}
      returning outbox_id)
    select o.id, o.account_id, o.type, o.data, o.created_at
      from ${outbox} o join taken on taken.outbox_id = o.id
     order by o.created_at, o.id`);
  return rows.map((row) => ({
    id: row.id,
    accountId: row.account_id,
    type: row.type as EventType,
    data: row.data,
    createdAt: new Date(row.created_at),
  }));
}

interface OutboxRow extends Record<string, unknown> {
  id: string;
  account_id: string;
  type: string;
  data: Record<string, unknown>;
  /** As PostgreSQL writes a time, which the driver leaves as text for drizzle to read. */
  created_at: string;
}
