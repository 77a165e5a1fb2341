import { and, eq, inArray } from 'drizzle-orm';
import type { Account } from '../accounts/store.ts';
import { messages, type MessageStatus, type recipients } from '../db/schema.ts';
import type { Logger } from '../log.ts';
import { changeStatus } from '../messages/status-log.ts';
import { queueNames } from '../queue/queue.ts';
import type { HubServices } from '../services.ts';
import { isQuiet, nextOpening, quietChannels } from './quiet-hours.ts';

export interface DueMessage {
  account: Account;
  message: typeof messages.$inferSelect;
  recipient: typeof recipients.$inferSelect;
  now: Date;
}

/** Statuses a message can be dispatched from; the move keeps whichever it has. */
const waiting: MessageStatus[] = ['scheduled', 'held', 'sending'];

/**
 * Holds back an sms or voice message that comes due inside the recipient's quiet hours: after
 * downtime, a hold, or a plan that could not avoid them. It is queued again for the moment
 * the window opens, or expires now when that moment is past its expiry. Returns true when
 * the message was held back and this dispatch should stop.
 *
 * A reminder is not moved earlier here, since its moment has come. Its `latestAt` is not
 * stored either, so a reminder held this way may go out with less than the minimum lead
 * before the appointment; it still expires when the appointment starts.
 */
export async function deferToWindow(
  services: HubServices,
  due: DueMessage,
  log: Logger,
): Promise<boolean> {
  const { account, message, recipient, now } = due;
  const zone = recipient.timeZone ?? account.settings.timeZone;
  const window = account.settings.quietHours;
  if (!quietChannels.has(message.channel) || !isQuiet(now, window, zone)) return false;

  const opening = nextOpening(now, window, zone);
  const expires = message.expiresAt !== null && message.expiresAt <= opening;
  await services.database.db.transaction(async (tx) => {
    if (expires) {
      const expiry = { status: 'expired', reason: 'expired', at: now, from: waiting } as const;
      await changeStatus(tx, message, expiry);
      return;
    }

    const moved = await tx.update(messages).set({ sendAt: opening, updatedAt: now })
      .where(and(eq(messages.id, message.id), inArray(messages.status, waiting)))
      .returning({ id: messages.id });
    if (moved.length === 0) return;
    await services.queue.send(tx, queueNames.dispatch, { messageId: message.id }, {
      startAfter: opening,
    });
  });

  log.info({ until: opening.toISOString(), expired: expires }, 'message held for quiet hours');
  return true;
}
