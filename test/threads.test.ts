import { beforeAll, describe, expect, it } from 'vitest';
import { createAccount, eventually, startTestHub, type TestHub } from './support/hub.ts';

let testHub: TestHub;
let account: { id: string; key: string };

beforeAll(async () => {
  testHub = await startTestHub();
  account = await createAccount(testHub, 'inbox');
  for (const [ref, phone] of [['c-1', '+12025550171'], ['c-2', '+12025550172']]) {
    await call('PUT', `/clients/${ref}`, { firstName: 'Sam', phone, channel: 'sms' });
  }
});

function call(method: string, path: string, body?: unknown) {
  return testHub.api(account.key, method, `/v1/accounts/inbox${path}`, body);
}

function reply(ref: string, text: string) {
  return call('POST', '/sandbox/replies', {
    channel: 'sms', recipient: { type: 'client', ref }, text,
  });
}

describe('threads', () => {
  it('lists conversations newest first with unread counts and the last message', async () => {
    const sent = await call('POST', '/messages', {
      recipient: { type: 'client', ref: 'c-1' }, text: 'Your forms are ready',
    });
    await eventually(async () => (await call('GET', `/messages/${sent.body.id}`)).body.status
      === 'delivered');
    await reply('c-1', 'Thanks');
    await reply('c-2', 'Hello?');
    await reply('c-2', 'Anyone there?');

    const { status, body } = await call('GET', '/threads');
    expect(status).toBe(200);
    expect(body.threads.map((t: any) => [t.recipient.ref, t.unreadCount]))
      .toEqual([['c-2', 2], ['c-1', 1]]);
    expect(body.threads[0].lastMessage).toMatchObject({ direction: 'inbound', status: 'received' });

    const unread = await call('GET', '/threads?unread=true&limit=1');
    expect(unread.body.threads).toHaveLength(1);
  });

  it('shows one conversation in both directions and marks it read', async () => {
    const thread = await call('GET', '/threads/client:c-1');
    expect(thread.body.messages.map((m: any) => [m.direction, m.content.text, m.read])).toEqual([
      ['inbound', 'Thanks', false],
      ['outbound', 'Your forms are ready', true],
    ]);

    const read = await call('POST', '/threads/client:c-1/read');
    expect(read.body.unreadCount).toBe(0);
    const after = await call('GET', '/threads/client:c-1');
    expect(after.body.messages[0].read).toBe(true);
  });

  it('answers 404 for a recipient without a conversation', async () => {
    const { status } = await call('GET', '/threads/contact:nobody');
    expect(status).toBe(404);
  });
});
