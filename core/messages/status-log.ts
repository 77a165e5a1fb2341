import { and, eq, inArray, sql, type SQL, type SQLWrapper } from 'drizzle-orm';
import type { PgUpdateSetSource } from 'drizzle-orm/pg-core';
import type { Database } from '../db/client.ts';
import { raiseStatusError } from '../callbacks/messaging-errors.ts';
import { messages, type MessageContent, type MessageStatus } from '../db/schema.ts';
import { StatementCache } from '../db/statement-cache.ts';
import { hubMetrics } from '../metrics/hub-metrics.ts';
import type { StatusReason } from './reasons.ts';

/** A transaction or the database itself: drizzle gives both the same query methods. */
export type Executor = Pick<Database, 'insert' | 'update' | 'select' | 'execute'>;

/** Columns that change with the status. */
export type StatusSet = Partial<{
  content: MessageContent;
  address: string;
  provider: string;
  providerId: string;
  units: number;
  attempts: number;
  language: string;
  dispatchJob: string;
}>;

export interface StatusChange {
  status: MessageStatus;
  reason?: StatusReason | null;
  at: Date;
  /** Change only a message that is in one of these statuses. */
  from?: MessageStatus[];
  /** Other columns that change with the status. */
  set?: StatusSet;
  /**
   * Change a message that is `sending` only for the dispatch job that claimed it, so a send
   * in flight is never claimed by a second job.
   */
  claimedBy?: string;
  /** Moves the message's thread up the inbox, as of `at` (see `touchThread`). */
  touchThread?: boolean;
  /**
   * A provider's event the change comes from: it is recorded in the same statement, and a
   * repeat of it, already recorded, changes nothing.
   */
  providerEvent?: { provider: string; eventId: string };
}

const statusChanges = new StatementCache();

/**
 * Moves a message to a new status: the row, its status history and the host's
 * `message.status` event change together, in one statement of the caller's transaction (a
 * failure adds its `messaging.error`). Returns false, and changes nothing, when the message
 * is no longer in one of the `from` statuses: another worker or the host got there first.
 */
export async function changeStatus(
  tx: Executor,
  message: { id: string; accountId: string },
  change: StatusChange,
): Promise<boolean> {
  const set = Object.fromEntries(
    Object.entries(change.set ?? {}).filter(([, value]) => value !== undefined),
  );
  const shape = JSON.stringify([change.from, Object.keys(set), change.claimedBy !== undefined,
    change.providerEvent !== undefined, change.touchThread === true]);
  const statement = statusChanges.bind(shape, () => statusChangeStatement(tx, change, set), {
    ...prefixed('set.', set),
    id: message.id,
    ...eventValues(change),
    at: change.at,
    claimedBy: change.claimedBy,
    provider: change.providerEvent?.provider,
    eventId: change.providerEvent?.eventId,
  });

  const rows = await tx.execute<{ channel: string; trigger: string }>(statement);
  if (rows.length === 0) return false;

  countStatus(rows[0], change);
  await raiseStatusError(tx, message, change);
  return true;
}

/**
 * The statement of a status change, with placeholders for every value, so that it can be
 * built once for each shape of change; only the names of `set`'s columns are read from it.
 */
function statusChangeStatement(tx: Executor, change: StatusChange, set: StatusSet): SQL {
  const fresh = change.providerEvent !== undefined;
  const claimed = sql`(${messages.status} <> 'sending'
    or ${messages.dispatchJob} = ${sql.placeholder('claimedBy')})`;
  const where = and(
    eq(messages.id, sql.placeholder('id')),
    change.from ? inArray(messages.status, change.from) : undefined,
    change.claimedBy === undefined ? undefined : claimed,
    fresh ? sql`exists (select 1 from fresh)` : undefined,
  );
  // drizzle takes a placeholder for a column's value, with the column's encoding, though its
  // types only say so for prepared queries.
  const columns = Object.fromEntries([
    ...Object.keys(set).map((key) => [key, sql.placeholder(`set.${key}`)]),
    ['status', eventPlaceholders['event.status']],
    ['statusReason', eventPlaceholders['event.reason']],
    ['updatedAt', sql.placeholder('at')],
  ]) as PgUpdateSetSource<typeof messages>;
  const update = tx.update(messages)
    .set(columns)
    .where(where)
    .returning({ id: messages.id, accountId: messages.accountId, channel: messages.channel,
      trigger: messages.trigger, threadId: messages.threadId });

  // drizzle writes a query builder inside parentheses of its own.
  return sql`
    with ${fresh ? sql`${freshEventPart()}, ` : sql``}changed as ${update},
    ${historyAndEvent(eventPlaceholders)}${change.touchThread ? threadPart() : sql``}
    select channel, trigger from changed`;
}

/** Records a provider's event as seen; yields a row only the first time. */
function freshEventPart(): SQL {
  return sql`fresh as (
      insert into provider_events (provider, event_id)
      values (${sql.placeholder('provider')}, ${sql.placeholder('eventId')})
      on conflict do nothing
      returning event_id)`;
}

function prefixed(prefix: string, values: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(values).map(([key, value]) => [prefix + key, value]));
}

/**
 * Writes the history entry and the host event of a status the row already has, and a
 * `messaging.error` when the status is a failure. Given the message's channel and trigger, it
 * also counts the status in `hub_messages_total`.
 */
export async function recordStatus(
  tx: Executor,
  message: { id: string; accountId: string; channel?: string; trigger?: string },
  change: Pick<StatusChange, 'status' | 'reason' | 'at'>,
): Promise<void> {
  await tx.execute(sql`
    with changed as (select ${message.id}::uuid as id, ${message.accountId} as account_id),
    ${historyAndEvent(eventValues(change))}
    select 1`);
  await afterStatus(tx, message, change);
}

/** The insert of a new message, written once with placeholders and run with `values`. */
export interface NewMessageStatement {
  /** Names the statement: its text must be the same for every call with this name. */
  shape: string;
  /**
   * A first part, `<name> as (…)`, the insert may read (such as the message's thread), and the
   * insert, which returns `id` and `account_id` and may insert nothing when its key exists.
   */
  build: () => { first: SQL; insert: SQLWrapper };
  values: Record<string, unknown>;
}

const newMessages = new StatementCache();

/**
 * Stores a new message with its first status: the insert, the status history and the host's
 * event, in one statement. Returns the new message's id, or undefined.
 */
export async function insertWithStatus(
  tx: Executor,
  statement: NewMessageStatement,
  message: { accountId: string; channel: string; trigger: string },
  change: Pick<StatusChange, 'status' | 'reason' | 'at'>,
): Promise<string | undefined> {
  const build = () => {
    const { first, insert } = statement.build();
    return sql`
      with ${first}, changed as ${insert},
      ${historyAndEvent(eventPlaceholders)}
      select id from changed`;
  };
  const values = { ...statement.values, ...eventValues(change) };
  const rows = await tx.execute<{ id: string }>(newMessages.bind(statement.shape, build, values));
  if (rows.length === 0) return undefined;

  const { id } = rows[0];
  await afterStatus(tx, { ...message, id }, change);
  return id;
}

/** Counts a status written with its history, and raises the error a failure is. */
async function afterStatus(
  tx: Executor,
  message: { id: string; accountId: string; channel?: string; trigger?: string },
  change: Pick<StatusChange, 'status' | 'reason' | 'at'>,
): Promise<void> {
  const { channel, trigger } = message;
  if (channel && trigger) countStatus({ channel, trigger }, change);
  await raiseStatusError(tx, message, change);
}

/** A status's values in the history and the event: given, or placeholders for them. */
interface EventValues {
  'event.status': unknown;
  'event.reason': unknown;
  /** An ISO 8601 time. */
  'event.at': unknown;
}

function eventValues(change: Pick<StatusChange, 'status' | 'reason' | 'at'>): EventValues {
  return {
    'event.status': change.status,
    'event.reason': change.reason ?? null,
    'event.at': change.at.toISOString(),
  };
}

const eventPlaceholders: EventValues = {
  'event.status': sql.placeholder('event.status'),
  'event.reason': sql.placeholder('event.reason'),
  'event.at': sql.placeholder('event.at'),
};

/**
 * The parts of a statement that follow a `changed (id, account_id)` part: the status history
 * row and the `message.status` event with its place on the event relay (`emitEvent`).
 */
function historyAndEvent(values: EventValues) {
  const { 'event.status': status, 'event.reason': reason, 'event.at': at } = values;
  return sql`
    history as (
      insert into message_events (message_id, status, reason, at)
      select id, ${status}, ${reason}, ${at}::timestamptz from changed),
    event as (
      insert into outbox (account_id, type, data, created_at)
      select account_id, 'message.status',
             jsonb_build_object('messageId', id, 'status', ${status}::text,
                                'reason', ${reason}::text),
             ${at}::timestamptz
        from changed
      returning id),
    relay as (insert into event_relay (outbox_id) select id from event)`;
}

function threadPart() {
  const at = eventPlaceholders['event.at'];
  return sql`,
    thread as (
      update threads set last_message_at = greatest(last_message_at, ${at}::timestamptz)
        from changed where threads.id = changed.thread_id)`;
}

/**
 * Counts the status in `hub_messages_total`. The count is taken inside the transaction, so a
 * transaction that rolls back afterwards has counted too.
 */
export function countStatus(
  message: { channel: string; trigger: string },
  change: Pick<StatusChange, 'status' | 'reason'>,
): void {
  const { channel, trigger } = message;
  hubMetrics.messages.inc({ channel, trigger, status: change.status, reason: change.reason ?? '' });
}

/** Statuses a message can still leave by being sent. */
export const pendingStatuses: MessageStatus[] = ['scheduled', 'held'];

/** Keeps the thread's order of conversations current. */
export async function touchThread(tx: Executor, threadId: string, at: Date, unread = false) {
  const time = at.toISOString();
  await tx.execute(sql`
    update threads
       set last_message_at = greatest(last_message_at, ${time}::timestamptz),
           unread_count = unread_count + ${unread ? 1 : 0}
     where id = ${threadId}`);
}
