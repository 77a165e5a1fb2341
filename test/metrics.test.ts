import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultCredentials } from './simulator/index.ts';
import { WebhookReceiver } from './simulator/webhook-receiver.ts';
import { writeConfig } from './support/config.ts';
import {
  adminKey, createAccount, eventually, startTestHub, type TestHub,
} from './support/hub.ts';

const patient = {
  firstName: 'Marisol', lastName: 'Quintanilla', phone: '+12025550147', email: 'mq@example.com',
};

const allDay = { start: '00:00', end: '23:59' };

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

let testHub: TestHub;
let account: { id: string; key: string };
const messageIds: string[] = [];
const host = new WebhookReceiver();

beforeAll(async () => {
  await startHost();
  // sms costs 2 a segment; voice runs on Twilio only so that its webhooks are served.
  const { accountSid, authToken } = defaultCredentials.twilio;
  testHub = await startTestHub({ configFile: await writeConfig('metrics.yaml', {
    'prices.sms.perSegment': 2,
    'callbacks.retrySchedule': [1],
    'channels.voice': { provider: 'twilio', accountSid, authToken },
  }) });
  // Quiet hours would hold a text sent at night until the morning.
  account = await createAccount(testHub, 'riverside', { quietHours: allDay });
  const client = await testHub.api(account.key, 'PUT', '/v1/accounts/riverside/clients/p-1', {
    ...patient, channel: 'sms',
  });
  expect(client.status).toBe(201);

  // Credit for two texts; the third waits for more. Email is free.
  const topUp = await testHub.api(adminKey, 'POST', '/v1/accounts/riverside/credit/top-ups', {
    amount: 5, reference: 'metrics-1',
  });
  expect(topUp.status).toBe(201);
  await sendAndWait({ text: 'First of two texts' }, 'delivered');
  await sendAndWait({ text: 'Second of two texts' }, 'delivered');
  await sendAndWait({ channel: 'email', subject: 'Hello', text: 'An email' }, 'delivered');
  await sendAndWait({ text: 'Held: the credit ran out' }, 'held');
  await replyToEveryHost();

  const off = await testHub.api(adminKey, 'PATCH', '/v1/accounts/riverside', {
    settings: { messagingEnabled: false },
  });
  expect(off.status).toBe(200);
  await sendAndWait({ text: 'Not sent: messaging is off' }, 'suppressed');

  const forged = await fetch(`${testHub.url}/webhooks/made-up-provider-4711/status`, {
    method: 'POST', body: 'MessageSid=SM1&MessageStatus=delivered',
  });
  expect(forged.status).toBe(404);
  const unsigned = await fetch(`${testHub.url}/webhooks/twilio/voice/status`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'x-twilio-signature': 'bm90IFR3aWxpbydzIHNpZ25hdHVyZQ==',
    },
    body: new URLSearchParams({ CallSid: `CA${'0'.repeat(32)}`, CallStatus: 'completed' }),
  });
  expect(unsigned.status).toBe(403);
});

afterAll(() => host.stop());

/**
 * The host's endpoints: `/ok` takes every event, `/flaky` fails each event once, `/down`
 * always fails and `/gone` answers 410.
 */
async function startHost() {
  await host.start();
  const failedOnce = new Set<string>();
  host.answer('/flaky', (hook) => {
    const id = hook.headers['webhook-id'];
    if (failedOnce.has(id)) return new Response(null, { status: 204 });
    failedOnce.add(id);
    return new Response(null, { status: 500 });
  });
  host.answer('/down', () => new Response(null, { status: 500 }));
  host.answer('/gone', () => new Response(null, { status: 410 }));
}

/** One reply, posted to each endpoint, and waits until every delivery is done with. */
async function replyToEveryHost() {
  const endpoints: string[] = [];
  for (const path of ['/ok', '/flaky', '/down', '/gone']) {
    const created = await testHub.api(account.key, 'POST', '/v1/accounts/riverside/callbacks', {
      url: `${host.url}${path}`, events: ['message.received'],
    });
    expect(created.status).toBe(201);
    endpoints.push(created.body.id);
  }

  const reply = await testHub.api(account.key, 'POST', '/v1/accounts/riverside/sandbox/replies', {
    channel: 'sms', recipient: { type: 'client', ref: 'p-1' }, text: 'Got it',
  });
  expect(reply.status).toBe(202);
  for (const id of endpoints) {
    await eventually(async () => {
      const path = `/v1/accounts/riverside/callbacks/${id}/deliveries`;
      const { body } = await testHub.api(account.key, 'GET', path);
      return body.deliveries[0] && body.deliveries[0].status !== 'pending';
    });
  }
}

async function sendAndWait(body: object, status: string) {
  const sent = await testHub.api(account.key, 'POST', '/v1/accounts/riverside/messages', {
    recipient: { type: 'client', ref: 'p-1' }, ...body,
  });
  expect(sent.status).toBe(202);
  messageIds.push(sent.body.id);

  await eventually(async () => {
    const path = `/v1/accounts/riverside/messages/${sent.body.id}`;
    const { body: message } = await testHub.api(account.key, 'GET', path);
    return message.status === status;
  });
}

async function scrape(): Promise<{ text: string; samples: Sample[] }> {
  const response = await fetch(`${testHub.url}/metrics`);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);

  const text = await response.text();
  return { text, samples: parseExposition(text) };
}

/** Reads the Prometheus text format: `name{label="value",…} number` lines. */
function parseExposition(text: string): Sample[] {
  return text.split('\n').filter((line) => line && !line.startsWith('#')).map((line) => {
    const [, name, labelText = '', value] = /^(\w+)(?:\{(.*)\})? (\S+)$/.exec(line)!;
    const labels = Object.fromEntries(
      [...labelText.matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map(([, key, text]) => [key, text]),
    );
    return { name, labels, value: Number(value) };
  });
}

/** The sum of a metric over the samples whose labels include `labels`. */
function total(samples: Sample[], name: string, labels: Record<string, string> = {}): number {
  const matches = (sample: Sample) =>
    Object.entries(labels).every(([key, value]) => sample.labels[key] === value);
  return samples
    .filter((sample) => sample.name === name && matches(sample))
    .reduce((sum, sample) => sum + sample.value, 0);
}

describe('GET /metrics', () => {
  it('counts messages by channel, trigger and status after a few sends', async () => {
    const { samples } = await scrape();
    const messages = (labels: Record<string, string>) =>
      total(samples, 'hub_messages_total', { trigger: 'adhoc', ...labels });

    expect(messages({ channel: 'sms', status: 'scheduled' })).toBe(4);
    expect(messages({ channel: 'sms', status: 'delivered' })).toBe(2);
    expect(messages({ channel: 'sms', status: 'held', reason: 'insufficient_credit' })).toBe(1);
    expect(messages({ channel: 'sms', status: 'suppressed', reason: 'messaging_disabled' }))
      .toBe(1);
    expect(messages({ channel: 'email', status: 'scheduled' })).toBe(1);
    expect(messages({ channel: 'email', status: 'delivered' })).toBe(1);
    expect(messages({ status: 'failed' })).toBe(0);
  });

  it('times sends and provider calls, and reports each queue', async () => {
    const { samples } = await scrape();

    expect(total(samples, 'hub_send_latency_seconds_count', { channel: 'sms' })).toBe(2);
    expect(total(samples, 'hub_send_latency_seconds_count', { channel: 'email' })).toBe(1);
    expect(total(samples, 'hub_provider_request_seconds_count', {
      channel: 'sms', provider: 'sandbox', outcome: 'ok',
    })).toBe(2);

    const queues = samples.filter((sample) => sample.name === 'hub_queue_depth');
    expect(queues.map((sample) => sample.labels.queue)).toContain('dispatch');
    expect(total(samples, 'hub_queue_oldest_due_seconds', { queue: 'dispatch' }))
      .toBeGreaterThanOrEqual(0);
  });

  it('counts a rejected webhook without naming a provider the hub does not have', async () => {
    const { samples } = await scrape();
    expect(total(samples, 'hub_webhook_rejections_total', { provider: 'unknown', status: '404' }))
      .toBe(1);
  });

  it('counts a Twilio webhook refused for its signature', async () => {
    const { samples } = await scrape();
    expect(total(samples, 'hub_webhook_rejections_total', { provider: 'twilio', status: '403' }))
      .toBe(1);
    expect(total(samples, 'hub_webhook_rejections_total')).toBe(2);
  });

  it('counts credit reservations of priced messages, reserved or held', async () => {
    const { samples } = await scrape();
    const reservations = (labels: Record<string, string>) =>
      total(samples, 'hub_credit_reservations_total', labels);

    expect(reservations({ channel: 'sms', outcome: 'reserved' })).toBe(2);
    expect(reservations({ channel: 'sms', outcome: 'held' })).toBe(1);
    expect(reservations({ channel: 'email' })).toBe(0);
  });

  it('counts each callback attempt by event type and outcome', async () => {
    const { samples } = await scrape();
    const attempts = (outcome: string) => total(samples, 'hub_callback_deliveries_total', {
      type: 'message.received', outcome,
    });

    // /ok and /flaky's second try delivered; /flaky's and /down's first try are retried.
    expect(attempts('delivered')).toBe(2);
    expect(attempts('retry')).toBe(2);
    expect(attempts('failed')).toBe(1);
    expect(attempts('gone')).toBe(1);
    expect(total(samples, 'hub_callback_deliveries_total')).toBe(6);
  });

  it('carries no patient data and no unbounded values in its labels', async () => {
    const { text, samples } = await scrape();

    for (const secret of [...Object.values(patient), 'riverside', 'p-1', ...messageIds]) {
      expect(text).not.toContain(secret);
    }

    // Label values are ids from small fixed sets (channels, statuses, reasons, queues, event
    // types, outcomes) or HTTP status codes; bucket bounds (`le`) are the histograms' own.
    const values = samples.filter((sample) => sample.name.startsWith('hub_'))
      .flatMap((sample) => Object.entries(sample.labels))
      .filter(([key]) => key !== 'le')
      .map(([, value]) => value);
    for (const value of new Set(values)) expect(value).toMatch(/^([a-z][a-z._-]{0,31}|\d{3}|)$/);
  });
});
