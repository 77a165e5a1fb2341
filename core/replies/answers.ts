import { and, desc, eq, inArray, lte, ne } from 'drizzle-orm';
import { changeConsent, channelsReaching } from '../consent/changes.ts';
import { answerFor } from '../consent/keywords.ts';
import { consentTrigger } from '../consent/messages.ts';
import { messages, subjects } from '../db/schema.ts';
import { createTriggerContext } from '../plugins/trigger-context.ts';
import type { InboundReply } from '../plugins/trigger.ts';
import { keypadFor } from './keypad.ts';
import type { Reply } from './process.ts';
import type { ReplyOutcome } from './tables.ts';

type Answered = Awaited<ReturnType<typeof loadAnswered>>;

/** Statuses of a message that reached the recipient, or may have: what they can answer. */
const reachedStatuses = ['sending', 'sent', 'delivered'] as const;

/**
 * A key pressed during a call, which the channel reports as a reply to that call: 1 opts in
 * during an opt-in call; 1 confirms and 2 cancels during an automated call that offered them.
 * Undefined for a reply that answers no call.
 */
export async function readKeypress(reply: Reply): Promise<ReplyOutcome | undefined> {
  if (!reply.inReplyTo) return undefined;
  const answered = await loadAnswered(reply, eq(messages.id, reply.inReplyTo));
  const keypad = answered && keypadFor(reply.services, reply.account, answered);
  if (!answered || !keypad?.answers) return undefined;

  if (keypad.answers === 'opt_in') {
    return reply.word === '1' ? optInByKey(reply, answered) : 'unclear';
  }
  const answer = reply.word === '1' ? 'confirm' : reply.word === '2' ? 'cancel' : undefined;
  return answerTo(reply, answered, answer);
}

async function optInByKey(reply: Reply, answered: NonNullable<Answered>): Promise<ReplyOutcome> {
  const { services, message, recipient } = reply;
  const changed = await services.database.db.transaction((tx) => changeConsent(tx, services, {
    accountId: message.accountId, recipient,
    channels: channelsReaching(services, answered.channel), status: 'opted_in',
    source: 'voice_keypress', detail: reply.word, messageId: message.id, at: message.createdAt,
  }));
  return changed.length > 0 ? 'opted_in' : 'unchanged';
}

/**
 * Anything else answers the latest message the recipient got in the thread, read by the
 * account's reply words and handed to the trigger that planned it. The core's own consent
 * messages are passed over: a "C" after a HELP still answers the reminder before it.
 */
export async function readAnswer(reply: Reply): Promise<ReplyOutcome> {
  const { message } = reply;
  if (!message.threadId) return 'unclear';

  const answered = await loadAnswered(reply, and(
    eq(messages.threadId, message.threadId),
    eq(messages.direction, 'outbound'),
    ne(messages.trigger, consentTrigger),
    inArray(messages.status, [...reachedStatuses]),
    lte(messages.sendAt, message.createdAt),
  ));
  if (!answered) return 'unclear';
  return answerTo(reply, answered, answerFor(reply.word, reply.account.settings.replyWords));
}

async function answerTo(
  reply: Reply,
  answered: NonNullable<Answered>,
  answer: InboundReply['answer'],
): Promise<ReplyOutcome> {
  const { services, message } = reply;
  const trigger = services.plugins.triggers.get(answered.trigger);
  if (!trigger?.plugin.interpretReply) return 'unclear';

  const { subjectType, subjectRef } = answered;
  const context = createTriggerContext(services, answered.trigger, trigger.config);
  return trigger.plugin.interpretReply({
    accountId: message.accountId, messageId: message.id, text: reply.text, answer,
    channel: message.channel, receivedAt: message.createdAt,
    inReplyTo: {
      id: answered.id, kind: answered.kind, key: answered.key,
      subject: subjectType && subjectRef ? { type: subjectType, ref: subjectRef } : undefined,
    },
  }, context);
}

async function loadAnswered(reply: Reply, where: ReturnType<typeof and>) {
  const [row] = await reply.services.database.db.select({
    id: messages.id, trigger: messages.trigger, kind: messages.kind, key: messages.key,
    channel: messages.channel, manual: messages.manual,
    subjectType: subjects.type, subjectRef: subjects.ref,
  })
    .from(messages)
    .leftJoin(subjects, eq(subjects.id, messages.subjectId))
    .where(and(eq(messages.accountId, reply.message.accountId), where))
    .orderBy(desc(messages.sendAt))
    .limit(1);
  return row;
}
