import { and, asc, eq, inArray, isNull } from 'drizzle-orm';
import type { Account } from '../accounts/store.ts';
import { messages, recipients } from '../db/schema.ts';
import type { Logger } from '../log.ts';
import { queueNames } from '../queue/queue.ts';
import { parseDuration } from '../scheduling/durations.ts';
import type { HubServices } from '../services.ts';
import { optInDeadline } from './dispatch-rules.ts';
import { storeConsentMessage } from './messages.ts';
import { requestData } from './opt-in.ts';
import { optInRequests } from './tables.ts';

/** Rows looked at per run; the next run, a minute later, takes the rest. */
const batch = 500;

/**
 * What time alone changes about consent, run every minute: an opt-in request unanswered for
 * the account's longest wait closes, so a later message asks again; one unanswered for
 * `optInReminder` is sent once more; a held message past its deadline is dispatched, which
 * expires it. Each held message has a dispatch queued for its deadline already: this only
 * catches what a changed setting moved.
 */
export async function sweepConsent(services: HubServices, log: Logger): Promise<void> {
  const accounts = new Map<string, Account>();
  const account = async (id: string) => {
    if (!accounts.has(id)) accounts.set(id, await services.accounts.get(id));
    return accounts.get(id)!;
  };

  const expired = await closeStaleRequests(services, account);
  const reminded = await remindOfRequests(services, account);
  const overdue = await dispatchOverdue(services, account);
  if (expired + reminded + overdue > 0) log.info({ expired, reminded, overdue }, 'consent swept');
}

type AccountOf = (id: string) => Promise<Account>;

async function pendingRequests(services: HubServices) {
  return services.database.db.select().from(optInRequests)
    .where(eq(optInRequests.status, 'pending'))
    .orderBy(asc(optInRequests.createdAt))
    .limit(batch);
}

async function closeStaleRequests(services: HubServices, account: AccountOf) {
  const now = services.clock();
  let closed = 0;
  for (const request of await pendingRequests(services)) {
    const { optInMaxWait } = (await account(request.accountId)).settings;
    if (request.createdAt.getTime() + parseDuration(optInMaxWait) > now.getTime()) continue;

    await services.database.db.update(optInRequests).set({ status: 'expired', closedAt: now })
      .where(and(eq(optInRequests.id, request.id), eq(optInRequests.status, 'pending')));
    closed += 1;
  }
  return closed;
}

/** One reminder per request, once the request went out and messages still wait for it. */
async function remindOfRequests(services: HubServices, account: AccountOf) {
  const now = services.clock();
  let sent = 0;
  for (const request of await pendingRequests(services)) {
    const owner = await account(request.accountId);
    const after = owner.settings.optInReminder;
    if (!after || request.reminderId || !request.messageId) continue;
    if (request.createdAt.getTime() + parseDuration(after) > now.getTime()) continue;
    if (!await requestWentOut(services, request.messageId)) continue;
    if (!await stillWaiting(services, request.recipientId)) continue;

    await remind(services, owner, request);
    sent += 1;
  }
  return sent;
}

async function requestWentOut(services: HubServices, messageId: string) {
  const rows = await services.database.db.select({ id: messages.id }).from(messages)
    .where(and(eq(messages.id, messageId), inArray(messages.status, ['sent', 'delivered'])));
  return rows.length > 0;
}

async function stillWaiting(services: HubServices, recipientId: string) {
  const rows = await services.database.db.select({ id: messages.id }).from(messages)
    .where(and(eq(messages.recipientId, recipientId), eq(messages.status, 'held'),
      eq(messages.statusReason, 'awaiting_opt_in')))
    .limit(1);
  return rows.length > 0;
}

async function remind(
  services: HubServices,
  account: Account,
  request: typeof optInRequests.$inferSelect,
) {
  const now = services.clock();
  await services.database.db.transaction(async (tx) => {
    const [recipient] = await tx.select({ id: recipients.id, language: recipients.language })
      .from(recipients).where(eq(recipients.id, request.recipientId));
    const reminderId = await storeConsentMessage(tx, services, {
      account, recipient, channel: request.channel, kind: 'opt-in-request',
      key: `consent:opt-in:${request.id}:reminder`, sendAt: now,
      data: requestData(services, account, recipient, request.channel, now, true),
    });
    await tx.update(optInRequests).set({ reminderId })
      .where(and(eq(optInRequests.id, request.id), isNull(optInRequests.reminderId)));
  });
}

async function dispatchOverdue(services: HubServices, account: AccountOf) {
  const now = services.clock();
  const held = await services.database.db.select().from(messages)
    .where(and(eq(messages.status, 'held'), eq(messages.statusReason, 'awaiting_opt_in')))
    .orderBy(asc(messages.sendAt))
    .limit(batch);

  let queued = 0;
  for (const message of held) {
    if (optInDeadline(await account(message.accountId), message) > now) continue;
    await services.queue.boss.send(queueNames.dispatch, { messageId: message.id });
    queued += 1;
  }
  return queued;
}
