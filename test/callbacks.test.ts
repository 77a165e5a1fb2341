import { mkdtemp, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventTypes } from '../core/callbacks/events.ts';
import { loadConfig } from '../core/config/load.ts';
import { projectRoot } from '../core/paths.ts';
import { defaultCredentials, startSimulator, type Simulator } from './simulator/index.ts';
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

const { accountSid, authToken } = defaultCredentials.twilio;
const practiceNumber = '+12025550100';
const patients = {
  'p-1': { firstName: 'Ana', phone: '+12025550181' },
  'p-2': { firstName: 'Bea', phone: '+12025550182' },
  'p-3': { firstName: 'Cyd', phone: '+12025550183' },
} as const;
type Patient = keyof typeof patients;

const receiver = startReceiver();
let base: string;
let sim: Simulator;
let testHub: TestHub;
let account: { id: string; key: string };

beforeAll(async () => {
  base = await receiver.start();
  sim = await startSimulator();
  const configFile = await writeConfig('callbacks.yaml', {
    'channels.sms': {
      provider: 'twilio', accountSid, authToken, baseUrl: sim.url,
      rateLimit: { segmentsPerSecond: 50 },
    },
    'prices.sms.perSegment': 2,
    'queue.pollingIntervalSeconds': 0.5,
    'queue.retryDelaySeconds': 0,
    'callbacks.retrySchedule': [1, 1, 1],
    'callbacks.timeoutSeconds': 2,
  });
  testHub = await startTestHub({ configFile });
  const publicUrl = testHub.hub.services.config.server.publicUrl;
  sim.setWebhookUrls({ twilioInboundSms: `${publicUrl}/webhooks/twilio/sms/inbound` });

  // A reminder 58 seconds before an appointment booked a minute ahead goes out at once.
  account = await createAccount(testHub, 'hooks', {
    senders: { sms: practiceNumber }, lowCreditThresholds: [99], reminderOffsets: ['58s'],
  });
  for (const [ref, patient] of Object.entries(patients)) {
    await call('PUT', `/clients/${ref}`, { ...patient, channel: 'sms' });
  }
});

afterAll(async () => {
  await receiver.stop();
  await sim.stop();
});

function call(method: string, path: string, body?: unknown) {
  return testHub.api(account.key, method, `/v1/accounts/hooks${path}`, body);
}

async function register(path: string, events: readonly string[]) {
  const created = await call('POST', '/callbacks', { url: `${base}${path}`, events });
  expect(created.status).toBe(201);
  return created.body as { id: string; secret: string };
}

/** A text from the patient to the practice's number, as Twilio posts it to the hub. */
async function reply(text: string, ref: Patient = 'p-1') {
  const sent = await sim.twilio.inbound.receive({
    from: patients[ref].phone, to: practiceNumber, body: text,
  });
  expect(sent.status).toBe(200);
}

function sendSms(ref: Patient, text: string) {
  return call('POST', '/messages', { recipient: { type: 'client', ref }, text });
}

/** Books an appointment a minute ahead and waits until its reminder is delivered. */
async function remind(appointment: string, clientRef: Patient) {
  const start = new Date(Date.now() + 60_000);
  start.setMilliseconds(0);
  const booked = await call('PUT', `/appointments/${appointment}`, {
    clientRef, start: start.toISOString(),
  });
  expect(booked.status).toBe(201);

  const reminder = booked.body.messages.find((m: { kind: string }) => m.kind === 'reminder');
  await eventually(async () => (await call('GET', `/messages/${reminder.id}`))
    .body.status === 'delivered');
}

async function deliveries(endpointId: string) {
  const { body } = await call('GET', `/callbacks/${endpointId}/deliveries`);
  return body.deliveries as any[];
}

function receivedAt(path: string) {
  return receiver.received.filter((request) => request.path === path);
}

/** An event type, and which of its events is meant. */
type Sought = [type: string, match: (data: any) => boolean];

/**
 * Waits until `/ok` has received each sought event, checks every event received there as
 * the host would (signature, envelope), and returns the data of each sought one, which must
 * have come exactly once.
 */
async function verifiedEvents<K extends string>(secret: string, sought: Record<K, Sought>) {
  const webhook = new Webhook(secret);
  const verify = (request: Received) => {
    const event = webhook.verify(request.body, request.headers) as Record<string, any>;
    expect(event).toMatchObject({ id: request.headers['webhook-id'], accountId: 'hooks' });
    expect(new Date(event.createdAt).toISOString()).toBe(event.createdAt);
    return event;
  };
  const matching = (events: Record<string, any>[], [type, match]: Sought) =>
    events.filter((event) => event.type === type && match(event.data));

  const events = await eventually(async () => {
    const verified = receivedAt('/ok').map(verify);
    const all = Object.values<Sought>(sought).every((s) => matching(verified, s).length > 0);
    return all && verified;
  });

  const found = {} as Record<K, any>;
  for (const [name, wanted] of Object.entries<Sought>(sought)) {
    const copies = matching(events, wanted);
    expect(copies, name).toHaveLength(1);
    found[name as K] = copies[0].data;
  }
  return found;
}

describe('callbacks', () => {
  it('delivers every event type, signed so that a Standard Webhooks library verifies it',
    async () => {
      const endpoint = await register('/ok', eventTypes);
      expect(endpoint.secret).toMatch(/^whsec_/);
      const listed = await call('GET', '/callbacks');
      expect(listed.body.callbacks).toEqual([expect.objectContaining({ id: endpoint.id })]);
      expect(listed.body.callbacks[0].secret).toBeUndefined();

      // 100 at 2 a segment: the first reminder crosses the threshold of 99, once. The text
      // to a landline goes last, so its refund cannot lift the balance back above it.
      const topUp = await testHub.api(adminKey, 'POST', '/v1/accounts/hooks/credit/top-ups', {
        amount: 100, reference: 'hooks-1',
      });
      expect(topUp.status).toBe(201);
      await Promise.all([remind('a-1', 'p-1'), remind('a-2', 'p-2')]);
      await reply('C', 'p-1');
      await reply('X', 'p-2');
      const consent = await call('POST', '/clients/p-1/consent', {
        status: 'opted_in', channels: ['sms'], source: 'front_desk',
      });
      expect(consent.status).toBe(200);
      sim.twilio.messages.markLandline(patients['p-3'].phone);
      const failed = await sendSms('p-3', 'Your prescription is ready');

      const sought = {
        fromAna: ['message.received', (data) => data.recipient?.ref === 'p-1'],
        fromBea: ['message.received', (data) => data.recipient?.ref === 'p-2'],
        confirmed: ['appointment.confirmed', () => true],
        cancelled: ['appointment.cancelled', () => true],
        consent: ['consent.changed', () => true],
        error: ['messaging.error', () => true],
        failure: ['message.status', (data) => data.messageId === failed.body.id
          && data.status === 'failed'],
        credit: ['credit.low', () => true],
      } satisfies Record<string, Sought>;
      const found = await verifiedEvents(endpoint.secret, sought);
      expect(new Set(Object.values(sought).map(([type]) => type))).toEqual(new Set(eventTypes));

      expect(found.fromAna).toEqual({
        messageId: expect.any(String), channel: 'sms', recipient: { type: 'client', ref: 'p-1' },
      });
      expect(found.confirmed).toEqual({
        appointment: { ref: 'a-1' }, client: { type: 'client', ref: 'p-1' },
        messageId: found.fromAna.messageId, channel: 'sms', at: expect.any(String),
      });
      expect(found.cancelled).toEqual({
        appointment: { ref: 'a-2' }, client: { type: 'client', ref: 'p-2' },
        messageId: found.fromBea.messageId, channel: 'sms', at: expect.any(String),
      });
      expect(found.consent).toEqual({
        recipient: { type: 'client', ref: 'p-1' }, channels: ['sms'], status: 'opted_in',
        source: 'host', at: expect.any(String),
      });
      expect(found.error).toEqual({
        reason: 'landline', messageId: failed.body.id, channel: 'sms',
        recipient: { type: 'client', ref: 'p-3' }, subject: null,
      });
      expect(found.failure).toEqual({
        messageId: failed.body.id, status: 'failed', reason: 'landline',
      });
      expect(found.credit).toEqual({ threshold: 99, balance: 98 });

      // References and codes only: no names, numbers or what anyone wrote.
      expect(JSON.stringify(receivedAt('/ok').map((request) => request.body)))
        .not.toMatch(/Ana|Bea|Cyd|2025550|prescription/);
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

describe('the default retry schedule', () => {
  const hours = (seconds: number[]) => seconds.reduce((sum, step) => sum + step, 0) / 3600;

  it('retries a failing endpoint for about three days, in the file and without it', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'hub-retries-'));
    await writeFile(join(folder, 'empty.yaml'), '# nothing set\n');
    const schedules = [
      loadConfig(join(projectRoot, 'config/hub.yaml'), {}).config.callbacks.retrySchedule,
      loadConfig(join(folder, 'empty.yaml'), {}).config.callbacks.retrySchedule,
    ];

    for (const schedule of schedules) {
      // Quick retries first, for an endpoint that blinked; then every ten hours.
      expect(schedule.slice(0, 5)).toEqual([5, 300, 1800, 7200, 18_000]);
      expect(new Set(schedule.slice(5))).toEqual(new Set([36_000]));
      expect(hours(schedule)).toBeGreaterThan(60);
      expect(hours(schedule)).toBeLessThan(84);
    }
    expect(schedules[0]).toEqual(schedules[1]);
  });
});
