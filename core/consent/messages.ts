import { sql } from 'drizzle-orm';
import type { Account } from '../accounts/store.ts';
import { messages, type recipients } from '../db/schema.ts';
import { recordStatus, type Executor } from '../messages/status-log.ts';
import { queueNames } from '../queue/queue.ts';
import type { HubServices } from '../services.ts';

/** The core's own messages about consent are planned as this trigger. */
export const consentTrigger = 'consent';

/**
 * `opt-in-request` asks for consent; the others answer a keyword the recipient just sent
 * (STOP, START, HELP), which carriers expect at any hour and whatever the consent.
 */
export const consentKinds = ['opt-in-request', 'opted-out', 'opted-in', 'help'] as const;
export type ConsentKind = (typeof consentKinds)[number];

/** Whether a message answers a keyword: sent at once, even to someone who just opted out. */
export function isKeywordAnswer(message: { trigger: string; kind: string }): boolean {
  return message.trigger === consentTrigger && message.kind !== 'opt-in-request';
}

export interface ConsentMessage {
  account: Account;
  recipient: Pick<typeof recipients.$inferSelect, 'id' | 'language'>;
  channel: string;
  kind: ConsentKind;
  /** Stable, so that planning it twice stores it once. */
  key: string;
  sendAt: Date;
  data: Record<string, unknown>;
}

/**
 * Stores one of the core's consent messages in the recipient's thread and queues its
 * dispatch, in the caller's transaction. Returns its id, or undefined when its key exists.
 */
export async function storeConsentMessage(
  tx: Executor,
  services: HubServices,
  message: ConsentMessage,
): Promise<string | undefined> {
  const { account, recipient, channel, kind, sendAt } = message;
  const now = services.clock();
  const threadId = await threadOf(tx, account.id, recipient.id);

  const [row] = await tx.insert(messages).values({
    accountId: account.id, recipientId: recipient.id, threadId,
    direction: 'outbound', trigger: consentTrigger, kind, key: message.key, channel,
    status: 'scheduled', sendAt, template: `${consentTrigger}/${kind}`,
    language: recipient.language ?? account.settings.language, data: message.data,
    createdAt: now, updatedAt: now,
  }).onConflictDoNothing().returning({ id: messages.id });
  if (!row) return undefined;

  const stored = { id: row.id, accountId: account.id, channel, trigger: consentTrigger };
  await recordStatus(tx, stored, { status: 'scheduled', at: now });
  await services.queue.send(tx, queueNames.dispatch, { messageId: row.id }, {
    startAfter: sendAt,
  });
  return row.id;
}

async function threadOf(tx: Executor, accountId: string, recipientId: string) {
  const rows = await tx.execute<{ id: string }>(sql`
    insert into threads (account_id, recipient_id) values (${accountId}, ${recipientId})
    on conflict (recipient_id) do update set account_id = excluded.account_id
    returning id`);
  return rows[0].id;
}
