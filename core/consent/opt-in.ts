import { and, eq, gt } from 'drizzle-orm';
import type { Account } from '../accounts/store.ts';
import { messages, type recipients } from '../db/schema.ts';
import type { Executor } from '../messages/status-log.ts';
import { queueNames } from '../queue/queue.ts';
import { parseDuration } from '../scheduling/durations.ts';
import type { HubServices } from '../services.ts';
import { consentLink } from './links.ts';
import { storeConsentMessage } from './messages.ts';
import { consentStatus } from './store.ts';
import { optInRequests } from './tables.ts';

type Recipient = Pick<typeof recipients.$inferSelect, 'id' | 'language'>;

/** A message that will wait for the recipient's consent, as far as its opt-in request cares. */
export interface WaitingMessage {
  account: Account;
  recipient: Recipient;
  channel: string;
  /** When the message is due: the request goes out the account's lead before it. */
  sendAt: Date;
}

/** Whether messages on this channel wait for an opt-in at this account (eFax never does). */
export function needsOptIn(services: HubServices, account: Account, channel: string): boolean {
  if (!account.settings.optInRequired) return false;
  return services.plugins.channel(channel).plugin.capabilities.needsOptIn;
}

/**
 * Plans the opt-in request for a message that will wait for consent, in the caller's
 * transaction: `optInLead` before the message is due, through the message's channel. A
 * recipient has at most one request pending; a message due sooner than the pending request
 * goes out moves it earlier. Nothing is asked of a recipient who has opted in or out.
 */
export async function planOptInRequest(
  tx: Executor,
  services: HubServices,
  waiting: WaitingMessage,
): Promise<void> {
  const { account, recipient, channel } = waiting;
  if (!needsOptIn(services, account, channel)) return;
  if (await consentStatus(tx, recipient.id, channel)) return;

  const now = services.clock();
  const lead = parseDuration(account.settings.optInLead);
  const sendAt = new Date(Math.max(now.getTime(), waiting.sendAt.getTime() - lead));
  const [pending] = await tx.select().from(optInRequests).where(and(
    eq(optInRequests.recipientId, recipient.id), eq(optInRequests.status, 'pending'),
  ));
  if (pending) {
    if (pending.messageId) await sendSooner(tx, services, pending.messageId, sendAt);
    return;
  }

  // The unique index on pending requests settles a race between two plans: one request wins.
  const [request] = await tx.insert(optInRequests)
    .values({ accountId: account.id, recipientId: recipient.id, channel, createdAt: now })
    .onConflictDoNothing()
    .returning({ id: optInRequests.id });
  if (!request) return;

  const messageId = await storeConsentMessage(tx, services, {
    account, recipient, channel, kind: 'opt-in-request', key: `consent:opt-in:${request.id}`,
    sendAt, data: requestData(services, account, recipient, channel, sendAt, false),
  });
  await tx.update(optInRequests).set({ messageId }).where(eq(optInRequests.id, request.id));
}

/**
 * What an opt-in request's templates get: whether it is the reminder, and a signed link to
 * the hub's confirmation page that works until the messages it is for stop waiting.
 */
export function requestData(
  services: HubServices,
  account: Account,
  recipient: Recipient,
  channel: string,
  sendAt: Date,
  reminder: boolean,
) {
  const expiresAt = new Date(sendAt.getTime() + parseDuration(account.settings.optInMaxWait));
  const link = consentLink(services.config.server.publicUrl, {
    purpose: 'opt-in', accountId: account.id, recipientId: recipient.id, channel, expiresAt,
  });
  return { link, reminder };
}

/** Moves a request not yet sent earlier; the job queued for the later moment finds it sent. */
async function sendSooner(tx: Executor, services: HubServices, messageId: string, sendAt: Date) {
  const moved = await tx.update(messages).set({ sendAt, updatedAt: services.clock() })
    .where(and(
      eq(messages.id, messageId), eq(messages.status, 'scheduled'), gt(messages.sendAt, sendAt),
    ))
    .returning({ id: messages.id });
  if (moved.length === 0) return;

  await services.queue.send(tx, queueNames.dispatch, { messageId }, { startAfter: sendAt });
}
