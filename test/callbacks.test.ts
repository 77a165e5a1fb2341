import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emitEvent, eventTypes } from '../core/callbacks/events.ts';
import { writeConfig } from './support/config.ts';
import {
  adminKey, createAccount, eventually, startTestHub, type TestHub,
} from './support/hub.ts';

/** A request the receiving endpoint got, as the host would see it. */
interface Received {
  path: string;
  headers: Record<string, string>;
  body: string;
}

/**
 * The host's side: a real HTTP server on loopback. `/ok` accepts, `/flaky` fails each event
 * once with 500, `/gone` answers 410, `/slow` never answers until the test ends.
 */
function startReceiver() {
  const received: Received[] = [];
  const seen = new Set<string>();
  const hanging: ServerResponse[] = [];

  const server = createServer(async (request: IncomingMessage, response: ServerResponse) => {
    let body = '';
    for await (const chunk of request) body += chunk;
    const path = request.url ?? '/';
    const headers = request.headers as Record<string, string>;
    const entry = { path, headers, body };
    received.push(entry);

    const id = `${path}:${entry.headers['webhook-id']}`;
    if (path === '/slow') {
      hanging.push(response);
      return;
    }
    const status = path === '/gone' ? 410
      : path === '/flaky' && !seen.has(id) ? 500
      : 204;
    seen.add(id);
    response.writeHead(status).end();
  });

  return {
    received,
    async start() {
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    },
    async stop() {
      for (const response of hanging) response.destroy();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

const receiver = startReceiver();
let base: string;
let testHub: TestHub;
let account: { id: string; key: string };

beforeAll(async () => {
  base = await receiver.start();
  const configFile = await writeConfig('callbacks.yaml', {
    'prices.sms.perSegment': 2,
    'callbacks.retrySchedule': [1, 1, 1],
    'callbacks.timeoutSeconds': 2,
  });
  testHub = await startTestHub({ configFile });
  account = await createAccount(testHub, 'hooks', {
    lowCreditThresholds: [3],
    quietHours: { start: '00:00', end: '00:00' },
  });
  await call('PUT', '/clients/p-1', { firstName: 'Ana', phone: '+12025550181', channel: 'sms' });
});

afterAll(() => receiver.stop());

function call(method: string, path: string, body?: unknown) {
  return testHub.api(account.key, method, `/v1/accounts/hooks${path}`, body);
}

async function register(path: string, events: readonly string[]) {
  const created = await call('POST', '/callbacks', { url: `${base}${path}`, events });
  expect(created.status).toBe(201);
  return created.body as { id: string; secret: string };
}

function reply(text: string) {
  return call('POST', '/sandbox/replies', {
    channel: 'sms', recipient: { type: 'client', ref: 'p-1' }, text,
  });
}

function sendSms(text: string) {
  return call('POST', '/messages', { recipient: { type: 'client', ref: 'p-1' }, text });
}

async function deliveries(endpointId: string) {
  const { body } = await call('GET', `/callbacks/${endpointId}/deliveries`);
  return body.deliveries as any[];
}

function receivedAt(path: string) {
  return receiver.received.filter((request) => request.path === path);
}

describe('callbacks', () => {
  it('delivers every event type, signed so that a Standard Webhooks library verifies it',
    async () => {
      const endpoint = await register('/ok', eventTypes);
      expect(endpoint.secret).toMatch(/^whsec_/);
      const listed = await call('GET', '/callbacks');
      expect(listed.body.callbacks).toEqual([expect.objectContaining({ id: endpoint.id })]);
      expect(listed.body.callbacks[0].secret).toBeUndefined();

      // Credit 5 at 2 per segment: the first send crosses the threshold of 3 (credit.low),
      // the second leaves 1, the third is held for credit (messaging.error).
      await testHub.api(adminKey, 'POST', '/v1/accounts/hooks/credit/top-ups', {
        amount: 5, reference: 'hooks-1',
      });
      for (const text of ['one', 'two', 'three']) await sendSms(text);
      await reply('Thanks!');
      // These come from the appointment and consent parts of the hub; here they are written
      // the way those parts write them.
      await testHub.hub.services.database.db.transaction(async (tx) => {
        await emitEvent(tx, 'hooks', 'appointment.confirmed', { appointment: 'a-1' });
        await emitEvent(tx, 'hooks', 'appointment.cancelled', { appointment: 'a-2' });
        await emitEvent(tx, 'hooks', 'consent.changed', { recipient: 'p-1', consent: 'opt_in' });
      });

      const webhook = new Webhook(endpoint.secret);
      const types = await eventually(async () => {
        const seen = new Set(receivedAt('/ok').map((request) => {
          const payload = webhook.verify(request.body, request.headers) as { type: string };
          return payload.type;
        }));
        return eventTypes.every((type) => seen.has(type)) && seen;
      });
      expect([...types].sort()).toEqual([...eventTypes].sort());

      const error = receivedAt('/ok').map((request) => JSON.parse(request.body))
        .find((event) => event.type === 'messaging.error');
      expect(error).toMatchObject({
        accountId: 'hooks',
        data: { reason: 'insufficient_credit', recipient: { type: 'client', ref: 'p-1' } },
      });
      expect(error.id).toBe(receivedAt('/ok').find((request) =>
        request.body.includes('messaging.error'))?.headers['webhook-id']);
      expect(JSON.stringify(receivedAt('/ok').map((request) => request.body)))
        .not.toMatch(/Thanks|three|2025550181/);
    });

  it('retries an endpoint that fails with 500 and delivers the event once', async () => {
    const endpoint = await register('/flaky', ['message.received']);
    await reply('flaky please');

    const [delivery] = await eventually(async () => {
      const rows = await deliveries(endpoint.id);
      return rows[0]?.status === 'delivered' && rows;
    });
    expect(delivery.attempts.map((attempt: any) => attempt.statusCode)).toEqual([500, 204]);
    const requests = receivedAt('/flaky');
    expect(requests).toHaveLength(2);
    expect(requests[0].headers['webhook-id']).toBe(requests[1].headers['webhook-id']);
    expect(requests[1].body).toBe(requests[0].body);
  });

  it('stops delivering to an endpoint that answers 410 Gone', async () => {
    const gone = await register('/gone', ['message.received']);
    const healthy = await register('/ok', ['message.received']);
    await reply('anyone?');

    await eventually(async () => {
      const { body } = await call('GET', '/callbacks');
      return body.callbacks.find((cb: any) => cb.id === gone.id).enabled === false;
    });
    const { body } = await call('GET', '/callbacks');
    expect(body.callbacks.find((cb: any) => cb.id === gone.id).disabledReason).toBe('gone');
    expect((await deliveries(gone.id)).map((d) => d.status)).toEqual(['failed']);

    await reply('still there?');
    await eventually(async () => (await deliveries(healthy.id))
      .filter((d) => d.status === 'delivered').length === 2);
    expect(await deliveries(gone.id)).toHaveLength(1);
    expect(receivedAt('/gone')).toHaveLength(1);
  });

  it('replays a delivery with the same webhook-id', async () => {
    const endpoint = await register('/ok', ['message.received']);
    await reply('replay me');
    const [first] = await eventually(async () => {
      const rows = await deliveries(endpoint.id);
      return rows[0]?.status === 'delivered' && rows;
    });

    const replay = await call('POST', `/deliveries/${first.id}/replay`);
    expect(replay.status).toBe(202);
    expect(replay.body).toMatchObject({ eventId: first.eventId, replayOf: first.id });

    await eventually(async () => (await deliveries(endpoint.id))
      .find((d) => d.id === replay.body.id)?.status === 'delivered');
    const copies = receivedAt('/ok').filter((r) => r.headers['webhook-id'] === first.eventId);
    expect(copies.length).toBeGreaterThanOrEqual(2);
    expect(new Set(copies.map((r) => r.body)).size).toBe(1);
  });

  it('lets a slow endpoint time out without holding up another', async () => {
    const slow = await register('/slow', ['message.received']);
    const fast = await register('/ok', ['message.received']);
    await reply('who is first?');

    await eventually(async () => (await deliveries(fast.id))[0]?.status === 'delivered');
    const [waiting] = await deliveries(slow.id);
    expect(waiting).toMatchObject({ status: 'pending', attempts: [] });

    const [attempt] = await eventually(async () => {
      const [delivery] = await deliveries(slow.id);
      return delivery?.attempts.length > 0 && delivery.attempts;
    });
    expect(attempt).toMatchObject({ statusCode: null, error: 'timeout' });
  });

  it('removes an endpoint', async () => {
    const endpoint = await register('/ok', ['credit.low']);
    expect((await call('DELETE', `/callbacks/${endpoint.id}`)).status).toBe(204);
    expect((await call('GET', `/callbacks/${endpoint.id}/deliveries`)).status).toBe(404);
  });
});
