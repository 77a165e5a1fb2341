import twilio from 'twilio';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultCredentials, startSimulator, type Simulator } from '../simulator/index.ts';
import { writeConfig } from '../support/config.ts';
import {
  createAccount, eventually, logLines, startTestHub, type TestHub,
} from '../support/hub.ts';

const { accountSid, authToken } = defaultCredentials.twilio;
const practiceNumber = '+12025550100';
const reminderText = 'Hi Ana, your cleaning is tomorrow at 9:30. Reply C to confirm.';

const patients = {
  ana: '+12025550141',
  ben: '+12025550142',
  cruz: '+12025550143',
  dee: '+12025550144',
  eve: '+12025550145',
  fay: '+12025550146',
} as const;
type Patient = keyof typeof patients;

let sim: Simulator;
let testHub: TestHub;
let account: { id: string; key: string };
let publicUrl: string;

beforeAll(async () => {
  sim = await startSimulator();
  const configFile = await writeConfig('sms.yaml', {
    'channels.sms.provider': 'twilio',
    'channels.sms.accountSid': accountSid,
    'channels.sms.authToken': authToken,
    'channels.sms.baseUrl': sim.url,
    'channels.sms.from': '+12025550199',
    'queue.retryDelaySeconds': 0,
    'queue.pollingIntervalSeconds': 0.5,
  });
  testHub = await startTestHub({ configFile });
  publicUrl = testHub.hub.services.config.server.publicUrl;
  sim.setWebhookUrls({ twilioInboundSms: `${publicUrl}/webhooks/twilio/sms/inbound` });

  account = await createAccount(testHub, 'harbor', {
    senders: { sms: practiceNumber },
    quietHours: { start: '00:00', end: '23:59' },
  });
  for (const [ref, phone] of Object.entries(patients)) {
    const put = await testHub.api(account.key, 'PUT', `/v1/accounts/harbor/clients/${ref}`,
      { firstName: ref, phone, channel: 'sms' });
    expect(put.status).toBe(201);
  }
});

afterAll(async () => {
  await sim.stop();
});

async function sendSms(ref: Patient, text: string) {
  const sent = await testHub.api(account.key, 'POST', '/v1/accounts/harbor/messages', {
    recipient: { type: 'client', ref }, text,
  });
  expect(sent.status).toBe(202);
  return sent.body.id as string;
}

async function readMessage(id: string) {
  const { body } = await testHub.api(account.key, 'GET', `/v1/accounts/harbor/messages/${id}`);
  return body;
}

function untilStatus(id: string, status: string) {
  return eventually(async () => {
    const message = await readMessage(id);
    return message.status === status && message;
  });
}

function statuses(message: { history: { status: string }[] }) {
  return message.history.map((event) => event.status);
}

/** The Messages API calls made for one recipient, oldest first. */
function smsRequests(to: string) {
  return sim.requests.filter((request) =>
    request.path.endsWith('/Messages.json') && request.params.To === to);
}

/** Posts a form to a hub webhook, signed as Twilio signs unless a signature is given. */
async function postTwilio(path: string, params: Record<string, string>, signature?: string) {
  const url = `${publicUrl}/webhooks/twilio${path}`;
  const headers: Record<string, string> = {
    'Content-Type': 'application/x-www-form-urlencoded',
  };
  const signed = signature ?? twilio.getExpectedTwilioSignature(authToken, url, params);
  if (signed) headers['X-Twilio-Signature'] = signed;
  return fetch(url, { method: 'POST', headers, body: new URLSearchParams(params) });
}

describe('sending SMS through Twilio', () => {
  it('sends from the practice number and is delivered, billed per segment', async () => {
    const id = await sendSms('ana', reminderText);

    const delivered = await untilStatus(id, 'delivered');
    expect(delivered).toMatchObject({ provider: 'twilio', units: 1 });
    expect(delivered.providerId).toMatch(/^SM[0-9a-f]{32}$/);
    expect(statuses(delivered)).toEqual(['scheduled', 'sending', 'sent', 'delivered']);

    const [request] = smsRequests(patients.ana);
    const basic = Buffer.from(`${accountSid}:${authToken}`).toString('base64');
    expect(request.headers.authorization).toBe(`Basic ${basic}`);
    expect(request.params).toMatchObject({
      To: patients.ana,
      From: practiceNumber,
      Body: reminderText,
      StatusCallback: `${publicUrl}/webhooks/twilio/sms/status`,
    });
  });

  it('bills a long text by the segments Twilio counted', async () => {
    const id = await sendSms('ana', 'Your results are in. '.repeat(10));
    const delivered = await untilStatus(id, 'delivered');
    expect(delivered.units).toBe(2);
  });

  it('fails a message to a landline with the reason landline', async () => {
    sim.twilio.messages.markLandline(patients.ben);
    const id = await sendSms('ben', 'Your prescription is ready');

    const failed = await untilStatus(id, 'failed');
    expect(failed.statusReason).toBe('landline');
    expect(statuses(failed)).toEqual(['scheduled', 'sending', 'sent', 'failed']);
  });

  it('fails at once, without retrying, when Twilio refuses the number', async () => {
    sim.failNext({ provider: 'twilio', code: 21211, path: '/Messages.json' });
    const id = await sendSms('cruz', 'Please call the office');

    const failed = await untilStatus(id, 'failed');
    expect(failed.statusReason).toBe('invalid_address');
    expect(statuses(failed)).toEqual(['scheduled', 'sending', 'failed']);
    await sim.settle();
    expect(smsRequests(patients.cruz).map((request) => request.status)).toEqual([400]);
  });

  it('fails with unsubscribed when Twilio blocks a patient who texted STOP', async () => {
    sim.twilio.messages.setOptedOut(practiceNumber, patients.fay, true);
    const id = await sendSms('fay', 'Your balance is due');

    const failed = await untilStatus(id, 'failed');
    expect(failed.statusReason).toBe('unsubscribed');
    expect(smsRequests(patients.fay)).toHaveLength(1);
  });

  it('retries through 429s and 500s and delivers once Twilio recovers', async () => {
    sim.failNext({ provider: 'twilio', status: 429, path: '/Messages.json' });
    const id = await sendSms('dee', 'Your lab appointment moved to Friday');
    await eventually(async () => smsRequests(patients.dee).length > 0);
    sim.failFor({ provider: 'twilio', status: 500, durationMs: 2500, path: '/Messages.json' });

    const delivered = await untilStatus(id, 'delivered');
    const answers = smsRequests(patients.dee).map((request) => request.status);
    expect(answers.slice(0, 2)).toEqual([429, 500]);
    expect(answers.at(-1)).toBe(201);
    expect(answers.filter((status) => status === 201)).toHaveLength(1);
    expect(answers.slice(2, -1).every((status) => status === 500)).toBe(true);
    expect(delivered.history.filter((event: { status: string }) => event.status === 'sent'))
      .toHaveLength(1);
  });
});

describe('the per-sender rate limit', () => {
  async function practiceWithClient(id: string, sender: string, phone: string) {
    const practice = await createAccount(testHub, id, {
      senders: { sms: sender },
      quietHours: { start: '00:00', end: '23:59' },
    });
    await testHub.api(practice.key, 'PUT', `/v1/accounts/${id}/clients/patient`,
      { phone, channel: 'sms' });
    return (text: string) => testHub.api(practice.key, 'POST', `/v1/accounts/${id}/messages`,
      { recipient: { type: 'client', ref: 'patient' }, text });
  }

  /** When the simulator took each burst message from this sender, once all `count` came. */
  function sendTimes(from: string, count: number) {
    const times = sim.requests
      .filter((request) => request.params.From === from && request.status === 201
        && String(request.params.Body).startsWith('Burst '))
      .map((request) => Date.parse(request.time))
      .sort((a, b) => a - b);
    return times.length === count && times;
  }

  it('spaces one number\'s sends a second apart, and other numbers do not wait', async () => {
    const busyNumber = '+12025550102';
    const quietNumber = '+12025550103';
    const sendBusy = await practiceWithClient('bayside', busyNumber, patients.eve);
    const sendQuiet = await practiceWithClient('cove', quietNumber, patients.fay);

    await Promise.all([
      ...[1, 2, 3, 4, 5].map((n) => sendBusy(`Burst ${n}`)),
      ...[1, 2].map((n) => sendQuiet(`Burst ${n}`)),
    ]);

    const busy = await eventually(async () => sendTimes(busyNumber, 5));
    const quiet = await eventually(async () => sendTimes(quietNumber, 2));
    expect(busy.at(-1)! - busy[0]).toBeGreaterThanOrEqual(4000);
    expect(quiet.at(-1)!).toBeLessThan(busy.at(-1)!);
  });
});

describe('Twilio status webhooks', () => {
  it('refuses a tampered or unsigned status callback and changes nothing', async () => {
    const id = await sendSms('ana', 'Your refill was approved');
    const delivered = await untilStatus(id, 'delivered');
    const params = {
      AccountSid: accountSid, MessageSid: delivered.providerId, MessageStatus: 'delivered',
      From: practiceNumber, To: patients.ana,
    };

    const signature = twilio.getExpectedTwilioSignature(authToken,
      `${publicUrl}/webhooks/twilio/sms/status`, params);
    const tampered = await postTwilio('/sms/status',
      { ...params, MessageStatus: 'undelivered', ErrorCode: '30006' }, signature);
    expect(tampered.status).toBe(403);
    expect((await tampered.json()).error.code).toBe('forbidden');

    const unsigned = await postTwilio('/sms/status', params, '');
    expect(unsigned.status).toBe(403);

    const wrongKey = twilio.getExpectedTwilioSignature('not-the-token',
      `${publicUrl}/webhooks/twilio/sms/status`, params);
    expect((await postTwilio('/sms/status', params, wrongKey)).status).toBe(403);

    const replayed = await postTwilio('/sms/status', params);
    expect(replayed.status).toBe(204);
    await sim.settle();
    const after = await readMessage(id);
    expect(after).toMatchObject({ status: 'delivered', history: delivered.history });
  });
});

describe('receiving SMS through Twilio', () => {
  async function received(ref: Patient) {
    const { body } = await testHub.api(account.key, 'GET',
      `/v1/accounts/harbor/messages?status=received&recipientType=client&recipientRef=${ref}`);
    return body.messages;
  }

  it('stores a reply from a known client in their thread and answers empty TwiML', async () => {
    const reply = await sim.twilio.inbound.receive({
      from: patients.ana, to: practiceNumber, body: 'Running 10 minutes late',
    });
    expect(reply.status).toBe(200);
    expect(reply.twiml).toBe('<?xml version="1.0" encoding="UTF-8"?><Response/>');
    expect(reply.replies).toEqual([]);

    const [message] = await received('ana');
    expect(message).toMatchObject({
      direction: 'inbound', channel: 'sms', status: 'received', provider: 'twilio',
      providerId: reply.messageSid, recipient: { type: 'client', ref: 'ana' },
      content: { text: 'Running 10 minutes late' },
    });
  });

  it('stores a webhook that Twilio sends twice once', async () => {
    const reply = await sim.twilio.inbound.receive({
      from: patients.ben, to: practiceNumber, body: 'Can I move my visit?',
    });
    const webhook = sim.webhooks.find((sent) => sent.kind === 'inbound-sms'
      && (sent.payload as Record<string, string>).MessageSid === reply.messageSid)!;

    const again = await fetch(webhook.url, {
      method: 'POST',
      headers: webhook.headers,
      body: new URLSearchParams(webhook.payload as Record<string, string>),
    });
    expect(again.status).toBe(200);
    expect(await received('ben')).toHaveLength(1);
  });

  it('refuses an unsigned inbound message and stores nothing', async () => {
    const params = {
      MessageSid: `SM${'0'.repeat(32)}`, From: patients.cruz, To: practiceNumber, Body: 'Hi',
    };
    const unsigned = await postTwilio('/sms/inbound', params, '');
    expect(unsigned.status).toBe(403);
    expect(await received('cruz')).toHaveLength(0);
  });
});

describe('what Twilio SMS traffic leaves in the logs', () => {
  it('never writes message text or phone numbers', async () => {
    await sim.settle();
    const log = logLines.join('\n');
    for (const secret of [reminderText, 'Running 10 minutes late', ...Object.values(patients)]) {
      expect(log).not.toContain(secret);
    }
  });
});
