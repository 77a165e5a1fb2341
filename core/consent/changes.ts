import { and, asc, eq, inArray, notInArray, type SQL } from 'drizzle-orm';
import { messages, recipients } from '../db/schema.ts';
import { changeStatus, type Executor } from '../messages/status-log.ts';
import { queueNames } from '../queue/queue.ts';
import type { HubServices } from '../services.ts';
import { planOptInRequest } from './opt-in.ts';
import { storeConsent, type ConsentChange } from './store.ts';
import { optInRequests } from './tables.ts';

/**
 * Released messages are queued this far apart, so that they go out in the order they were
 * due: jobs queued in one transaction would otherwise be taken in no particular order.
 */
const releaseSpacingMs = 1000;

/**
 * The channels a statement made through one channel covers: every enabled channel that
 * reaches the same address. A STOP texted from a phone covers calls to it as well, as the
 * TCPA treats texts and calls alike; an email unsubscribe covers email only.
 */
export function channelsReaching(services: HubServices, channel: string): string[] {
  const { plugins } = services;
  const field = plugins.channel(channel).plugin.addressField;
  return plugins.channelIds.filter((id) => plugins.channel(id).plugin.addressField === field);
}

/**
 * Records a consent change and what follows from it, in the caller's transaction. After an
 * opt-in, the messages held for it are released in the order they were due and the pending
 * request is closed; after an opt-out, the request is withdrawn and the held messages are
 * dispatched again, which suppresses them. Returns the channels whose consent changed.
 */
export async function changeConsent(
  tx: Executor,
  services: HubServices,
  change: ConsentChange,
): Promise<string[]> {
  const changed = await storeConsent(tx, change);
  if (changed.length === 0) return changed;

  await closeRequest(tx, services, change, changed);
  await redispatchHeld(tx, services, change.recipient.id, changed);
  if (change.status === 'opted_in') await askForOtherChannels(tx, services, change, changed);
  return changed;
}

async function closeRequest(
  tx: Executor,
  services: HubServices,
  change: ConsentChange,
  changed: string[],
) {
  const now = services.clock();
  const [request] = await tx.update(optInRequests)
    .set({ status: change.status === 'opted_in' ? 'accepted' : 'declined', closedAt: now })
    .where(and(
      eq(optInRequests.recipientId, change.recipient.id),
      eq(optInRequests.status, 'pending'),
      inArray(optInRequests.channel, changed),
    ))
    .returning();
  if (!request) return;

  // Whoever answered before the request (or its reminder) went out is not asked again.
  for (const id of [request.messageId, request.reminderId]) {
    if (!id) continue;
    await changeStatus(tx, { id, accountId: request.accountId }, {
      status: 'cancelled', reason: 'superseded', at: now, from: ['scheduled'],
    });
  }
}

/** Messages of the recipient waiting for consent on some channels, oldest due first. */
function heldForConsent(tx: Executor, recipientId: string, channels: SQL) {
  return tx.select({ id: messages.id, channel: messages.channel })
    .from(messages)
    .where(and(
      eq(messages.recipientId, recipientId),
      eq(messages.status, 'held'),
      eq(messages.statusReason, 'awaiting_opt_in'),
      channels,
    ))
    .orderBy(asc(messages.sendAt), asc(messages.createdAt));
}

async function redispatchHeld(
  tx: Executor,
  services: HubServices,
  recipientId: string,
  channels: string[],
) {
  const held = await heldForConsent(tx, recipientId, inArray(messages.channel, channels));

  const start = services.clock().getTime();
  for (const [index, message] of held.entries()) {
    const startAfter = new Date(start + index * releaseSpacingMs);
    await services.queue.send(tx, queueNames.dispatch, { messageId: message.id }, { startAfter });
  }
}

/** Messages still waiting on channels this opt-in did not cover get a request of their own. */
async function askForOtherChannels(
  tx: Executor,
  services: HubServices,
  change: ConsentChange,
  changed: string[],
) {
  const recipientId = change.recipient.id;
  const [next] = await heldForConsent(tx, recipientId, notInArray(messages.channel, changed))
    .limit(1);
  if (!next) return;

  const account = await services.accounts.get(change.accountId);
  const [recipient] = await tx.select({ id: recipients.id, language: recipients.language })
    .from(recipients).where(eq(recipients.id, recipientId));
  await planOptInRequest(tx, services, {
    account, recipient, channel: next.channel, sendAt: services.clock(),
  });
}
