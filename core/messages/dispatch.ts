import { and, asc, eq, sql } from 'drizzle-orm';
import type { JobWithMetadata } from 'pg-boss';
import type { Account } from '../accounts/store.ts';
import { stopWithoutConsent } from '../consent/dispatch-rules.ts';
import { unsubscribeLink } from '../consent/links.ts';
import { isKeywordAnswer } from '../consent/messages.ts';
import { consents, type ConsentStatus } from '../consent/tables.ts';
import { reserveCredit } from '../credit/reserve.ts';
import { isAnyOf } from '../db/any-of.ts';
import { retryThroughOutage } from '../db/outage.ts';
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
import { changeStatus } from './status-log.ts';

export interface DispatchJob {
  messageId: string;
}

type Message = typeof messages.$inferSelect;
type Recipient = typeof recipients.$inferSelect;

/** What became of one dispatch attempt; `retry` asks the queue to try again later. */
export type DispatchOutcome = 'done' | 'retry';

/** What the dispatch of a batch of jobs reads up front, in two queries for the whole batch. */
export interface DispatchBatch {
  messages: Map<string, DueRow>;
  accounts: Map<string, Account>;
}

interface DueRow {
  message: Message;
  recipient: Recipient;
  /** The recipient's consent on the message's channel; undefined when they never said. */
  consent: ConsentStatus | undefined;
  hasAttachments: boolean;
}

/** Reads the messages of a batch of dispatch jobs, with what their rules need, at once. */
export async function loadDispatchBatch(
  services: HubServices,
  jobs: Array<{ data: DispatchJob }>,
): Promise<DispatchBatch> {
  const ids = [...new Set(jobs.map((job) => job.data.messageId))];
  const rows = await services.database.db
    .select({
      message: messages, recipient: recipients, consent: consents.status,
      hasAttachments: sql<boolean>`exists (
        select 1 from ${attachments} where ${attachments.messageId} = ${messages.id})`,
    })
    .from(messages)
    .innerJoin(recipients, eq(recipients.id, messages.recipientId))
    .leftJoin(consents, and(
      eq(consents.recipientId, messages.recipientId), eq(consents.channel, messages.channel),
    ))
    .where(isAnyOf(messages.id, ids, 'uuid'));

  const due = rows.map((row): DueRow => ({ ...row, consent: row.consent ?? undefined }));
  const accountIds = [...new Set(rows.map((row) => row.message.accountId))];
  return {
    messages: new Map(due.map((row) => [row.message.id, row])),
    accounts: await services.accounts.findMany(accountIds),
  };
}

/**
 * Sends one message if it is still wanted: applies the account's rules in order to the
 * message as the batch read it, renders it and hands it to its channel. Safe to run again for
 * the same message: a message that has left the pending statuses is skipped, and every
 * status change checks the status it leaves.
 */
export async function dispatchMessage(
  services: HubServices,
  job: JobWithMetadata<DispatchJob>,
  batch: DispatchBatch,
): Promise<DispatchOutcome> {
  const log = services.log.child({ jobId: job.id, messageId: job.data.messageId });
  const loaded = batch.messages.get(job.data.messageId);
  if (!loaded || !isDispatchable(loaded.message)) {
    log.debug({ status: loaded?.message.status }, 'dispatch skipped: message no longer pending');
    return 'done';
  }

  const { message, recipient, consent } = loaded;
  const account = batch.accounts.get(message.accountId)
    ?? await services.accounts.get(message.accountId);
  const now = services.clock();
  const block = blockReason(account, message, now);
  if (block) {
    await finish(services, message, block.status, block.reason);
    log.info({ status: block.status, reason: block.reason }, 'message not sent');
    return 'done';
  }

  const due = { account, message, recipient, consent, now };
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

  const sending = { account, message, recipient, body, job, log };
  return send(services, sending, loaded.hasAttachments);
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

async function send(
  services: HubServices,
  sending: Sending,
  hasAttachments: boolean,
): Promise<DispatchOutcome> {
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
    attachments: hasAttachments ? await loadAttachments(services, message.id) : [],
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

  if (!await markSending(services, sending, address.address)) {
    log.debug('dispatch skipped: message changed or taken by another job meanwhile');
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
  // The provider has taken the send: a record lost to a database outage would send it again.
  const sent = { ...result, units };
  await retryThroughOutage(() => markSent(services, message, instance.provider, sent), { log });
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

/**
 * Claims the send for this job. A message already `sending` is resumed only by the job that
 * claimed it (run again after its worker died); another job for it, such as one queued for a
 * deadline, finds it taken and stops, so a send in flight is never made a second time.
 */
async function markSending(
  services: HubServices,
  sending: Pick<Sending, 'message' | 'body' | 'job'>,
  address: string,
) {
  const { message, body, job } = sending;
  // One statement, so no transaction of its own: `sending` is no failure to raise.
  return changeStatus(services.database.db, message, {
    status: 'sending', at: services.clock(), from: dispatchable,
    claimedBy: job.id,
    set: { content: body, address, attempts: message.attempts + 1, dispatchJob: job.id },
  });
}

async function markSent(
  services: HubServices,
  message: Message,
  provider: string,
  result: { providerId: string; units?: number },
) {
  const at = services.clock();
  await changeStatus(services.database.db, message, {
    status: 'sent', at, from: ['sending'], touchThread: true,
    set: { provider, providerId: result.providerId, units: result.units },
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
