import { and, eq } from 'drizzle-orm';
import type { Logger } from '../log.ts';
import { ProviderError } from '../plugins/provider-error.ts';
import type { HubServices } from '../services.ts';
import { composeNotification } from './compose.ts';
import { notifications, users } from './tables.ts';

export interface SendJob {
  notificationId: string;
}

type Notification = typeof notifications.$inferSelect;

/**
 * Sends a notification through the email channel, which costs no credit, and marks it sent.
 * A passing provider failure throws, and the queue tries again; a permanent one marks it
 * failed. A crash between the send and the mark sends it again: staff may rarely get an
 * email twice, but never miss one.
 */
export async function sendNotification(services: HubServices, job: SendJob, log: Logger) {
  const [row] = await services.database.db
    .select({ notification: notifications, email: users.email })
    .from(notifications)
    .innerJoin(users, eq(users.id, notifications.userId))
    .where(eq(notifications.id, job.notificationId));
  if (!row || row.notification.status !== 'pending') {
    log.debug({ status: row?.notification.status }, 'notification skipped: not pending');
    return;
  }

  const { notification } = row;
  const instance = services.plugins.channels.get('email')?.instance;
  if (!instance) {
    log.warn('notification not sent: the email channel is not enabled');
    return mark(services, notification, { status: 'failed' });
  }

  const account = await services.accounts.get(notification.accountId);
  try {
    const result = await instance.send({
      messageId: notification.id, accountId: account.id, to: row.email,
      from: account.settings.senders.email, body: composeNotification(account, notification),
      attachments: [], language: account.settings.language, automated: true,
      trigger: 'notifications', kind: notification.kind,
    });
    await mark(services, notification, {
      status: 'sent', provider: instance.provider, providerId: result.providerId,
      sentAt: services.clock(),
    });
    log.info({ kind: notification.kind, count: notification.summary.count }, 'notification sent');
  } catch (error) {
    if (!(error instanceof ProviderError && error.permanent)) throw error;
    log.warn({ err: error, reason: error.reason }, 'notification failed for good');
    await mark(services, notification, { status: 'failed' });
  }
}

async function mark(
  services: HubServices,
  notification: Notification,
  set: Partial<Pick<Notification, 'status' | 'provider' | 'providerId' | 'sentAt'>>,
): Promise<void> {
  await services.database.db.update(notifications).set(set)
    .where(and(eq(notifications.id, notification.id), eq(notifications.status, 'pending')));
}
