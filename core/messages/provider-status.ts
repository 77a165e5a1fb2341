import { and, eq } from 'drizzle-orm';
import { optOutReported } from '../consent/provider-reports.ts';
import { messages, providerEvents, type MessageStatus } from '../db/schema.ts';
import type { StatusUpdate } from '../plugins/channel.ts';
import type { HubServices } from '../services.ts';
import { changeStatus } from './status-log.ts';

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
  return services.database.db.transaction(async (tx) => {
    const [message] = await tx
      .select({
        id: messages.id, accountId: messages.accountId,
        recipientId: messages.recipientId, channel: messages.channel,
      })
      .from(messages)
      .where(and(
        eq(messages.provider, update.provider), eq(messages.providerId, update.providerId),
      ));
    if (!message) return 'unknown_message';

    if (update.eventId) {
      const fresh = await tx.insert(providerEvents)
        .values({ provider: update.provider, eventId: update.eventId })
        .onConflictDoNothing()
        .returning({ eventId: providerEvents.eventId });
      if (fresh.length === 0) return 'ignored';
    }

    const changed = await changeStatus(tx, message, {
      status: update.status,
      reason: update.status === 'failed' ? update.reason ?? 'provider_error' : null,
      at: services.clock(),
      from: allowedFrom[update.status],
      set: update.units === undefined ? undefined : { units: update.units },
    });
    if (update.optOut) await optOutReported(tx, services, message, update.optOut.detail);
    return changed ? 'applied' : 'ignored';
  });
}
