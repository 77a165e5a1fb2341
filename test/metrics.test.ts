import { beforeAll, describe, expect, it } from 'vitest';
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

beforeAll(async () => {
  testHub = await startTestHub();
  // Quiet hours would hold a text sent at night until the morning.
  account = await createAccount(testHub, 'riverside', { quietHours: allDay });
  const client = await testHub.api(account.key, 'PUT', '/v1/accounts/riverside/clients/p-1', {
    ...patient, channel: 'sms',
  });
  expect(client.status).toBe(201);

  await sendAndWait({ text: 'First of two texts' }, 'delivered');
  await sendAndWait({ text: 'Second of two texts' }, 'delivered');
  await sendAndWait({ channel: 'email', subject: 'Hello', text: 'An email' }, 'delivered');

  const off = await testHub.api(adminKey, 'PATCH', '/v1/accounts/riverside', {
    settings: { messagingEnabled: false },
  });
  expect(off.status).toBe(200);
  await sendAndWait({ text: 'Not sent: messaging is off' }, 'suppressed');

  const forged = await fetch(`${testHub.url}/webhooks/made-up-provider-4711/status`, {
    method: 'POST', body: 'MessageSid=SM1&MessageStatus=delivered',
  });
  expect(forged.status).toBe(404);
});

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

    expect(messages({ channel: 'sms', status: 'scheduled' })).toBe(3);
    expect(messages({ channel: 'sms', status: 'delivered' })).toBe(2);
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

  it('carries no patient data and no unbounded values in its labels', async () => {
    const { text, samples } = await scrape();

    for (const secret of [...Object.values(patient), 'riverside', 'p-1', ...messageIds]) {
      expect(text).not.toContain(secret);
    }

    // Label values are ids from small fixed sets (channels, statuses, reasons, queues) or
    // HTTP status codes; bucket bounds (`le`) are the histograms' own.
    const values = samples.filter((sample) => sample.name.startsWith('hub_'))
      .flatMap((sample) => Object.entries(sample.labels))
      .filter(([key]) => key !== 'le')
      .map(([, value]) => value);
    for (const value of new Set(values)) expect(value).toMatch(/^([a-z][a-z_-]{0,31}|\d{3}|)$/);
  });
});
