import { and, asc, desc, eq, inArray } from 'drizzle-orm';
import { emitEvent } from '../callbacks/events.ts';
import type { Executor } from '../messages/status-log.ts';
import type { RecipientType } from '../plugins/trigger.ts';
import {
  consentEvents, consents, privacyAcceptances, type ConsentSource, type ConsentStatus,
} from './tables.ts';

export interface ConsentChange {
  accountId: string;
  recipient: { id: string; type: RecipientType; ref: string };
  channels: string[];
  status: ConsentStatus;
  source: ConsentSource;
  /** The keyword or key used, or the host's name for its source. */
  detail?: string | null;
  /** The inbound message that made the change. */
  messageId?: string | null;
  at: Date;
}

/** Where a recipient stands on one channel; undefined when they have never said. */
export async function consentStatus(
  tx: Executor,
  recipientId: string,
  channel: string,
): Promise<ConsentStatus | undefined> {
  const [row] = await tx.select({ status: consents.status }).from(consents)
    .where(and(eq(consents.recipientId, recipientId), eq(consents.channel, channel)));
  return row?.status;
}

/**
 * Stores a consent statement for each of its channels whose status it changes, with a
 * history row each and one `consent.changed` for the host, in the caller's transaction.
 * Returns the channels that changed: saying STOP twice changes nothing the second time.
 */
export async function storeConsent(tx: Executor, change: ConsentChange): Promise<string[]> {
  const { accountId, recipient, status, source, at } = change;
  const current = await tx.select({ channel: consents.channel, status: consents.status })
    .from(consents)
    .where(and(eq(consents.recipientId, recipient.id), inArray(consents.channel, change.channels)));
  const before = new Map(current.map((row) => [row.channel, row.status]));
  const changed = change.channels.filter((channel) => before.get(channel) !== status);
  if (changed.length === 0) return [];

  for (const channel of changed) {
    await tx.insert(consents)
      .values({ recipientId: recipient.id, channel, accountId, status, source, changedAt: at })
      .onConflictDoUpdate({
        target: [consents.recipientId, consents.channel],
        set: { status, source, changedAt: at },
      });
  }
  await tx.insert(consentEvents).values(changed.map((channel) => ({
    accountId, recipientId: recipient.id, channel, status, source, at,
    detail: change.detail ?? null, messageId: change.messageId ?? null,
  })));

  await emitEvent(tx, accountId, 'consent.changed', {
    recipient: { type: recipient.type, ref: recipient.ref },
    channels: changed, status, source, at: at.toISOString(),
  }, at);
  return changed;
}

/** Records that a client accepted a version of the privacy policy; a repeat changes nothing. */
export async function storePrivacyAcceptance(
  tx: Executor,
  accountId: string,
  recipientId: string,
  acceptance: { version: string; acceptedAt: Date },
): Promise<void> {
  await tx.insert(privacyAcceptances)
    .values({ accountId, recipientId, ...acceptance })
    .onConflictDoNothing();
}

export async function hasAcceptedPrivacyPolicy(tx: Executor, recipientId: string) {
  const rows = await tx.select({ version: privacyAcceptances.version }).from(privacyAcceptances)
    .where(eq(privacyAcceptances.recipientId, recipientId))
    .limit(1);
  return rows.length > 0;
}

/** A recipient's consent per channel, and its history, newest first. */
export async function readConsent(tx: Executor, recipientId: string) {
  const [current, history, privacy] = await Promise.all([
    tx.select().from(consents).where(eq(consents.recipientId, recipientId)),
    tx.select().from(consentEvents).where(eq(consentEvents.recipientId, recipientId))
      .orderBy(desc(consentEvents.recordedAt), asc(consentEvents.channel)),
    tx.select().from(privacyAcceptances).where(eq(privacyAcceptances.recipientId, recipientId))
      .orderBy(privacyAcceptances.acceptedAt),
  ]);
  return { current, history, privacy };
}
