import { inArray } from 'drizzle-orm';
import type { EventConsumer } from '../callbacks/relay.ts';
import { queueNames } from '../queue/queue.ts';
import type { HubServices } from '../services.ts';
import { dueAt, kindOf } from './settings.ts';
import { notificationItems, users } from './tables.ts';

/**
 * Consumes new messages and errors: an item for each user of the account who wants to hear
 * of that kind, due when their frequency says. Users who hear at once get a job right away;
 * digests are collected by the cron job.
 */
export const planNotifications: EventConsumer = async (tx, services, events) => {
  const relevant = events.flatMap((event) => {
    const kind = kindOf(event.type);
    return kind ? [{ event, kind }] : [];
  });
  if (relevant.length === 0) return;

  const accountIds = [...new Set(relevant.map(({ event }) => event.accountId))];
  const staff = await tx.select().from(users).where(inArray(users.accountId, accountIds));
  if (staff.length === 0) return;

  const zones = await accountZones(services, accountIds);
  const items = relevant.flatMap(({ event, kind }) => staff
    .filter((user) => user.accountId === event.accountId)
    .flatMap((user) => {
      const setting = user.notifications[kind];
      const due = dueAt(setting, event.createdAt, user.timeZone ?? zones.get(user.accountId)!);
      if (!due) return [];
      return [{ accountId: user.accountId, userId: user.id, kind, eventId: event.id,
        frequency: setting.frequency, dueAt: due, createdAt: event.createdAt }];
    }));
  if (items.length === 0) return;

  await tx.insert(notificationItems).values(items).onConflictDoNothing();
  const now = new Set(items.filter((item) => item.frequency === 'immediately')
    .map((item) => item.userId));
  for (const userId of now) {
    await services.queue.send(tx, queueNames.notificationCollect, { userId });
  }
};

async function accountZones(services: HubServices, accountIds: string[]) {
  const zones = new Map<string, string>();
  for (const id of accountIds) {
    zones.set(id, (await services.accounts.get(id)).settings.timeZone);
  }
  return zones;
}
