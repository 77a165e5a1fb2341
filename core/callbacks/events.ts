import { outbox } from '../db/schema.ts';
import type { Executor } from '../messages/status-log.ts';
import { eventRelay } from './tables.ts';

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
 * text or addresses.
 */
export async function emitEvent(
  tx: Executor,
  accountId: string,
  type: EventType,
  data: Record<string, unknown>,
  at: Date = new Date(),
): Promise<string> {
  const [event] = await tx.insert(outbox)
    .values({ accountId, type, data, createdAt: at })
    .returning({ id: outbox.id });
  await tx.insert(eventRelay).values({ outboxId: event.id });
  return event.id;
}
