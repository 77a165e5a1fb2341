import { and, eq, inArray, sql, type SQL, type SQLWrapper } from 'drizzle-orm';
import type { Database } from '../db/client.ts';
import { raiseStatusError } from '../callbacks/messaging-errors.ts';
import { messages, type MessageContent, type MessageStatus } from '../db/schema.ts';
import { hubMetrics } from '../metrics/hub-metrics.ts';
import type { StatusReason } from './reasons.ts';

/** A transaction or the database itself: drizzle gives both the same query methods. */
export type Executor = Pick<Database, 'insert' | 'update' | 'select' | 'execute'>;

export interface StatusChange {
  status: MessageStatus;
  reason?: StatusReason | null;
  at: Date;
  /** Change only a message that is in one of these statuses. */
  from?: MessageStatus[];
  /** Other columns that change with the status. */
  set?: Partial<{
    content: MessageContent;
    address: string;
    provider: string;
    providerId: string;
    units: number;
    attempts: number;
    language: string;
    dispatchJob: string;
  }>;
  /** One more condition the row must meet. */
  also?: SQL;
  /** Moves the message's thread up the inbox, as of `at` (see `touchThread`). */
  touchThread?: boolean;
  /**
   * A first part of the same statement, `<name> as (…)`, that must yield a row for the change
   * to be made: a provider's event id recorded as new, so a repeated report changes nothing.
   */
  requires?: { name: string; part: SQL };
}

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
  const { requires } = change;
  const where = and(
    eq(messages.id, message.id),
    change.from ? inArray(messages.status, change.from) : undefined,
    change.also,
    requires ? sql`exists (select 1 from ${sql.identifier(requires.name)})` : undefined,
  );
  const update = tx.update(messages)
    .set({ ...change.set, status: change.status, statusReason: change.reason ?? null,
      updatedAt: change.at })
    .where(where)
    .returning({ id: messages.id, accountId: messages.accountId, channel: messages.channel,
      trigger: messages.trigger, threadId: messages.threadId });

  // drizzle writes a query builder inside parentheses of its own.
  const rows = await tx.execute<{ channel: string; trigger: string }>(sql`
    with ${requires ? sql`${requires.part}, ` : sql``}changed as ${update},
    ${historyAndEvent(change)}${change.touchThread ? threadPart(change.at) : sql``}
    select channel, trigger from changed`);
  if (rows.length === 0) return false;

  countStatus(rows[0], change);
  await raiseStatusError(tx, message, change);
  return true;
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
    ${historyAndEvent(change)}
    select 1`);
  await afterStatus(tx, message, change);
}

/**
 * Stores a new message with its first status: the insert (which returns `id` and
 * `account_id`, and may insert nothing when its key exists), the status history and the
 * host's event, in one statement. `first` is a part, `<name> as (…)`, the insert may read,
 * such as the message's thread. Returns the new message's id, or undefined.
 */
export async function insertWithStatus(
  tx: Executor,
  statement: { first: SQL; insert: SQLWrapper },
  message: { accountId: string; channel: string; trigger: string },
  change: Pick<StatusChange, 'status' | 'reason' | 'at'>,
): Promise<string | undefined> {
  const rows = await tx.execute<{ id: string }>(sql`
    with ${statement.first}, changed as ${statement.insert},
    ${historyAndEvent(change)}
    select id from changed`);
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

/**
 * The parts of a statement that follow a `changed (id, account_id)` part: the status history
 * row and the `message.status` event with its place on the event relay (`emitEvent`).
 */
function historyAndEvent(change: Pick<StatusChange, 'status' | 'reason' | 'at'>) {
  const at = change.at.toISOString();
  const reason = change.reason ?? null;
  return sql`
    history as (
      insert into message_events (message_id, status, reason, at)
      select id, ${change.status}, ${reason}, ${at}::timestamptz from changed),
    event as (
      insert into outbox (account_id, type, data, created_at)
      select account_id, 'message.status',
             jsonb_build_object('messageId', id, 'status', ${change.status}::text,
                                'reason', ${reason}::text),
             ${at}::timestamptz
        from changed
      returning id),
    relay as (insert into event_relay (outbox_id) select id from event)`;
}

function threadPart(at: Date) {
  const time = at.toISOString();
  return sql`,
    thread as (
      update threads set last_message_at = greatest(last_message_at, ${time}::timestamptz)
        from changed where threads.id = changed.thread_id)`;
}

/**
 * Counts the status in `hub_messages_total`. The count is taken inside the transaction, so a
 * transaction that rolls back afterwards has counted too.
 */
function countStatus(
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
