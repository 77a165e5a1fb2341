import { beforeAll, describe, expect, it } from 'vitest';
import type { SandboxInstance } from '../core/sandbox/sandbox-provider.ts';
import {
  adminKey, createAccount, eventually, logLines, startTestHub, type TestHub,
} from './support/hub.ts';

const patient = { firstName: 'Marisol', lastName: 'Quintanilla', phone: '+12025550147' };
const secretText = 'Your biopsy results are ready, Marisol';

let testHub: TestHub;
let account: { id: string; key: string };

beforeAll(async () => {
  testHub = await startTestHub();
  account = await createAccount(testHub, 'riverside');
  const put = await testHub.api(account.key, 'PUT', `/v1/accounts/riverside/clients/p-1`, {
    ...patient, channel: 'sms', timeZone: 'America/Chicago',
  });
  expect(put.status).toBe(201);
});

function sms(): SandboxInstance {
  return testHub.hub.services.plugins.instance('sms') as SandboxInstance;
}

async function send(body: object, headers: HeadersInit = {}) {
  return testHub.api(account.key, 'POST', '/v1/accounts/riverside/messages', {
    recipient: { type: 'client', ref: 'p-1' }, ...body,
  }, headers);
}

async function readMessage(id: string) {
  const { body } = await testHub.api(account.key, 'GET', `/v1/accounts/riverside/messages/${id}`);
  return body;
}

async function untilStatus(id: string, status: string) {
  return eventually(async () => {
    const message = await readMessage(id);
    return message.status === status && message;
  });
}

describe('sending an ad-hoc message', () => {
  it('sends a text now and one at a later sendAt, both delivered in order', async () => {
    const later = await send({ text: 'second', sendAt: new Date(Date.now() + 2500).toISOString() });
    const now = await send({ text: secretText });
    expect(now.status).toBe(202);
    expect(later.status).toBe(202);

    const first = await untilStatus(now.body.id, 'delivered');
    expect(first.content).toEqual({ text: secretText });
    expect(first.history.map((event: { status: string }) => event.status))
      .toEqual(['scheduled', 'sending', 'sent', 'delivered']);
    expect(first.units).toBe(1);

    const second = await untilStatus(later.body.id, 'delivered');
    const sentAt = (message: any) =>
      message.history.find((event: { status: string }) => event.status === 'sent').at;
    expect(sentAt(second) > sentAt(first)).toBe(true);
    expect(new Date(sentAt(second)).getTime())
      .toBeGreaterThanOrEqual(new Date(second.sendAt).getTime());

    const sent = sms().records.map((record) => record.message.body.text);
    expect(sent.indexOf(secretText)).toBeLessThan(sent.indexOf('second'));
  });

  it('lists messages newest first and filters them', async () => {
    const { status, body } = await testHub.api(account.key, 'GET',
      '/v1/accounts/riverside/messages?status=delivered&channel=sms&limit=1');
    expect(status).toBe(200);
    expect(body.messages).toHaveLength(1);
    expect(body.messages[0]).toMatchObject({
      status: 'delivered', channel: 'sms', recipient: { type: 'client', ref: 'p-1' },
    });
  });

  it('sends once when a request is retried with the same Idempotency-Key', async () => {
    const headers = { 'Idempotency-Key': 'retry-42' };
    const first = await send({ text: 'only once' }, headers);
    const retry = await send({ text: 'only once' }, headers);
    expect(retry.status).toBe(first.status);
    expect(retry.body).toEqual(first.body);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');

    await untilStatus(first.body.id, 'delivered');
    const copies = sms().records.filter((record) => record.message.body.text === 'only once');
    expect(copies).toHaveLength(1);

    const reused = await send({ text: 'something else' }, headers);
    expect(reused.status).toBe(409);
    expect(reused.body.error.code).toBe('idempotency_conflict');
  });

  it('suppresses messages while messaging is disabled for the account', async () => {
    await testHub.api(adminKey, 'PATCH', '/v1/accounts/riverside', {
      settings: { messagingEnabled: false },
    });
    const sent = await send({ text: 'should not go out' });

    const message = await untilStatus(sent.body.id, 'suppressed');
    expect(message.statusReason).toBe('messaging_disabled');
    expect(sms().records.some((r) => r.message.body.text === 'should not go out')).toBe(false);

    await testHub.api(adminKey, 'PATCH', '/v1/accounts/riverside', {
      settings: { messagingEnabled: true },
    });
  });

  it('delivers a message that was pending when the hub stopped, after it restarts', async () => {
    const sendAt = new Date(Date.now() + 1500).toISOString();
    const sent = await send({ text: 'across a restart', sendAt });
    await testHub.restart();

    const message = await untilStatus(sent.body.id, 'delivered');
    expect(message.history.filter((e: { status: string }) => e.status === 'sent')).toHaveLength(1);
  });
});

describe('bad requests', () => {
  it('names the field of an invalid phone number', async () => {
    const { status, body } = await testHub.api(account.key, 'PUT',
      '/v1/accounts/riverside/clients/p-2', { phone: '12' });
    expect(status).toBe(400);
    expect(body.error.code).toBe('validation_failed');
    expect(body.error.details).toEqual([expect.objectContaining({ path: 'body.phone' })]);
  });

  it('refuses a message to a client without an address for the channel', async () => {
    await testHub.api(account.key, 'PUT', '/v1/accounts/riverside/clients/p-3', {
      firstName: 'Noel', phone: '+12025550148',
    });
    const { status, body } = await testHub.api(account.key, 'POST',
      '/v1/accounts/riverside/messages', {
        recipient: { type: 'client', ref: 'p-3' }, channel: 'email', text: 'hi',
      });
    expect(status).toBe(422);
    expect(body.error.code).toBe('invalid_address');
  });

  it('refuses malformed JSON, unknown fields and a missing key with the error shape', async () => {
    const malformed = await fetch(`${testHub.url}/v1/accounts/riverside/messages`, {
      method: 'POST',
      headers: { authorization: `Bearer ${account.key}`, 'content-type': 'application/json' },
      body: '{"recipient":',
    });
    expect(malformed.status).toBe(400);
    expect((await malformed.json()).error.code).toBe('bad_request');

    const unknown = await send({ text: 'x', priority: 'high' });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.details[0].path).toBe('body');

    const anonymous = await fetch(`${testHub.url}/v1/accounts/riverside/messages`);
    expect(anonymous.status).toBe(401);
  });

});

describe('the service itself', () => {
  it('reports health and readiness', async () => {
    expect((await fetch(`${testHub.url}/healthz`)).status).toBe(200);
    const ready = await fetch(`${testHub.url}/readyz`);
    expect(await ready.json()).toEqual({ status: 'ready', database: 'ok', queue: 'ok' });
  });

  it('describes its API in OpenAPI 3.1 and renders it at /docs', async () => {
    const document = await (await fetch(`${testHub.url}/openapi.json`)).json();
    expect(document.openapi).toBe('3.1.0');
    expect(Object.keys(document.paths)).toEqual(expect.arrayContaining([
      '/v1/accounts', '/v1/accounts/{accountId}/clients/{ref}',
      '/v1/accounts/{accountId}/messages', '/v1/accounts/{accountId}/messages/{messageId}',
    ]));

    const docs = await fetch(`${testHub.url}/docs`);
    expect(docs.headers.get('content-type')).toContain('text/html');
    expect(await docs.text()).toContain('/openapi.json');
  });

  // Last of the requests: the hub answers 413 before reading the body and closes the
  // connection, which the client's pool may hand to a following request.
  it('refuses a body over the size limit', async () => {
    const { status, body } = await send({ text: 'x'.repeat(2 * 1024 * 1024) });
    expect(status).toBe(413);
    expect(body.error.code).toBe('payload_too_large');
  });

  it('never writes message text, names or addresses to its logs', () => {
    expect(logLines.length).toBeGreaterThan(10);
    const log = logLines.join('\n');
    for (const secret of [secretText, patient.firstName, patient.lastName, patient.phone]) {
      expect(log).not.toContain(secret);
    }
  });
});

describe('jobs queued by the previous version of the hub', () => {
  it('reads a status job that carries a single delivery report', async () => {
    const sent = await send({ text: 'carried over' });
    const message = await untilStatus(sent.body.id, 'delivered');

    const { boss } = testHub.hub.services.queue;
    const report = {
      provider: 'sandbox', providerId: message.providerId, status: 'delivered',
      eventId: `${message.providerId}:again`,
    };
    const jobId = await boss.send('status', report);
    const job = await eventually(async () => {
      const found = await boss.getJobById('status', jobId!);
      return found?.state === 'completed' && found;
    });

    expect(job.state).toBe('completed');
    expect((await readMessage(sent.body.id)).history).toEqual(message.history);
  });
});
