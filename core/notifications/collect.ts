import { and, eq, inArray, isNull, lte } from 'drizzle-orm';
import { outbox } from '../db/schema.ts';
import { queueNames } from '../queue/queue.ts';
import type { HubServices } from '../services.ts';
import {
  notificationItems, notifications, type NotificationSummary,
} from './tables.ts';

/** Items taken per run; a larger backlog is taken by the next runs. */
const batchSize = 5000;

export interface CollectJob {
  /** Only this user's items; all users' when absent (the cron job). */
  userId?: string;
}

type Item = typeof notificationItems.$inferSelect;

/**
 * Turns the items that are due into notifications: one per user and kind, counting its
 * items, each queued for sending in the same transaction that marks its items. Items locked
 * by another worker are left to it. Returns how many notifications were made.
 */
export async function collectDue(services: HubServices, job: CollectJob): Promise<number> {
  const now = services.clock();
  return services.database.db.transaction(async (tx) => {
    const due = await tx.select({ item: notificationItems, data: outbox.data })
      .from(notificationItems)
      .innerJoin(outbox, eq(outbox.id, notificationItems.eventId))
      .where(and(
        isNull(notificationItems.notificationId),
        lte(notificationItems.dueAt, now),
        job.userId ? eq(notificationItems.userId, job.userId) : undefined,
      ))
      .orderBy(notificationItems.id)
      .limit(batchSize)
      .for('update', { of: notificationItems, skipLocked: true });

    const groups = groupByUserAndKind(due);
    for (const group of groups.values()) {
      const { item } = group[0];
      const [notification] = await tx.insert(notifications).values({
        accountId: item.accountId, userId: item.userId, kind: item.kind,
        summary: summarize(group), createdAt: now,
      }).returning({ id: notifications.id });

      await tx.update(notificationItems)
        .set({ notificationId: notification.id })
        .where(inArray(notificationItems.id, group.map((entry) => entry.item.id)));
      await services.queue.send(tx, queueNames.notificationSend, {
        notificationId: notification.id,
      });
    }
    return groups.size;
  });
}

type Due = { item: Item; data: Record<string, unknown> };

function groupByUserAndKind(due: Due[]): Map<string, Due[]> {
  const groups = new Map<string, Due[]>();
  for (const entry of due) {
    const key = `${entry.item.userId}:${entry.item.kind}`;
    const group = groups.get(key);
    if (group) group.push(entry);
    else groups.set(key, [entry]);
  }
  return groups;
}

/** What the email will say: a count, the reasons of errors, the message when only one. */
function summarize(group: Due[]): NotificationSummary {
  const summary: NotificationSummary = { count: group.length };
  if (group.length === 1 && typeof group[0].data.messageId === 'string') {
    summary.messageId = group[0].data.messageId;
  }
  if (group[0].item.kind === 'errors') {
    summary.reasons = {};
    for (const { data } of group) {
      const reason = String(data.reason ?? 'unknown');
      summary.reasons[reason] = (summary.reasons[reason] ?? 0) + 1;
    }
  }
  return summary;
}
