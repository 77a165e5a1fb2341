import type { Account } from '../accounts/store.ts';
import type { StatusReason } from '../messages/reasons.ts';
import type { MessageBody } from '../plugins/channel.ts';
import type { NotificationKind } from './settings.ts';
import type { NotificationSummary } from './tables.ts';

/** How staff read a reason code; a code without an entry is shown as its words. */
const reasonPhrases: Partial<Record<StatusReason | 'unknown', string>> = {
  invalid_address: 'the address is not valid',
  landline: 'the number is a landline',
  unsubscribed: 'the recipient unsubscribed',
  bounced: 'the email bounced',
  blocked: 'the provider blocked it',
  busy: 'the line was busy',
  no_answer: 'nobody answered',
  carrier_filtered: 'the carrier filtered it',
  fax_failed: 'the fax did not go through',
  provider_error: 'the provider refused it',
  opt_in_expired: 'the recipient did not opt in in time',
  insufficient_credit: 'the account is out of credit',
  template_error: 'the template could not be filled in',
  expired: 'it was no longer worth sending',
};

function phrase(reason: string): string {
  return reasonPhrases[reason as StatusReason] ?? reason.replaceAll('_', ' ');
}

function plural(count: number, one: string, many: string): string {
  return `${count} ${count === 1 ? one : many}`;
}

/**
 * The notification email: what happened and how many times, and a link to the host. It
 * names no patient and quotes no message: staff read those in the host.
 */
export function composeNotification(
  account: Account,
  notification: { kind: NotificationKind; summary: NotificationSummary },
): MessageBody {
  const practice = account.settings.practiceName || account.name;
  const { summary } = notification;
  const lines = notification.kind === 'newMessages'
    ? newMessageLines(summary, practice)
    : errorLines(summary, practice);

  const link = hostLink(account, notification.kind, summary.messageId);
  const text = [...lines.body, ...(link ? ['', `Open: ${link}`] : [])].join('\n');
  return { subject: lines.subject, text };
}

function newMessageLines(summary: NotificationSummary, practice: string) {
  const what = plural(summary.count, 'new message', 'new messages');
  return {
    subject: `${what} for ${practice}`,
    body: [`${practice} has ${what} from patients or contacts.`],
  };
}

function errorLines(summary: NotificationSummary, practice: string) {
  const what = plural(summary.count, 'message', 'messages');
  const reasons = Object.entries(summary.reasons ?? {})
    .map(([reason, count]) => `- ${count} because ${phrase(reason)}`);
  return {
    subject: `${what} of ${practice} could not be sent`,
    body: [`${what} of ${practice} could not be sent:`, ...reasons],
  };
}

/** The account's link template with its placeholders filled in; undefined when it has none. */
function hostLink(account: Account, kind: NotificationKind, messageId?: string) {
  const template = account.settings.notificationLink;
  if (!template) return undefined;

  const values: Record<string, string> = {
    accountId: account.id,
    kind: kind === 'newMessages' ? 'messages' : 'errors',
    messageId: messageId ?? '',
  };
  return template.replace(/\{(accountId|kind|messageId)\}/g,
    (_, name: string) => encodeURIComponent(values[name]));
}
