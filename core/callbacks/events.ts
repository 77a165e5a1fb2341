import { sql } from 'drizzle-orm';
import type { Executor } from '../messages/status-log.ts';

/** Every event the host can subscribe to. */
export const eventTypes = [
  'message.status',
  'message.received',
  'appointment.confirmed',
  'appointment.cancelled',
  'consent.changed',
  'messaging.error',
  'credit.low',
] as const;

export type EventType = (typeof eventTypes)[number];

/** An outbox event as its consumers see it. */
export interface HubEvent {
  id: string;
  accountId: string;
  type: EventType;
  data: Record<string, unknown>;
  createdAt: Date;
}

/**
 * Writes an event for the host in the caller's transaction, so it exists exactly when the
 * change that caused it does. The event relay hands it to callbacks, notifications and the
 * credit ledger after the transaction commits. Data carries ids and codes, never message
 * text or addresses. One statement writes both the event and its place on the relay.
 */
export async function emitEvent(
  tx: Executor,
  accountId: string,
  type: EventType,
  data: Record<string, unknown>,
  at: Date = new Date(),
): Promise<string> {
  const rows = await tx.execute<{ id: string }>(sql`
    with event as (
      insert into outbox (account_id, type, data, created_at)
      values (${accountId}, ${type}, ${JSON.stringify(data)}::jsonb, ${at.toISOString()})
      returning id)
    insert into event_relay (outbox_id) select id from event
    returning outbox_id as id`);
  return rows[0].id;
}
