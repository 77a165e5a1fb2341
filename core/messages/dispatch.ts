import { asc, eq } from 'drizzle-orm';
import type { JobWithMetadata } from 'pg-boss';
import type { Account } from '../accounts/store.ts';
import { stopWithoutConsent } from '../consent/dispatch-rules.ts';
import { unsubscribeLink } from '../consent/links.ts';
import { isKeywordAnswer } from '../consent/messages.ts';
import { reserveCredit } from '../credit/reserve.ts';
import { attachments, messages, recipients, type MessageStatus } from '../db/schema.ts';
import type { Logger } from '../log.ts';
import type { MessageBody, OutboundMessage, SendResult } from '../plugins/channel.ts';
import { observeSendLatency, timeProviderCall } from '../metrics/send-timing.ts';
import { ProviderError } from '../plugins/provider-error.ts';
import { keypadFor } from '../replies/keypad.ts';
import type { HubServices } from '../services.ts';
import { deferToWindow } from '../scheduling/dispatch-window.ts';
import { TemplateRenderError } from '../templates/index.ts';
import { deferToSendSlot } from './rate-limit.ts';
import type { StatusReason } from './reasons.ts';
import { renderMessage } from './render.ts';
import { changeStatus, touchThread } from './status-log.ts';

export interface DispatchJob {
  messageId: string;
}

type Message = typeof messages.$inferSelect;
type Recipient = typeof recipients.$inferSelect;

/** What became of one dispatch attempt; `retry` asks the queue to try again later. */
export type DispatchOutcome = 'done' | 'retry';

/**
 * Sends one message if it is still wanted: re-reads it, applies the account's rules in order,
 * renders it and hands it to its channel. Safe to run again for the same message: a message
 * that has left the pending statuses is skipped.
 */
export async function dispatchMessage(
  services: HubServices,
  job: JobWithMetadata<DispatchJob>,
): Promise<DispatchOutcome> {
  const log = services.log.child({ jobId: job.id, messageId: job.data.messageId });
  const loaded = await loadMessage(services, job.data.messageId);
  if (!loaded || !isDispatchable(loaded.message)) {
    log.debug({ status: loaded?.message.status }, 'dispatch skipped: message no longer pending');
    return 'done';
  }

  const { message, recipient } = loaded;
  const account = await services.accounts.get(message.accountId);
  const now = services.clock();
  const block = blockReason(account, message, now);
  if (block) {
    await finish(services, message, block.status, block.reason);
    log.info({ status: block.status, reason: block.reason }, 'message not sent');
    return 'done';
  }

  const due = { account, message, recipient, now };
  if (await stopWithoutConsent(services, due, log)) return 'done';

  // The answer to a keyword the recipient just sent (STOP, HELP) goes at once: carriers
  // expect it whatever the hour.
  if (!isKeywordAnswer(message) && await deferToWindow(services, due, log)) return 'done';

  const body = renderBody(services, account, message, recipient, log);
  if (!body) {
    await finish(services, message, 'failed', 'template_error');
    return 'done';
  }

  if (await reserveCredit(services, account, message, body) === 'held') {
    log.info({ reason: 'insufficient_credit' }, 'message held');
    return 'done';
  }

  return send(services, { account, message, recipient, body, job, log });
}

async function loadMessage(services: HubServices, messageId: string) {
  const [row] = await services.database.db
    .select({ message: messages, recipient: recipients })
    .from(messages)
    .innerJoin(recipients, eq(recipients.id, messages.recipientId))
    .where(eq(messages.id, messageId));
  return row;
}

/** `sending` is included: a worker that died mid-send leaves it so, and the retry resumes. */
const dispatchable: MessageStatus[] = ['scheduled', 'held', 'sending'];

function isDispatchable(message: Message): boolean {
  return dispatchable.includes(message.status);
}

function blockReason(account: Account, message: Message, now: Date) {
  if (message.expiresAt && message.expiresAt <= now) {
    // Still waiting for an opt-in when its moment passed: the host hears why it never went.
    const waited = message.status === 'held' && message.statusReason === 'awaiting_opt_in';
    return { status: 'expired', reason: waited ? 'opt_in_expired' : 'expired' } as const;
  }
  if (!account.settings.messagingEnabled) {
    return { status: 'suppressed', reason: 'messaging_disabled' } as const;
  }
  return undefined;
}

function renderBody(
  services: HubServices,
  account: Account,
  message: Message,
  recipient: Recipient,
  log: Logger,
): MessageBody | undefined {
  if (!message.template) return message.content as MessageBody;

  try {
    return renderMessage(services.templates, account, recipient, {
      template: message.template,
      channel: message.channel,
      language: message.language ?? account.settings.language,
      data: message.data ?? {},
    });
  } catch (error) {
    if (!(error instanceof TemplateRenderError)) throw error;
    log.error({ err: error, template: message.template }, 'template failed to render');
    return undefined;
  }
}

interface Sending {
  account: Account;
  message: Message;
  recipient: Recipient;
  body: MessageBody;
  job: JobWithMetadata<DispatchJob>;
  log: Logger;
}

async function send(services: HubServices, sending: Sending): Promise<DispatchOutcome> {
  const { account, message, recipient, body, job, log } = sending;
  const channel = services.plugins.channel(message.channel);
  const address = channel.plugin.normalizeAddress(recipient[channel.plugin.addressField] ?? '');
  if (!address.ok) {
    await finish(services, message, 'failed', 'invalid_address');
    return 'done';
  }

  const outbound: OutboundMessage = {
    messageId: message.id,
    accountId: account.id,
    to: address.address,
    from: account.settings.senders[message.channel],
    body,
    attachments: await loadAttachments(services, message.id),
    language: message.language ?? account.settings.language,
    automated: !message.manual,
    trigger: message.trigger,
    kind: message.kind,
    keypad: keypadFor(services, account, message),
    unsubscribeUrl: unsubscribeLink(services.config.server.publicUrl, message),
  };

  // Per-sender rate limit (rate-limit.ts): when the sender's next slot is still ahead, the
  // job has been queued again for that moment and the message stays as it is until then.
  const instance = channel.instance!;
  const rateLimited = { channel: message.channel, instance, message: outbound, job, log };
  if (await deferToSendSlot(services, rateLimited)) return 'done';

  if (!await markSending(services, message, body, address.address)) {
    log.debug('dispatch skipped: message changed meanwhile');
    return 'done';
  }

  let result: SendResult;
  try {
    const call = () => instance.send(outbound);
    result = await timeProviderCall(message.channel, instance.provider, call);
  } catch (error) {
    return handleSendError(services, message, error, job, log);
  }

  const units = result.units ?? channel.plugin.estimateUnits(body);
  await markSent(services, message, channel.instance!.provider, { ...result, units });
  log.info({ channel: message.channel, provider: channel.instance!.provider }, 'message sent');
  return 'done';
}

async function loadAttachments(services: HubServices, messageId: string) {
  const rows = await services.database.db.select().from(attachments)
    .where(eq(attachments.messageId, messageId))
    .orderBy(asc(attachments.position));
  return rows.filter((row) => row.data).map((row) => ({
    filename: row.filename ?? `attachment-${row.position + 1}`,
    contentType: row.contentType,
    data: row.data!,
  }));
}

async function markSending(
  services: HubServices,
  message: Message,
  body: MessageBody,
  address: string,
) {
  // One statement, so no transaction of its own: `sending` is no failure to raise.
  return changeStatus(services.database.db, message, {
    status: 'sending', at: services.clock(), from: dispatchable,
    set: { content: body, address, attempts: message.attempts + 1 },
  });
}

async function markSent(
  services: HubServices,
  message: Message,
  provider: string,
  result: { providerId: string; units?: number },
) {
  const at = services.clock();
  await services.database.db.transaction(async (tx) => {
    await changeStatus(tx, message, {
      status: 'sent', at, from: ['sending'],
      set: { provider, providerId: result.providerId, units: result.units },
    });
    if (message.threadId) await touchThread(tx, message.threadId, at);
  });
  observeSendLatency(message.channel, message.sendAt, at);
}

async function handleSendError(
  services: HubServices,
  message: Message,
  error: unknown,
  job: Sending['job'],
  log: Logger,
): Promise<DispatchOutcome> {
  const providerError = error instanceof ProviderError ? error : undefined;
  const lastAttempt = job.retryCount >= job.retryLimit;

  if (providerError?.permanent || lastAttempt) {
    const reason = providerError?.permanent ? providerError.reason : 'provider_error';
    log.warn({ err: error, reason }, 'send failed for good');
    await finish(services, message, 'failed', reason);
    return 'done';
  }

  log.warn({ err: error, attempt: job.retryCount + 1 }, 'send failed; will retry');
  return 'retry';
}

async function finish(
  services: HubServices,
  message: Message,
  status: 'failed' | 'expired' | 'suppressed',
  reason: StatusReason,
) {
  await services.database.db.transaction(async (tx) => {
    await changeStatus(tx, message, { status, reason, at: services.clock(), from: dispatchable });
  });
}
