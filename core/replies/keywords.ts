import { and, eq } from 'drizzle-orm';
import { changeConsent, channelsReaching } from '../consent/changes.ts';
import { ambiguousYes, carrierKeyword, keywordChannels } from '../consent/keywords.ts';
import { storeConsentMessage, type ConsentKind } from '../consent/messages.ts';
import { needsOptIn } from '../consent/opt-in.ts';
import { consentStatus } from '../consent/store.ts';
import { optInRequests } from '../consent/tables.ts';
import type { Executor } from '../messages/status-log.ts';
import type { CarrierKeyword } from '../plugins/channel.ts';
import type { Reply } from './process.ts';
import type { ReplyOutcome } from './tables.ts';

/**
 * Carrier keywords in a text message, whether or not the account requires opt-in: STOP
 * and its kin opt the sender out of every channel reaching their number, with one
 * confirmation and nothing after it; START and its kin opt them back in; HELP and INFO get
 * the help text. Undefined when the reply is no keyword.
 */
export async function readKeyword(reply: Reply): Promise<ReplyOutcome | undefined> {
  const { services, message } = reply;
  if (!keywordChannels.has(message.channel)) return undefined;

  const keyword = carrierKeyword(reply.word);
  if (!keyword) return undefined;
  if (reply.word === ambiguousYes && !await yesOptsIn(reply)) return undefined;

  return services.database.db.transaction(async (tx) => {
    if (keyword === 'help') {
      await answerKeyword(tx, reply, keyword, 'help');
      return 'help';
    }

    const status = keyword === 'opt_out' ? 'opted_out' : 'opted_in';
    const changed = await changeConsent(tx, services, {
      accountId: message.accountId,
      recipient: reply.recipient, channels: channelsReaching(services, message.channel),
      status, source: 'sms_keyword', detail: reply.word, messageId: message.id,
      at: message.createdAt,
    });
    if (changed.length === 0) return 'unchanged';

    await answerKeyword(tx, reply, keyword, status === 'opted_out' ? 'opted-out' : 'opted-in');
    return status;
  });
}

/**
 * YES opts in someone who opted out, was asked to opt in, or must opt in and has not; from
 * anyone else it answers the message (a confirmation, by the default reply words).
 */
async function yesOptsIn(reply: Reply): Promise<boolean> {
  const { services, account, message, recipient } = reply;
  const { db } = services.database;
  const status = await consentStatus(db, recipient.id, message.channel);
  if (status) return status === 'opted_out';

  const pending = await db.select({ id: optInRequests.id }).from(optInRequests)
    .where(and(eq(optInRequests.recipientId, recipient.id), eq(optInRequests.status, 'pending')));
  return pending.length > 0 || needsOptIn(services, account, message.channel);
}

/** The hub's answer to a keyword, unless the provider gives its own (Twilio after a STOP). */
async function answerKeyword(
  tx: Executor,
  reply: Reply,
  keyword: CarrierKeyword,
  kind: ConsentKind,
) {
  const { services, account, message, recipient } = reply;
  const instance = services.plugins.instance(message.channel);
  if (instance.answersKeywords?.includes(keyword)) return;

  await storeConsentMessage(tx, services, {
    account, recipient, channel: message.channel, kind, key: `consent:answer:${message.id}`,
    sendAt: services.clock(), data: kind === 'help' ? { helpText: account.settings.helpText } : {},
  });
}
