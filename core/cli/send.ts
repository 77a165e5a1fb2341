import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { eq } from 'drizzle-orm';
import type { Account } from '../accounts/store.ts';
import { messages, type MessageStatus } from '../db/schema.ts';
import { addressHash } from '../encryption/columns.ts';
import { HubError } from '../errors.ts';
import type { Hub } from '../hub.ts';
import { acceptPlan } from '../messages/accept.ts';
import { RecipientStore } from '../recipients/store.ts';
import { CommandError, configOption, parseOptions, required } from './command.ts';
import { openHub } from './open-hub.ts';

export async function run(args: string[]): Promise<number> {
  const { values } = parseOptions('send', args, {
    ...configOption,
    account: { type: 'string' },
    to: { type: 'string' },
    client: { type: 'string' },
    channel: { type: 'string' },
    text: { type: 'string' },
    subject: { type: 'string' },
    wait: { type: 'string' },
  });
  const accountId = required(values.account, 'account');
  const text = required(values.text, 'text');
  const waitSeconds = parseWait(values.wait);
  if (!values.to === !values.client) throw new CommandError('give either --to or --client');

  const hub = await openHub(values.config);
  try {
    const account = await hub.services.accounts.find(accountId);
    if (!account) throw new CommandError(`no account "${accountId}"`);

    const channel = values.channel ?? (values.to?.includes('@') ? 'email' : 'sms');
    const recipient = values.client
      ?? await upsertAdHocClient(hub, accountId, channel, values.to!);
    const id = await queueMessage(hub, account, recipient, channel, text, values.subject);
    process.stdout.write(`Message ${id} queued for client ${recipient} by ${channel}.\n`);
    return await follow(hub, id, waitSeconds);
  } catch (error) {
    if (error instanceof HubError) throw new CommandError(error.message, { cause: error });
    throw error;
  } finally {
    await hub.stop();
  }
}

function parseWait(text: string | undefined): number {
  if (text === undefined) return 30;
  const seconds = Number(text);
  if (!Number.isFinite(seconds) || seconds < 0) {
    throw new CommandError('--wait must be a number of seconds');
  }
  return seconds;
}

/**
 * An address typed on the command line becomes a client of its own. Its reference is a keyed
 * hash, so the same address finds the same client again without the reference showing it.
 */
async function upsertAdHocClient(hub: Hub, accountId: string, channel: string, to: string) {
  const { services } = hub;
  const { plugin } = services.plugins.channel(channel);
  const check = plugin.normalizeAddress(to);
  if (!check.ok) throw new CommandError(`--to: ${check.message}`);

  const ref = `cli-${addressHash(`${channel}:${check.address}`).slice(0, 20)}`;
  const store = new RecipientStore(services.database.db);
  await store.upsert(accountId, 'client', ref, { [plugin.addressField]: check.address, channel });
  return ref;
}

async function queueMessage(
  hub: Hub,
  account: Account,
  ref: string,
  channel: string,
  text: string,
  subject: string | undefined,
): Promise<string> {
  const { services } = hub;
  const [accepted] = await acceptPlan(services, account, {
    accountId: account.id,
    trigger: 'adhoc',
    messages: [{
      key: `cli:${randomUUID()}`,
      kind: 'message',
      recipient: { type: 'client', ref },
      channel,
      sendAt: services.clock(),
      body: { text, subject },
      manual: true,
    }],
  });
  return accepted.id;
}

/** Statuses after which nothing more happens to an outbound message. */
const finalStatuses: MessageStatus[] = [
  'delivered', 'failed', 'cancelled', 'expired', 'suppressed',
];

const pollMs = 250;

/** Prints each status the message reaches, until a final one or the end of the wait. */
async function follow(hub: Hub, id: string, waitSeconds: number): Promise<number> {
  const { db } = hub.services.database;
  const deadline = Date.now() + waitSeconds * 1000;
  let shown: string | undefined;

  for (;;) {
    const [row] = await db.select({ status: messages.status, reason: messages.statusReason })
      .from(messages).where(eq(messages.id, id));
    if (row.status !== shown) {
      shown = row.status;
      process.stdout.write(`  ${row.status}${row.reason ? ` (${row.reason})` : ''}\n`);
    }

    if (finalStatuses.includes(row.status)) return row.status === 'delivered' ? 0 : 1;
    if (Date.now() >= deadline) return explainWait(row.status);
    await sleep(pollMs);
  }
}

function explainWait(status: MessageStatus): number {
  const notes: Partial<Record<MessageStatus, string>> = {
    scheduled: 'No worker has taken it yet; it goes out when a hub worker runs.',
    held: 'It is held; it goes out when the reason is resolved.',
    sent: 'The provider took it; its delivery report has not come yet.',
  };
  const note = notes[status];
  if (note) process.stdout.write(`${note}\n`);
  return 0;
}
