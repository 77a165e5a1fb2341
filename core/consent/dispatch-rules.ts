import type { Account } from '../accounts/store.ts';
import type { messages, recipients } from '../db/schema.ts';
import type { Logger } from '../log.ts';
import { changeStatus } from '../messages/status-log.ts';
import { queueNames } from '../queue/queue.ts';
import { parseDuration } from '../scheduling/durations.ts';
import type { HubServices } from '../services.ts';
import { consentTrigger, isKeywordAnswer } from './messages.ts';
import { needsOptIn, planOptInRequest } from './opt-in.ts';
import type { ConsentStatus } from './tables.ts';

export interface DueMessage {
  account: Account;
  message: typeof messages.$inferSelect;
  recipient: typeof recipients.$inferSelect;
  /** The recipient's consent on the message's channel, as the dispatch read it. */
  consent: ConsentStatus | undefined;
  now: Date;
}

/**
 * The consent rules of a dispatch, after "messaging enabled": a recipient who opted out of
 * the channel gets nothing (`suppressed`, `unsubscribed`); where the account requires an
 * opt-in, a message to someone who has not given it is `held` (`awaiting_opt_in`) until they
 * do, and `expired` (`opt_in_expired`) when its moment passes first. Returns true when the
 * dispatch should stop here.
 */
export async function stopWithoutConsent(
  services: HubServices,
  due: DueMessage,
  log: Logger,
): Promise<boolean> {
  const { account, message, consent, now } = due;
  if (isKeywordAnswer(message)) return false;

  if (consent === 'opted_out') {
    await finish(services, message, 'suppressed', 'unsubscribed', now);
    log.info({ reason: 'unsubscribed' }, 'message not sent');
    return true;
  }
  if (consent === 'opted_in' || message.trigger === consentTrigger) return false;
  if (!needsOptIn(services, account, message.channel)) return false;

  const deadline = optInDeadline(account, message);
  if (deadline <= now) {
    await finish(services, message, 'expired', 'opt_in_expired', now);
    log.info({ reason: 'opt_in_expired' }, 'message expired waiting for opt-in');
    return true;
  }

  await hold(services, due, deadline);
  log.info({ reason: 'awaiting_opt_in', until: deadline.toISOString() }, 'message held');
  return true;
}

/**
 * The moment a message stops waiting for consent: its own expiry (an appointment's start, a
 * form link's end), or the account's longest wait after it came due, whichever is first.
 */
export function optInDeadline(account: Account, message: DueMessage['message']): Date {
  const wait = message.sendAt.getTime() + parseDuration(account.settings.optInMaxWait);
  const expiry = message.expiresAt?.getTime() ?? Infinity;
  return new Date(Math.min(wait, expiry));
}

/**
 * Holds the message, asks for consent if nobody has yet, and queues one more dispatch for the
 * deadline, which expires it unless an opt-in released it before.
 */
async function hold(services: HubServices, due: DueMessage, deadline: Date) {
  const { account, message, recipient, now } = due;
  await services.database.db.transaction(async (tx) => {
    // A message held before has its deadline dispatch queued already.
    const heldBefore = message.status === 'held' && message.statusReason === 'awaiting_opt_in';
    if (!heldBefore) {
      const held = await changeStatus(tx, message, {
        status: 'held', reason: 'awaiting_opt_in', at: now, from: ['scheduled', 'held'],
      });
      if (!held) return;
      await services.queue.send(tx, queueNames.dispatch, { messageId: message.id }, {
        startAfter: deadline,
      });
    }

    await planOptInRequest(tx, services, {
      account, recipient, channel: message.channel, sendAt: now,
    });
  });
}

async function finish(
  services: HubServices,
  message: DueMessage['message'],
  status: 'suppressed' | 'expired',
  reason: 'unsubscribed' | 'opt_in_expired',
  at: Date,
) {
  await services.database.db.transaction(async (tx) => {
    await changeStatus(tx, message, { status, reason, at, from: ['scheduled', 'held', 'sending'] });
  });
}
