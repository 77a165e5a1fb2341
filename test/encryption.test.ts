import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reencryptAll } from '../core/encryption/reencrypt.ts';
import { Keyring, parseKey } from '../core/encryption/keyring.ts';
import {
  createAccount, encryptionKey, eventually, startTestHub, type TestHub,
} from './support/hub.ts';

const patient = {
  firstName: 'Evangelina', lastName: 'Throckmorton',
  phone: '+12025550163', email: 'evangelina.t@example.org',
};
const secretText = 'Your HbA1c came back at 9.1 percent';
const attachmentText = 'CONFIDENTIAL-DISCHARGE-SUMMARY';

let testHub: TestHub;
let account: { id: string; key: string };
let messageIds: string[] = [];
let firstAnswer: unknown;
let sql: postgres.Sql;

beforeAll(async () => {
  testHub = await startTestHub();
  sql = postgres(testHub.database.url, { max: 2, onnotice: () => {} });
  account = await createAccount(testHub, 'vault');
  await testHub.api(account.key, 'PUT', '/v1/accounts/vault/clients/c-1', patient);

  const pdf = Buffer.from(`%PDF-1.4\n${attachmentText}\n%%EOF`).toString('base64');
  const sent = await Promise.all([
    send({ channel: 'sms', text: secretText }),
    send({
      channel: 'email', text: secretText, subject: 'Lab results',
      attachments: [{ filename: 'summary.pdf', contentType: 'application/pdf', content: pdf }],
    }),
  ]);
  messageIds = sent.map((response) => response.body.id);
  await Promise.all(messageIds.map((id) => until(id, 'delivered')));
  firstAnswer = (await sendRetried()).body;
});

/** A send the host repeats with its Idempotency-Key, whose answer the hub keeps encrypted. */
function sendRetried() {
  return testHub.api(account.key, 'POST', '/v1/accounts/vault/messages', {
    recipient: { type: 'client', ref: 'c-1' }, channel: 'sms', text: secretText,
  }, { 'Idempotency-Key': 'before-rotation' });
}

afterAll(() => sql.end());

async function send(body: object) {
  return testHub.api(account.key, 'POST', '/v1/accounts/vault/messages', {
    recipient: { type: 'client', ref: 'c-1' }, ...body,
  });
}

async function until(id: string, status: string) {
  return eventually(async () => {
    const { body } = await testHub.api(account.key, 'GET', `/v1/accounts/vault/messages/${id}`);
    return body.status === status && body;
  });
}

/** Every row of every table the hub keeps, including the queue's, as text. */
async function dumpDatabase(): Promise<string> {
  const tables = await sql<{ schema: string; name: string }[]>`
    select table_schema as schema, table_name as name from information_schema.tables
     where table_schema in ('public', 'pgboss', 'drizzle') and table_type = 'BASE TABLE'`;
  const parts: string[] = [];
  for (const { schema, name } of tables) {
    const rows = await sql.unsafe(`select t::text as row from "${schema}"."${name}" t`);
    parts.push(...rows.map((row) => String(row.row)));
  }
  return parts.join('\n');
}

describe('encryption at rest', () => {
  it('stores no message text, name, address or attachment in clear text', async () => {
    const dump = await dumpDatabase();
    expect(dump.length).toBeGreaterThan(1000);
    for (const secret of [secretText, attachmentText, ...Object.values(patient)]) {
      expect(dump).not.toContain(secret);
    }
    expect(dump).not.toContain(Buffer.from(attachmentText).toString('base64').slice(0, 16));
  });

  it('still shows the content to the account through the API', async () => {
    const message = await until(messageIds[0], 'delivered');
    expect(message.content.text).toBe(secretText);

    const client = await testHub.api(account.key, 'GET', '/v1/accounts/vault/clients/c-1');
    expect(client.body).toMatchObject(patient);
  });

  it('refuses to start without the key the data is encrypted under', async () => {
    const otherKey = 'other:' + Buffer.alloc(32, 9).toString('base64');
    await testHub.stop();

    const start = testHub.restart({ env: { HUB_ENCRYPTION_KEY: otherKey } });
    const refusal = /encrypted under keys that are not configured[\s\S]*"test"/;
    await expect(start).rejects.toThrow(refusal);
  });

  it('reads old data after a rotation and moves it to the new key on re-encryption', async () => {
    const newKey = 'next:' + Buffer.alloc(32, 11).toString('base64');
    await testHub.restart({
      env: { HUB_ENCRYPTION_KEY: newKey, HUB_PREVIOUS_ENCRYPTION_KEY: encryptionKey },
    });
    const before = await until(messageIds[0], 'delivered');
    expect(before.content.text).toBe(secretText);

    const keyring = new Keyring(parseKey(newKey), [parseKey(encryptionKey)]);
    const rewritten = await reencryptAll(sql, keyring, testHub.hub.services.log);
    expect(rewritten).toBeGreaterThan(0);

    const [{ stale }] = await sql`
      select (select count(*) from messages where content not like 'enc1:next:%')
           + (select count(*) from idempotency_keys where response not like 'enc1:next:%')
        as stale`;
    expect(Number(stale)).toBe(0);
    expect((await until(messageIds[0], 'delivered')).content.text).toBe(secretText);

    const replayed = await sendRetried();
    expect(replayed.body).toEqual(firstAnswer);
  });
});
