import { and, eq, inArray, notInArray, sql } from 'drizzle-orm';
import type { Account } from '../accounts/store.ts';
import { emitEvent } from '../callbacks/events.ts';
import { planOptInRequest } from '../consent/opt-in.ts';
import { attachments, messages, recipients, subjects } from '../db/schema.ts';
import { HubError } from '../errors.ts';
import type { AcceptedMessage, AcceptRequest, RecipientType } from '../plugins/trigger.ts';
import type { OutboundAttachment } from '../plugins/channel.ts';
import type { PluginRegistry } from '../plugins/registry.ts';
import { queueNames } from '../queue/queue.ts';
import { fitToWindow } from '../scheduling/send-time.ts';
import type { HubServices } from '../services.ts';
import { TemplateRenderError } from '../templates/index.ts';
import { renderCopy, withCopies, type PlannedOrCopy } from './copies.ts';
import type { StatusReason } from './reasons.ts';
import { renderMessage } from './render.ts';
import { changeStatus, insertWithStatus, pendingStatuses, type Executor } from './status-log.ts';

type Recipient = typeof recipients.$inferSelect;

interface Placement {
  planned: PlannedOrCopy;
  recipient: Recipient;
  channel: string;
  /** The planned send time, moved out of quiet hours. */
  sendAt: Date;
  /** Why the message cannot be sent at all, decided before it is stored. */
  failure?: StatusReason;
  /** Why the message is not sent although it could be: no moment fits around quiet hours. */
  skipped?: StatusReason;
}

/**
 * Stores a trigger's plan: the subject, the messages it wants, and a dispatch job for each new
 * message at its send time, all in one transaction. Pending messages of the subject that the
 * plan no longer contains are cancelled as superseded.
 */
export async function acceptPlan(
  services: HubServices,
  account: Account,
  request: AcceptRequest,
): Promise<AcceptedMessage[]> {
  const planned = withCopies(request.messages);
  const people = await loadRecipients(services, request.accountId, planned);
  const now = services.clock();
  const placements = planned.map((message) => {
    const placement = place(services.plugins, message, people);
    if (placement.failure) return placement;

    const checked = message.copyOf
      ? renderPlannedCopy(services, account, request, placement, people)
      : checkTemplate(services, account, request, placement);
    return checked.failure ? checked : fitQuietHours(account, checked, now);
  });

  return services.database.db.transaction(async (tx) => {
    const subjectId = request.subject
      ? await upsertSubject(tx, request.accountId, request.trigger, request.subject)
      : null;
    if (subjectId) await supersedeOthers(tx, subjectId, planned, now);

    const accepted: AcceptedMessage[] = [];
    for (const placement of placements) {
      accepted.push(await storeMessage(tx, services, account, request, placement, subjectId));
    }
    for (const event of request.events ?? []) {
      await emitEvent(tx, request.accountId, event.type, event.data, now);
    }
    return accepted;
  });
}

async function loadRecipients(
  services: HubServices,
  accountId: string,
  planned: PlannedOrCopy[],
) {
  const wanted = new Map<string, { type: RecipientType; ref: string }>();
  for (const { recipient } of planned) {
    wanted.set(`${recipient.type}:${recipient.ref}`, recipient);
  }
  if (wanted.size === 0) return new Map<string, Recipient>();

  const refs = [...wanted.values()].map((r) => r.ref);
  const rows = await services.database.db.select().from(recipients).where(and(
    eq(recipients.accountId, accountId), inArray(recipients.ref, refs),
  ));

  const found = new Map(rows.map((row) => [`${row.type}:${row.ref}`, row]));
  for (const [key, recipient] of wanted) {
    if (!found.has(key)) {
      throw new HubError('unprocessable', {
        message: `No ${recipient.type} with ref "${recipient.ref}"; create it first.`,
      });
    }
  }
  return found;
}

/** Chooses the channel and checks the recipient can be reached on it. */
function place(
  plugins: PluginRegistry,
  planned: PlannedOrCopy,
  people: Map<string, Recipient>,
): Placement {
  const recipient = people.get(`${planned.recipient.type}:${planned.recipient.ref}`)!;
  const channel = planned.channel ?? recipient.channel ?? firstReachable(plugins, recipient);
  const { sendAt } = planned;
  if (!channel && !planned.manual) {
    // Kept as a failed message on the first channel, so the host learns why nothing went.
    const first = plugins.channelIds[0];
    return { planned, recipient, channel: first, sendAt, failure: 'invalid_address' };
  }
  if (!channel || !plugins.channels.has(channel)) {
    throw new HubError('unknown_channel', {
      message: channel ? `No channel "${channel}" is enabled.` : 'The recipient has no address.',
    });
  }

  const { plugin } = plugins.channel(channel);
  if (planned.attachments?.length && !plugin.capabilities.attachments) {
    const message = `The ${channel} channel takes no attachments.`;
    throw new HubError('unprocessable', { message });
  }

  const raw = recipient[plugin.addressField];
  const check = raw ? plugin.normalizeAddress(raw) : undefined;
  if (check?.ok) return { planned, recipient, channel, sendAt };

  if (planned.manual) {
    throw new HubError('invalid_address', {
      message: `The ${recipient.type} has no usable ${plugin.addressField} for ${channel}.`,
    });
  }
  return { planned, recipient, channel, sendAt, failure: 'invalid_address' };
}

/** A copy is rendered now, as the original recipient's message reads. */
function renderPlannedCopy(
  services: HubServices,
  account: Account,
  request: AcceptRequest,
  placement: Placement,
  people: Map<string, Recipient>,
): Placement {
  const { planned, recipient: contact, channel } = placement;
  if (planned.body) return placement;

  const original = people.get(`${planned.copyOf!.type}:${planned.copyOf!.ref}`)!;
  const body = renderCopy(services, account, {
    template: `${request.trigger}/${planned.kind}`, channel, data: planned.data ?? {},
    original, contact,
  });
  if (!body) return { ...placement, failure: 'template_error' };
  return { ...placement, planned: { ...planned, body } };
}

/** Moves an sms or voice message out of the recipient's quiet hours, or skips it. */
function fitQuietHours(account: Account, placement: Placement, now: Date): Placement {
  const { planned, recipient, channel } = placement;
  const timing = fitToWindow({
    sendAt: planned.sendAt, latestAt: planned.latestAt, channel, now,
    window: account.settings.quietHours,
    zone: recipient.timeZone ?? account.settings.timeZone,
  });
  if ('skipped' in timing) return { ...placement, skipped: timing.skipped };
  return { ...placement, sendAt: timing.sendAt };
}

/**
 * A message rendered from a template needs that template for its channel. A person sending
 * through the API learns of a missing template or variable at once; a planned message fails.
 */
function checkTemplate(
  services: HubServices,
  account: Account,
  request: AcceptRequest,
  placement: Placement,
): Placement {
  const { planned, recipient, channel } = placement;
  if (planned.body) return placement;

  const language = recipient.language ?? account.settings.language;
  const ref = { trigger: request.trigger, kind: planned.kind, channel };
  if (!services.templates.has(ref, language, account.id)) {
    if (!planned.manual) return { ...placement, failure: 'template_error' };
    throw new HubError('unknown_template', {
      message: `No template "${request.trigger}/${planned.kind}" for ${channel}.`,
    });
  }

  if (planned.manual) {
    try {
      renderMessage(services.templates, account, recipient, {
        template: `${request.trigger}/${planned.kind}`, channel, language,
        data: planned.data ?? {},
      });
    } catch (error) {
      if (!(error instanceof TemplateRenderError)) throw error;
      throw new HubError('template_error', { message: error.message, cause: error });
    }
  }
  return placement;
}

function firstReachable(plugins: PluginRegistry, recipient: Recipient): string | undefined {
  return plugins.channelIds.find((id) => recipient[plugins.channel(id).plugin.addressField]);
}

async function upsertSubject(
  tx: Executor,
  accountId: string,
  trigger: string,
  subject: NonNullable<AcceptRequest['subject']>,
): Promise<string> {
  const [row] = await tx.insert(subjects)
    .values({ accountId, trigger, type: subject.type, ref: subject.ref, state: subject.state })
    .onConflictDoUpdate({
      target: [subjects.accountId, subjects.type, subjects.ref],
      set: { state: subject.state, updatedAt: new Date() },
    })
    .returning({ id: subjects.id });
  return row.id;
}

async function supersedeOthers(
  tx: Executor,
  subjectId: string,
  planned: PlannedOrCopy[],
  now: Date,
): Promise<void> {
  const keep = planned.map((m) => m.key);
  const stale = await tx.select({ id: messages.id, accountId: messages.accountId })
    .from(messages)
    .where(and(
      eq(messages.subjectId, subjectId),
      inArray(messages.status, pendingStatuses),
      keep.length ? notInArray(messages.key, keep) : sql`true`,
    ));

  for (const message of stale) {
    await changeStatus(tx, message, { status: 'cancelled', reason: 'superseded', at: now });
  }
}

async function storeMessage(
  tx: Executor,
  services: HubServices,
  account: Account,
  request: AcceptRequest,
  placement: Placement,
  subjectId: string | null,
): Promise<AcceptedMessage> {
  const { planned, recipient, channel, sendAt, failure, skipped } = placement;
  const now = services.clock();
  const status = failure ? 'failed' : skipped ? 'cancelled' : 'scheduled';
  const reason = failure ?? skipped;

  const values: Record<OutboundColumn, unknown> = {
    accountId: request.accountId,
    recipientId: recipient.id,
    subjectId,
    manual: planned.manual ?? false,
    trigger: request.trigger,
    kind: planned.kind,
    key: planned.key,
    channel,
    status,
    statusReason: reason ?? null,
    sendAt,
    expiresAt: planned.expiresAt ?? null,
    template: planned.body ? null : `${request.trigger}/${planned.kind}`,
    language: recipient.language ?? account.settings.language,
    data: planned.data ?? {},
    content: planned.body ?? null,
    createdAt: now,
    updatedAt: now,
  };
  const statement = { shape: 'outbound', build: () => newOutboundMessage(tx), values };
  const stored = { accountId: request.accountId, channel, trigger: request.trigger };
  const id = await insertWithStatus(tx, statement, stored, { status, reason, at: now });
  if (!id) return existingMessage(tx, request.accountId, planned.key);

  await storeAttachments(tx, id, planned.attachments ?? []);
  if (status === 'scheduled') {
    await services.queue.send(tx, queueNames.dispatch, { messageId: id }, {
      startAfter: sendAt,
    });
    // Where the account requires consent, the request goes out before the message is due.
    await planOptInRequest(tx, services, { account, recipient, channel, sendAt });
  }
  return { id, key: planned.key, kind: planned.kind, status, sendAt, created: true };
}

async function storeAttachments(tx: Executor, messageId: string, files: OutboundAttachment[]) {
  if (files.length === 0) return;
  await tx.insert(attachments).values(files.map((file, position) => ({
    messageId, position, filename: file.filename, contentType: file.contentType,
    size: file.data.length, data: file.data,
  })));
}

async function existingMessage(tx: Executor, accountId: string, key: string) {
  const [row] = await tx.select({
    id: messages.id, kind: messages.kind, status: messages.status, sendAt: messages.sendAt,
  }).from(messages)
    .where(and(eq(messages.accountId, accountId), eq(messages.key, key)));
  return { ...row, key, created: false };
}

/**
 * The insert of an outbound message with its thread (created with the recipient's first
 * message, as the `thread` part of the statement), written with a placeholder for each of
 * `storeMessage`'s values, so it is built once.
 */
function newOutboundMessage(tx: Executor) {
  const columns = Object.fromEntries(outboundColumns.map((name) => [name, sql.placeholder(name)]));
  // As in `changeStatus`: drizzle takes placeholders for values, though its types do not say so.
  const insert = tx.insert(messages)
    .values({ ...columns, threadId: sql`(select id from thread)`, direction: 'outbound' } as
      unknown as typeof messages.$inferInsert)
    .onConflictDoNothing()
    .returning({ id: messages.id, accountId: messages.accountId });

  const upsert = sql`insert into threads (account_id, recipient_id)
    values (${sql.placeholder('accountId')}, ${sql.placeholder('recipientId')})
    on conflict (recipient_id) do update set account_id = excluded.account_id
    returning id`;
  return { first: sql`thread as (${upsert})`, insert };
}

const outboundColumns = [
  'accountId', 'recipientId', 'subjectId', 'manual', 'trigger', 'kind', 'key', 'channel',
  'status', 'statusReason', 'sendAt', 'expiresAt', 'template', 'language', 'data', 'content',
  'createdAt', 'updatedAt',
] as const;

type OutboundColumn = (typeof outboundColumns)[number];
