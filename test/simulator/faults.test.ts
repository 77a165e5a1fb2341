import { Client } from '@sendgrid/client';
import sgMail from '@sendgrid/mail';
import twilio from 'twilio';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { defaultCredentials, startSimulator, type Simulator } from './index.ts';
import { WebhookReceiver } from './webhook-receiver.ts';

const { accountSid, authToken } = defaultCredentials.twilio;
const sms = { to: '+15558675310', from: '+15017122661', body: 'Hi' };

let sim: Simulator;
let hub: WebhookReceiver;

function messages() {
  const client = twilio(accountSid, authToken);
  client.api.baseUrl = sim.url;
  return client.messages;
}

async function control(method: string, path: string, body?: unknown): Promise<Response> {
  const init: RequestInit = { method };
  if (body !== undefined) {
    init.body = JSON.stringify(body);
    init.headers = { 'Content-Type': 'application/json' };
  }
  return fetch(`${sim.url}/__sim${path}`, init);
}

beforeAll(async () => {
  hub = await new WebhookReceiver().start();
  sim = await startSimulator();
});

afterAll(async () => {
  await sim.stop();
  await hub.stop();
});

beforeEach(async () => {
  await sim.settle();
  sim.reset();
  hub.clear();
});

describe('faults on demand', () => {
  it('answers the next calls with a Twilio error code, then recovers', async () => {
    sim.failNext({ provider: 'twilio', code: 21635, count: 2 });
    await expect(messages().create(sms)).rejects.toMatchObject({ status: 400, code: 21635 });
    await expect(messages().create(sms)).rejects.toMatchObject({ code: 21635 });
    await expect(messages().create(sms)).resolves.toMatchObject({ status: 'queued' });

    expect(sim.requests.map((request) => request.status)).toEqual([400, 400, 201]);
    expect(sim.requests[0].fault).toBe('code 21635');
  });

  it('answers 429 and 500 with the provider error shapes', async () => {
    sim.failNext({ provider: 'twilio', status: 429 });
    await expect(messages().create(sms)).rejects.toMatchObject({ status: 429, code: 20429 });

    sim.failNext({ provider: 'sendgrid', status: 500 });
    const client = new Client();
    client.setApiKey(defaultCredentials.sendgrid.apiKey);
    client.setDefaultRequest('baseUrl', `${sim.url}/`);
    sgMail.setClient(client);
    const mail = { to: 'a@example.org', from: 'b@example.org', subject: 's', text: 't' };
    await expect(sgMail.send(mail)).rejects.toMatchObject({ code: 500 });
  });

  it('answers slowly, then normally, when asked for a delay alone', async () => {
    sim.failNext({ provider: 'twilio', delayMs: 150 });
    const started = Date.now();
    await expect(messages().create(sms)).resolves.toMatchObject({ status: 'queued' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
  });

  it('fails every call for a duration', async () => {
    sim.failFor({ provider: 'twilio', status: 500, durationMs: 200 });
    await expect(messages().create(sms)).rejects.toMatchObject({ status: 500 });
    await expect(messages().create(sms)).rejects.toMatchObject({ status: 500 });
    await new Promise((resolve) => setTimeout(resolve, 220));
    await expect(messages().create(sms)).resolves.toMatchObject({ status: 'queued' });
  });

  it('fails only the calls whose path matches', async () => {
    sim.failNext({ provider: 'twilio', status: 500, path: '/Calls.json' });
    await expect(messages().create(sms)).resolves.toMatchObject({ status: 'queued' });
  });
});

describe('control API', () => {
  it('arms faults and lists recorded calls over HTTP', async () => {
    const armed = await control('POST', '/fail-next', { provider: 'twilio', code: 21610 });
    expect(armed.status).toBe(204);
    await expect(messages().create(sms)).rejects.toMatchObject({ code: 21610 });

    const listed = await (await control('GET', '/requests?provider=twilio')).json();
    expect(listed).toHaveLength(1);
    expect(listed[0]).toMatchObject({ method: 'POST', params: { To: sms.to }, status: 400 });
    expect(await (await control('GET', '/requests?provider=phaxio')).json()).toEqual([]);
  });

  it('sets destinations and fires webhooks over HTTP', async () => {
    await control('POST', '/destinations', {
      kind: 'sms',
      address: sms.to,
      behavior: { reject: 21614 },
    });
    await expect(messages().create(sms)).rejects.toMatchObject({ code: 21614 });

    hub.answer('/inbound', () => new Response('<Response><Message>Noted</Message></Response>'));
    await control('PUT', '/webhook-urls', { twilioInboundSms: `${hub.url}/inbound` });
    const fired = await control('POST', '/trigger/twilio/inbound-sms', {
      from: sms.to,
      to: sms.from,
      body: 'C',
    });
    const { result } = await fired.json();
    expect(result.replies).toEqual(['Noted']);
    expect(hub.on('/inbound')).toHaveLength(1);

    const unknown = await control('POST', '/trigger/twilio/nothing', {});
    expect(unknown.status).toBe(404);
  });

  it('reports background webhook failures instead of throwing them', async () => {
    const statusCallback = 'http://127.0.0.1:9/unreachable';
    await messages().create({ ...sms, statusCallback });
    await sim.settle();
    expect(sim.failures[0]?.error).toContain('message-status webhook');

    const { sent } = await (await control('GET', '/webhooks')).json();
    expect(sent[0]).toMatchObject({ kind: 'message-status', url: statusCallback });
    expect(sent[0].error).toEqual(expect.any(String));
  });
});
