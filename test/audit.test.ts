import postgres from 'postgres';
import { beforeAll, describe, expect, it } from 'vitest';
import { hasNamedAction } from '../core/audit/actions.ts';
import { adminKey, createAccount, startTestHub, type TestHub } from './support/hub.ts';

const patient = { firstName: 'Philippa', lastName: 'Ashgrove', phone: '+12025550163' };
const secretText = 'Your HIV test result is ready';

let testHub: TestHub;
let account: { id: string; key: string };
let messageId: string;

beforeAll(async () => {
  testHub = await startTestHub();
  account = await createAccount(testHub, 'audited');
  await call('PUT', '/v1/accounts/audited/clients/p-7', patient);
  const sent = await call('POST', '/v1/accounts/audited/messages', {
    recipient: { type: 'client', ref: 'p-7' }, text: secretText,
  }, { 'X-Request-Id': 'send-42' });
  messageId = sent.body.id;
});

function call(method: string, path: string, body?: unknown, headers?: HeadersInit) {
  return testHub.api(account.key, method, path, body, headers);
}

async function audit(query = '', key = account.key) {
  const { status, body } = await testHub.api(key, 'GET', `/v1/accounts/audited/audit${query}`);
  expect(status).toBe(200);
  return body as { entries: Array<Record<string, any>>; nextCursor: string | null };
}

function keyIdOf(entries: Array<Record<string, any>>): string {
  return entries.find((entry) => entry.keyId !== 'admin')!.keyId;
}

describe('the audit log', () => {
  it('records who wrote and read a message and a client, by id, newest first', async () => {
    await call('GET', `/v1/accounts/audited/messages/${messageId}`);
    await call('GET', '/v1/accounts/audited/messages');
    await call('GET', '/v1/accounts/audited/clients/p-7');

    const { entries } = await audit('?limit=4');
    const keyId = keyIdOf(entries);
    expect(entries.map(({ action, subject, status }) => ({ action, subject, status })))
      .toEqual([
        { action: 'recipient.read', subject: 'clients/p-7', status: 200 },
        { action: 'message.list', subject: 'messages', status: 200 },
        { action: 'message.read', subject: `messages/${messageId}`, status: 200 },
        { action: 'message.create', subject: `messages/${messageId}`, status: 202 },
      ]);
    expect(entries[3]).toMatchObject({
      accountId: 'audited', targetAccountId: 'audited', keyId, requestId: 'send-42',
      route: 'POST /v1/accounts/:accountId/messages',
    });
  });

  it('records refused requests with the status the caller got', async () => {
    const missing = '00000000-0000-4000-8000-000000000000';
    expect((await call('GET', `/v1/accounts/audited/messages/${missing}`)).status).toBe(404);
    expect((await call('PUT', '/v1/accounts/audited/clients/p-8', { shoeSize: 9 })).status)
      .toBe(400);

    const { entries } = await audit('?limit=2');
    expect(entries.map(({ action, subject, status }) => ({ action, subject, status })))
      .toEqual([
        { action: 'recipient.write', subject: 'clients/p-8', status: 400 },
        { action: 'message.read', subject: `messages/${missing}`, status: 404 },
      ]);
  });

  it('records the admin key in the log of the account it reached', async () => {
    await testHub.api(adminKey, 'GET', `/v1/accounts/audited/messages/${messageId}`);

    const { entries } = await audit('?key=admin&action=message.read');
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ accountId: 'audited', subject: `messages/${messageId}` });
  });

  it('filters by action, subject and everything below it, key and time', async () => {
    const before = new Date().toISOString();
    await call('GET', `/v1/accounts/audited/messages/${messageId}`);
    const after = new Date(Date.now() + 1000).toISOString();

    const reads = await audit(`?action=message.read&subject=messages/${messageId}`);
    expect(reads.entries.every((entry) => entry.action === 'message.read')).toBe(true);
    expect(reads.entries.length).toBeGreaterThanOrEqual(2);

    const underClients = await audit('?subject=clients');
    expect(new Set(underClients.entries.map((entry) => entry.subject)))
      .toEqual(new Set(['clients/p-7', 'clients/p-8']));

    const recent = await audit(`?from=${before}&to=${after}&action=message.read`);
    expect(recent.entries).toHaveLength(1);
    const future = await audit(`?from=${after}`);
    expect(future.entries).toEqual([]);

    const byKey = await audit(`?key=${keyIdOf(reads.entries)}&action=message.create`);
    expect(byKey.entries).toHaveLength(1);
  });

  it('pages through the log with the cursor it gives', async () => {
    const all = await audit('?limit=500');
    const seen: string[] = [];
    let cursor: string | null = '';
    while (cursor !== null) {
      const page = await audit(`?limit=3${cursor ? `&cursor=${cursor}` : ''}`);
      seen.push(...page.entries.map((entry) => entry.id));
      cursor = page.nextCursor;
    }

    const ids = all.entries.map((entry) => entry.id);
    expect(seen.filter((id) => ids.includes(id))).toEqual(ids);
  });

  it('refuses unknown filters and malformed cursors', async () => {
    const unknown = await call('GET', '/v1/accounts/audited/audit?who=me');
    expect(unknown.status).toBe(400);
    const cursor = await call('GET', '/v1/accounts/audited/audit?cursor=abc');
    expect(cursor.status).toBe(400);
  });

  it('keeps names, addresses and message text out of the log', async () => {
    const sql = postgres(testHub.database.url, { max: 1 });
    const rows = await sql`select * from audit_log`;
    await sql.end();

    const dump = JSON.stringify(rows);
    expect(rows.length).toBeGreaterThan(10);
    for (const value of [secretText, ...Object.values(patient), '2025550163']) {
      expect(dump).not.toContain(value);
    }
  });

  it('names the action of every documented account route', async () => {
    const document = await (await fetch(`${testHub.url}/openapi.json`)).json();
    const unnamed: string[] = [];
    for (const [template, operations] of Object.entries<object>(document.paths)) {
      if (!template.startsWith('/v1/accounts/{accountId}')) continue;
      const pattern = template.replace(/\{(\w+)\}/g, ':$1');
      for (const method of Object.keys(operations)) {
        const route = `${method.toUpperCase()} ${pattern}`;
        if (!hasNamedAction(method.toUpperCase(), pattern)) unnamed.push(route);
      }
    }
    expect(unnamed).toEqual([]);
  });
});
