import { and, eq, inArray, sql } from 'drizzle-orm';
import type { Database } from '../db/client.ts';
import { emitEvent } from '../callbacks/events.ts';
import { raiseStatusError } from '../callbacks/messaging-errors.ts';
import {
  messageEvents, messages, type MessageContent, type MessageStatus,
} from '../db/schema.ts';
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
  }>;
}

/**
 * Moves a message to a new status: the row, its status history and the host's
 * `message.status` event change together, in the caller's transaction. Returns false, and
 * changes nothing, when the message is no longer in one of the `from` statuses: another
 * worker or the host got there first.
 */
export async function changeStatus(
  tx: Executor,
  message: { id: string; accountId: string },
  change: StatusChange,
): Promise<boolean> {
  const where = change.from
    ? and(eq(messages.id, message.id), inArray(messages.status, change.from))
    : eq(messages.id, message.id);
  const changed = await tx.update(messages)
    .set({ ...change.set, status: change.status, statusReason: change.reason ?? null,
      updatedAt: change.at })
    .where(where)
    .returning({ id: messages.id, channel: messages.channel, trigger: messages.trigger });
  if (changed.length === 0) return false;

  await recordStatus(tx, { ...message, ...changed[0] }, change);
  return true;
}

/**
 * Writes the history entry and the host event of a status the row already has, and a
 * `messaging.error` when the status is a failure. Given the message's channel and trigger, it
 * also counts the status in `hub_messages_total`; the count is taken inside the transaction,
 * so a transaction that rolls back afterwards has counted too.
 */
export async function recordStatus(
  tx: Executor,
  message: { id: string; accountId: string; channel?: string; trigger?: string },
  change: Pick<StatusChange, 'status' | 'reason' | 'at'>,
): Promise<void> {
  if (message.channel && message.trigger) {
    const { channel, trigger } = message;
    const reason = change.reason ?? '';
    hubMetrics.messages.inc({ channel, trigger, status: change.status, reason });
  }

  await tx.insert(messageEvents).values({
    messageId: message.id, status: change.status, reason: change.reason ?? null, at: change.at,
  });
  await emitEvent(tx, message.accountId, 'message.status', {
    messageId: message.id, status: change.status, reason: change.reason ?? null,
  }, change.at);
  await raiseStatusError(tx, message, change);
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
