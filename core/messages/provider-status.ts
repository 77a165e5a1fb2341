import { and, eq, sql } from 'drizzle-orm';
import { optOutReported } from '../consent/provider-reports.ts';
import { messages, providerEvents, type MessageStatus } from '../db/schema.ts';
import type { StatusUpdate } from '../plugins/channel.ts';
import type { HubServices } from '../services.ts';
import { changeStatus, type Executor, type StatusChange } from './status-log.ts';

/**
 * Which statuses each reported status may follow. Providers call back out of order, so a
 * late `sent` never moves a message back from `delivered`.
 */
const allowedFrom: Record<StatusUpdate['status'], MessageStatus[]> = {
  sent: ['sending'],
  delivered: ['sending', 'sent'],
  failed: ['sending', 'sent'],
};

export type StatusOutcome = 'applied' | 'ignored' | 'unknown_message';

/** Applies a provider's delivery report to its message, once, and the opt-out it reports. */
export async function applyStatusUpdate(
  services: HubServices,
  update: StatusUpdate,
): Promise<StatusOutcome> {
  const { db } = services.database;
  const message = await reportedMessage(db, update);
  if (!message) return 'unknown_message';

  const change: StatusChange = {
    status: update.status,
    reason: update.status === 'failed' ? update.reason ?? 'provider_error' : null,
    at: services.clock(),
    from: allowedFrom[update.status],
    set: update.units === undefined ? undefined : { units: update.units },
  };

  // The usual report, a send that went out or arrived, is one statement with its event id; a
  // failure (which raises an error) or a reported opt-out writes more, in one transaction.
  if (update.status === 'failed' || update.optOut) {
    return db.transaction((tx) => applyWithOthers(tx, services, { update, message, change }));
  }
  const changed = await changeStatus(db, message, { ...change, requires: freshEvent(update) });
  return changed ? 'applied' : 'ignored';
}

type ReportedMessage = NonNullable<Awaited<ReturnType<typeof reportedMessage>>>;

async function reportedMessage(db: Executor, update: StatusUpdate) {
  const [message] = await db
    .select({
      id: messages.id, accountId: messages.accountId,
      recipientId: messages.recipientId, channel: messages.channel,
    })
    .from(messages)
    .where(and(
      eq(messages.provider, update.provider), eq(messages.providerId, update.providerId),
    ));
  return message;
}

/** The statement part that records the provider's event id, yielding a row when it is new. */
function freshEvent(update: StatusUpdate): StatusChange['requires'] {
  if (!update.eventId) return undefined;
  return {
    name: 'fresh',
    part: sql`fresh as (
      insert into provider_events (provider, event_id)
      values (${update.provider}, ${update.eventId})
      on conflict do nothing
      returning event_id)`,
  };
}

interface Report {
  update: StatusUpdate;
  message: ReportedMessage;
  change: StatusChange;
}

async function applyWithOthers(
  tx: Executor,
  services: HubServices,
  { update, message, change }: Report,
): Promise<StatusOutcome> {
  if (update.eventId) {
    const fresh = await tx.insert(providerEvents)
      .values({ provider: update.provider, eventId: update.eventId })
      .onConflictDoNothing()
      .returning({ eventId: providerEvents.eventId });
    if (fresh.length === 0) return 'ignored';
  }

  const changed = await changeStatus(tx, message, change);
  if (update.optOut) await optOutReported(tx, services, message, update.optOut.detail);
  return changed ? 'applied' : 'ignored';
}
