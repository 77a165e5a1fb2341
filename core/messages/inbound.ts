import { and, eq, inArray, sql } from 'drizzle-orm';
import { emitEvent } from '../callbacks/events.ts';
import { accounts, attachments, messages, recipients } from '../db/schema.ts';
import { addressHashes } from '../encryption/columns.ts';
import type { InboundMessage, InboundResult } from '../plugins/channel.ts';
import { queueReply } from '../replies/enqueue.ts';
import type { HubServices } from '../services.ts';
import { recordStatus, touchThread, type Executor } from './status-log.ts';

/**
 * Stores a received message: matched to the account by the address it was sent to and to the
 * recipient by the sender's address. A sender the account does not know is kept too, without
 * a recipient, so nothing a patient sends is lost. The host hears of it in the same
 * transaction (`message.received`), which also queues the reading of the reply (keywords,
 * answers: `replies/process.ts`).
 */
export async function receiveMessage(
  services: HubServices,
  channel: string,
  inbound: InboundMessage,
): Promise<InboundResult> {
  const accountId = inbound.accountId
    ? (await services.accounts.find(inbound.accountId))?.id
    : await accountFor(services, channel, inbound.to);
  if (!accountId) return { stored: false, reason: 'unknown_account' };

  const { plugin } = services.plugins.channel(channel);
  const now = services.clock();

  return services.database.db.transaction(async (tx) => {
    const recipient = await findSender(tx, accountId, plugin.addressField, inbound.from);
    const threadId = recipient ? await threadFor(tx, accountId, recipient.id) : null;

    const [row] = await tx.insert(messages).values({
      accountId, recipientId: recipient?.id ?? null, threadId,
      direction: 'inbound', trigger: 'inbound', kind: 'reply',
      key: `inbound:${inbound.provider}:${inbound.providerId}`,
      channel, status: 'received', sendAt: now,
      content: inbound.body, address: inbound.from,
      provider: inbound.provider, providerId: inbound.providerId, units: inbound.units,
      createdAt: now, updatedAt: now,
    }).onConflictDoNothing().returning({ id: messages.id });
    if (!row) return duplicate(tx, accountId, inbound);

    await storeAttachments(tx, row.id, inbound);
    await queueReply(tx, services, {
      messageId: row.id, accountId, provider: inbound.provider, inReplyTo: inbound.inReplyTo,
      senderId: recipient?.id,
    });
    const stored = { id: row.id, accountId, channel, trigger: 'inbound' };
    await recordStatus(tx, stored, { status: 'received', at: now });
    await emitEvent(tx, accountId, 'message.received', {
      messageId: row.id, channel, recipient: recipient ? recipientRef(recipient) : null,
    }, now);
    if (threadId) await touchThread(tx, threadId, now, true);
    return { stored: true, messageId: row.id, accountId, duplicate: false } as const;
  });
}

/** The account whose sender for this channel is the address the message was sent to. */
async function accountFor(services: HubServices, channel: string, to: string) {
  const [row] = await services.database.db.select({ id: accounts.id }).from(accounts)
    .where(sql`${accounts.settings} -> 'senders' ->> ${channel} = ${to}`)
    .limit(1);
  if (row) return row.id;

  // With one account and the channel's default sender, replies need no per-account number.
  const all = await services.database.db.select({ id: accounts.id }).from(accounts).limit(2);
  return all.length === 1 ? all[0].id : undefined;
}

async function findSender(tx: Executor, accountId: string, field: string, from: string) {
  const column = field === 'email' ? recipients.emailHash
    : field === 'fax' ? recipients.faxHash
    : recipients.phoneHash;
  const [row] = await tx.select().from(recipients)
    .where(and(eq(recipients.accountId, accountId), inArray(column, addressHashes(from))))
    .orderBy(recipients.updatedAt)
    .limit(1);
  return row;
}

async function threadFor(tx: Executor, accountId: string, recipientId: string) {
  const rows = await tx.execute<{ id: string }>(sql`
    insert into threads (account_id, recipient_id) values (${accountId}, ${recipientId})
    on conflict (recipient_id) do update set account_id = excluded.account_id
    returning id`);
  return rows[0].id;
}

async function storeAttachments(tx: Executor, messageId: string, inbound: InboundMessage) {
  const files = inbound.attachments ?? [];
  if (files.length === 0) return;

  await tx.insert(attachments).values(files.map((file, position) => ({
    messageId, position, filename: file.filename ?? null, contentType: file.contentType,
    size: file.data?.length ?? null, data: file.data ?? null, url: file.url ?? null,
  })));
}

async function duplicate(tx: Executor, accountId: string, inbound: InboundMessage) {
  const [row] = await tx.select({ id: messages.id }).from(messages)
    .where(and(
      eq(messages.provider, inbound.provider), eq(messages.providerId, inbound.providerId),
    ));
  return { stored: true, messageId: row.id, accountId, duplicate: true } as const;
}

function recipientRef(recipient: typeof recipients.$inferSelect) {
  return { type: recipient.type, ref: recipient.ref };
}
