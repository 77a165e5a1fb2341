import { and, eq, sql } from 'drizzle-orm';
import { isAnyOf } from '../db/any-of.ts';
import type { Database } from '../db/client.ts';
import { retryThroughOutage } from '../db/outage.ts';
import { outbox } from '../db/schema.ts';
import { WriteBatcher } from '../db/write-batcher.ts';
import type { Logger } from '../log.ts';
import { hubMetrics } from '../metrics/hub-metrics.ts';
import type { HubServices } from '../services.ts';
import { queueAttempts } from './deliveries.ts';
import type { RelayTx } from './relay.ts';
import { signedHeaders } from './signature.ts';
import { NoAnswer, postBody } from './transport.ts';
import { callbackDeliveries, callbackEndpoints } from './tables.ts';

type Delivery = typeof callbackDeliveries.$inferSelect;
type Endpoint = typeof callbackEndpoints.$inferSelect;
type Event = typeof outbox.$inferSelect;

interface Attempt {
  at: Date;
  statusCode: number | null;
  latencyMs: number;
  error: string | null;
}

/**
 * Makes one attempt of a delivery: posts the event, signed, and starts recording what came of
 * it, which `recorded` settles. A failure is retried on the schedule in
 * `callbacks.retrySchedule`; `410 Gone` disables the endpoint. The job itself completes either
 * way: the hub keeps its own schedule, which runs for days, rather than pg-boss's backoff.
 */
export async function deliverCallback(
  services: HubServices,
  loaded: LoadedDelivery | undefined,
  delivered: DeliveredWrites,
  log: Logger,
): Promise<{ recorded: Promise<void> }> {
  if (!loaded || loaded.delivery.status !== 'pending') {
    log.debug({ status: loaded?.delivery.status }, 'callback skipped: delivery not pending');
    return { recorded: Promise.resolve() };
  }

  const { delivery, endpoint, event } = loaded;
  if (!endpoint.enabled) {
    log.debug({ endpointId: endpoint.id }, 'callback skipped: endpoint disabled');
    return { recorded: close(services, delivery, 'cancelled') };
  }

  // The host has answered by now: a record lost to a database outage would post the event
  // again, which the host must then tell apart as a repeat.
  const attempt = await post(services, endpoint, event);
  const recorded = retryThroughOutage(
    () => record(services, { delivery, endpoint, attempt }, delivered), { log },
  ).then((outcome) => {
    hubMetrics.callbackDeliveries.inc({ type: event.type, outcome });
    // Every attempt is kept in the database; a delivered one is only worth a line when
    // debugging, and at four callbacks a message they were four in five of the lines a busy
    // worker wrote.
    const level = outcome === 'delivered' ? 'debug' : 'info';
    log[level]({ endpointId: endpoint.id, statusCode: attempt.statusCode, error: attempt.error,
      latencyMs: attempt.latencyMs, outcome }, 'callback attempted');
  });
  return { recorded };
}

export interface LoadedDelivery {
  delivery: Delivery;
  endpoint: Endpoint;
  event: Event;
}

/** The deliveries of a batch of jobs, with their endpoints and events, in one query. */
export async function loadDeliveries(
  services: HubServices,
  deliveryIds: string[],
): Promise<Map<string, LoadedDelivery>> {
  const rows = await services.database.db
    .select({ delivery: callbackDeliveries, endpoint: callbackEndpoints, event: outbox })
    .from(callbackDeliveries)
    .innerJoin(callbackEndpoints, eq(callbackEndpoints.id, callbackDeliveries.endpointId))
    .innerJoin(outbox, eq(outbox.id, callbackDeliveries.eventId))
    .where(isAnyOf(callbackDeliveries.id, deliveryIds, 'uuid'));
  return new Map(rows.map((row) => [row.delivery.id, row]));
}

/** The body every endpoint receives. */
export function callbackBody(event: Event): string {
  return JSON.stringify({
    id: event.id,
    type: event.type,
    accountId: event.accountId,
    createdAt: event.createdAt.toISOString(),
    data: event.data,
  });
}

async function post(services: HubServices, endpoint: Endpoint, event: Event): Promise<Attempt> {
  const body = callbackBody(event);
  const at = services.clock();
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);

  const headers = {
    'content-type': 'application/json',
    'user-agent': 'messaging-hub',
    ...signedHeaders(endpoint.secret, event.id, at, body),
  };
  const timeoutMs = services.config.callbacks.timeoutSeconds * 1000;
  try {
    const statusCode = await postBody(endpoint.url, headers, body, timeoutMs);
    return { at, statusCode, latencyMs: elapsed(), error: null };
  } catch (error) {
    return { at, statusCode: null, latencyMs: elapsed(), error: describeFailure(error) };
  }
}

/** A short code for why no answer came, without the URL or anything the host sent. */
function describeFailure(error: unknown): string {
  if (error instanceof NoAnswer) return error.code;
  return error instanceof Error ? error.name : 'unknown';
}

type Outcome = 'delivered' | 'retry' | 'failed' | 'gone';

function outcomeOf(attempt: Attempt, attempts: number, schedule: number[]): Outcome {
  const status = attempt.statusCode;
  if (status !== null && status >= 200 && status < 300) return 'delivered';
  if (status === 410) return 'gone';
  return attempts <= schedule.length ? 'retry' : 'failed';
}

interface Recorded {
  delivery: Delivery;
  endpoint: Endpoint;
  attempt: Attempt;
}

/**
 * Keeps the attempt and moves the delivery on, with the next attempt's job when there is one.
 * Guarded by the attempt count, so a job run twice records and retries once. A delivered
 * attempt, the usual case, joins the other deliveries recorded meanwhile in one statement; a
 * retry or a gone endpoint writes in a transaction of its own.
 */
async function record(
  services: HubServices,
  { delivery, endpoint, attempt }: Recorded,
  delivered: DeliveredWrites,
): Promise<Outcome> {
  const attempts = delivery.attempts + 1;
  const schedule = services.config.callbacks.retrySchedule;
  const outcome = outcomeOf(attempt, attempts, schedule);
  if (outcome === 'delivered') {
    await delivered.add({ delivery, attempt });
    return outcome;
  }

  const delay = outcome === 'retry' ? schedule[attempts - 1] : 0;
  const next = outcome === 'retry' ? new Date(attempt.at.getTime() + delay * 1000) : null;
  await services.database.db.transaction(async (tx) => {
    if (!await moveOn(tx, delivery, { attempt, attempts, outcome, next })) return;
    if (outcome === 'retry') await queueAttempts(tx, services, [delivery], delay);
    if (outcome === 'gone') await disable(tx, endpoint.id, attempt.at);
  });
  return outcome;
}

/** The records of delivered attempts, written together: see `recordDelivered`. */
export type DeliveredWrites = WriteBatcher<DeliveredAttempt, boolean>;

interface DeliveredAttempt {
  delivery: Delivery;
  attempt: Attempt;
}

export function deliveredWrites(db: Database): DeliveredWrites {
  return new WriteBatcher((items) => recordDelivered(db, items));
}

/**
 * Marks deliveries delivered and keeps their attempts, all in one statement, each guarded by
 * its attempt count as `moveOn` is; true for each one this run moved. The same delivery twice
 * in one batch (its job run twice at once) is moved once.
 */
async function recordDelivered(db: Database, items: DeliveredAttempt[]): Promise<boolean[]> {
  const first = new Map<string, DeliveredAttempt>();
  for (const item of items) {
    if (!first.has(item.delivery.id)) first.set(item.delivery.id, item);
  }
  const rows = [...first.values()].map(({ delivery, attempt }) => ({
    id: delivery.id, prior: delivery.attempts, at: attempt.at.toISOString(),
    status_code: attempt.statusCode, latency_ms: attempt.latencyMs,
  }));

  const moved = await db.execute<{ delivery_id: string }>(sql`
    with attempt as (
      select * from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb)
        as a(id uuid, prior int, at timestamptz, status_code int, latency_ms int)
    ), moved as (
      update callback_deliveries d
         set attempts = a.prior + 1, status = 'delivered', next_attempt_at = null,
             updated_at = a.at
        from attempt a
       where d.id = a.id and d.attempts = a.prior
      returning d.id
    )
    insert into callback_attempts (delivery_id, at, status_code, latency_ms, error)
    select a.id, a.at, a.status_code, a.latency_ms, null from attempt a join moved using (id)
    returning delivery_id`);

  const recorded = new Set(moved.map((row) => row.delivery_id));
  return items.map((item) =>
    first.get(item.delivery.id) === item && recorded.has(item.delivery.id));
}

interface Move {
  attempt: Attempt;
  attempts: number;
  /** Delivered attempts are recorded by `recordDelivered`. */
  outcome: Exclude<Outcome, 'delivered'>;
  next: Date | null;
}

/**
 * Moves an undelivered delivery on and keeps its attempt, in one statement; false when a
 * rerun lost.
 */
async function moveOn(tx: RelayTx, delivery: Delivery, move: Move): Promise<boolean> {
  const { attempt, attempts, outcome, next } = move;
  const status = outcome === 'retry' ? 'pending' : 'failed';
  const moved = tx.update(callbackDeliveries)
    .set({ attempts, status, nextAttemptAt: next, updatedAt: attempt.at })
    .where(and(
      eq(callbackDeliveries.id, delivery.id), eq(callbackDeliveries.attempts, delivery.attempts),
    ))
    .returning({ id: callbackDeliveries.id });

  // drizzle writes a query builder inside parentheses of its own.
  const rows = await tx.execute(sql`
    with moved as ${moved}
    insert into callback_attempts (delivery_id, at, status_code, latency_ms, error)
    select id, ${attempt.at.toISOString()}::timestamptz, ${attempt.statusCode}::int,
           ${attempt.latencyMs}::int, ${attempt.error}::text
      from moved
    returning delivery_id`);
  return rows.length > 0;
}

async function disable(
  tx: RelayTx,
  endpointId: string,
  at: Date,
): Promise<void> {
  await tx.update(callbackEndpoints)
    .set({ enabled: false, disabledReason: 'gone', disabledAt: at })
    .where(eq(callbackEndpoints.id, endpointId));
}

async function close(services: HubServices, delivery: Delivery, status: 'cancelled') {
  await services.database.db.update(callbackDeliveries)
    .set({ status, nextAttemptAt: null, updatedAt: services.clock() })
    .where(and(eq(callbackDeliveries.id, delivery.id), eq(callbackDeliveries.status, 'pending')));
}
