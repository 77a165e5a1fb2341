import { eq } from 'drizzle-orm';
import type { Account } from '../accounts/store.ts';
import { messages, recipients } from '../db/schema.ts';
import type { Logger } from '../log.ts';
import type { HubServices } from '../services.ts';
import { singleWord } from '../consent/keywords.ts';
import { readAnswer, readKeypress } from './answers.ts';
import { readKeyword } from './keywords.ts';
import { replies, type ReplyOutcome } from './tables.ts';

export interface ReplyJob {
  messageId: string;
}

/** A stored reply, as each step of reading it sees it. */
export interface Reply {
  services: HubServices;
  account: Account;
  message: typeof messages.$inferSelect;
  recipient: typeof recipients.$inferSelect;
  /** The message the channel says this answers (the call keys were pressed in). */
  inReplyTo: string | null;
  /** What the recipient sent, trimmed. */
  text: string;
  /** The text as one upper-case word, when it is one. */
  word: string | undefined;
  log: Logger;
}

/**
 * Reads one reply, in order: a carrier keyword changes consent (STOP, START, HELP); a key
 * pressed in a call answers that call; anything else goes to the trigger of the latest
 * message in the thread, which may act on it (an appointment confirmed). What nobody acted
 * on is marked as needing attention. Runs once per reply: a reply read before is skipped.
 */
export async function processReply(services: HubServices, job: ReplyJob, log: Logger) {
  const loaded = await loadReply(services, job.messageId);
  if (!loaded || loaded.handledAt) {
    log.debug('reply skipped: already read');
    return;
  }

  const { message, recipient, inReplyTo } = loaded;
  if (!recipient) {
    await recordOutcome(services, message.id, 'unclear');
    return;
  }

  const account = await services.accounts.get(message.accountId);
  const text = (message.content?.text ?? '').trim();
  const reply: Reply = {
    services, account, message, recipient, inReplyTo, text, word: singleWord(text), log,
  };
  const outcome = await readKeyword(reply) ?? await readKeypress(reply) ?? await readAnswer(reply);
  await recordOutcome(services, message.id, outcome);
  log.info({ outcome }, 'reply read');
}

async function loadReply(services: HubServices, messageId: string) {
  const [row] = await services.database.db.select({
    message: messages, recipient: recipients,
    inReplyTo: replies.inReplyTo, handledAt: replies.handledAt,
  })
    .from(replies)
    .innerJoin(messages, eq(messages.id, replies.messageId))
    .leftJoin(recipients, eq(recipients.id, messages.recipientId))
    .where(eq(replies.messageId, messageId));
  return row;
}

/** What the hub made of a reply; a reply nobody could act on needs a person. */
export async function recordOutcome(
  services: HubServices,
  messageId: string,
  outcome: ReplyOutcome,
): Promise<void> {
  await services.database.db.update(replies)
    .set({ outcome, needsAttention: outcome === 'unclear', handledAt: services.clock() })
    .where(eq(replies.messageId, messageId));
}
