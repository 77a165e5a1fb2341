import { and, eq } from 'drizzle-orm';
import { messages } from '../db/schema.ts';
import type { Executor } from '../messages/status-log.ts';
import { queueNames } from '../queue/queue.ts';
import type { HubServices } from '../services.ts';
import { replies } from './tables.ts';

export interface StoredReply {
  messageId: string;
  accountId: string;
  provider: string;
  /** The provider's id of the message answered, when the channel knows it. */
  inReplyTo?: string;
  /** Whose replies take turns: the sender's recipient id, when the sender is known. */
  senderId?: string;
}

/**
 * Queues a stored inbound message for the reply worker, in the transaction that stored it.
 * The jobs of one sender share a group that runs one job at a time across all workers, so
 * "C" sent twice is read as one confirmation and a repeat, never as two confirmations.
 */
export async function queueReply(
  tx: Executor,
  services: HubServices,
  reply: StoredReply,
): Promise<void> {
  const answered = reply.inReplyTo
    ? await answeredMessage(tx, reply.provider, reply.inReplyTo)
    : undefined;
  await tx.insert(replies).values({
    messageId: reply.messageId, accountId: reply.accountId, inReplyTo: answered ?? null,
  });

  const group = { id: reply.senderId ?? reply.messageId };
  await services.queue.send(tx, queueNames.inbound, { messageId: reply.messageId }, { group });
}

async function answeredMessage(tx: Executor, provider: string, providerId: string) {
  const [row] = await tx.select({ id: messages.id }).from(messages)
    .where(and(eq(messages.provider, provider), eq(messages.providerId, providerId)));
  return row?.id;
}
