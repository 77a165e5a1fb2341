import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCallTwiml } from '../../channels/voice/call-twiml.ts';
import {
  defaultCredentials, findGather, spokenTexts, startSimulator, type Simulator,
} from '../simulator/index.ts';
import { writeConfig } from '../support/config.ts';
import {
  createAccount, eventually, logLines, startTestHub, type TestHub,
} from '../support/hub.ts';

const { accountSid, authToken } = defaultCredentials.twilio;
const practiceNumber = '+12025550110';
const reminderText = 'Hello Rosa. This is Maple Dental reminding you of your visit tomorrow.';

const patients = {
  rosa: { phone: '+12025550151', language: 'en' },
  sam: { phone: '+12025550152', language: 'en' },
  tomas: { phone: '+12025550153', language: 'es' },
  uma: { phone: '+12025550154', language: 'en' },
} as const;
type Patient = keyof typeof patients;

let sim: Simulator;
let testHub: TestHub;
let account: { id: string; key: string };
let publicUrl: string;

beforeAll(async () => {
  sim = await startSimulator();
  const configFile = await writeConfig('voice.yaml', {
    'channels.voice.provider': 'twilio',
    'channels.voice.accountSid': accountSid,
    'channels.voice.authToken': authToken,
    'channels.voice.baseUrl': sim.url,
    'queue.retryDelaySeconds': 0,
    'queue.pollingIntervalSeconds': 0.5,
  });
  testHub = await startTestHub({ configFile });
  publicUrl = testHub.hub.services.config.server.publicUrl;

  account = await createAccount(testHub, 'maple', {
    senders: { voice: practiceNumber },
    quietHours: { start: '00:00', end: '23:59' },
  });
  for (const [ref, { phone, language }] of Object.entries(patients)) {
    const put = await testHub.api(account.key, 'PUT', `/v1/accounts/maple/clients/${ref}`,
      { firstName: ref, phone, language, channel: 'voice' });
    expect(put.status).toBe(201);
  }
});

afterAll(async () => {
  await sim.stop();
});

async function call(ref: Patient, text: string) {
  const sent = await testHub.api(account.key, 'POST', '/v1/accounts/maple/messages', {
    recipient: { type: 'client', ref }, channel: 'voice', text,
  });
  expect(sent.status).toBe(202);
  return sent.body.id as string;
}

async function readMessage(id: string) {
  const { body } = await testHub.api(account.key, 'GET', `/v1/accounts/maple/messages/${id}`);
  return body;
}

function untilStatus(id: string, status: string) {
  return eventually(async () => {
    const message = await readMessage(id);
    return message.status === status && message;
  });
}

function callRequests(to: string) {
  return sim.requests.filter((request) =>
    request.path.endsWith('/Calls.json') && request.params.To === to);
}

describe('calling through Twilio', () => {
  it('speaks the text and bills the answered call per started minute', async () => {
    sim.twilio.calls.setBehavior(patients.rosa.phone, { durationSec: 75 });
    const id = await call('rosa', reminderText);

    const delivered = await untilStatus(id, 'delivered');
    expect(delivered).toMatchObject({ provider: 'twilio', units: 2 });
    expect(delivered.providerId).toMatch(/^CA[0-9a-f]{32}$/);
    expect(delivered.history.map((event: { status: string }) => event.status))
      .toEqual(['scheduled', 'sending', 'sent', 'delivered']);

    const [request] = callRequests(patients.rosa.phone);
    expect(request.params).toMatchObject({
      From: practiceNumber,
      StatusCallback: `${publicUrl}/webhooks/twilio/voice/status`,
      StatusCallbackEvent: 'completed',
    });
    const twiml = String(request.params.Twiml);
    expect(spokenTexts(twiml)).toEqual([reminderText]);
    expect(twiml).toContain('<Say voice="Polly.Joanna" language="en-US">');
  });

  it('speaks Spanish to a Spanish-speaking patient in the configured voice', async () => {
    const id = await call('tomas', 'Hola Tomás, su cita es mañana a las 10.');
    await untilStatus(id, 'delivered');

    const twiml = String(callRequests(patients.tomas.phone)[0].params.Twiml);
    expect(twiml).toContain('<Say voice="Polly.Lupe" language="es-US">');
    expect(spokenTexts(twiml)).toEqual(['Hola Tomás, su cita es mañana a las 10.']);
  });

  it('fails a call to a busy line with the reason busy, at no cost', async () => {
    sim.twilio.calls.setBehavior(patients.sam.phone, { outcome: 'busy' });
    const id = await call('sam', 'Please call us back about your results.');

    const failed = await untilStatus(id, 'failed');
    expect(failed).toMatchObject({ statusReason: 'busy', units: 0 });
  });

  it('fails an unanswered call with the reason no_answer', async () => {
    sim.twilio.calls.setBehavior(patients.uma.phone, { outcome: 'no-answer' });
    const id = await call('uma', 'Your prescription is ready for pickup.');
    expect((await untilStatus(id, 'failed')).statusReason).toBe('no_answer');
  });

  it('fails at once when Twilio refuses the number, without retrying', async () => {
    sim.failNext({ provider: 'twilio', code: 21211, path: '/Calls.json' });
    const id = await call('rosa', 'This call should not be placed.');

    expect((await untilStatus(id, 'failed')).statusReason).toBe('invalid_address');
    const refused = sim.requests.filter((request) =>
      String(request.params.Twiml ?? '').includes('This call should not be placed.'));
    expect(refused.map((request) => request.status)).toEqual([400]);
  });
});

describe('the call document', () => {
  it('wraps the message in a Gather when keys are to be taken', () => {
    const twiml = buildCallTwiml({ body: { text: 'Your visit is tomorrow at 9.' } }, {
      speech: { voice: 'Polly.Joanna', language: 'en-US' },
      gather: { action: 'https://hub.example/webhooks/twilio/voice/keys', prompt: 'Press 1.' },
    });
    expect(findGather(twiml)).toEqual({
      action: 'https://hub.example/webhooks/twilio/voice/keys', method: 'POST', numDigits: 1,
    });
    expect(spokenTexts(twiml)).toEqual(['Your visit is tomorrow at 9.', 'Press 1.']);
  });
});

describe('what Twilio voice traffic leaves in the logs', () => {
  it('never writes the spoken text or phone numbers', async () => {
    await sim.settle();
    const log = logLines.join('\n');
    const numbers = Object.values(patients).map((patient) => patient.phone);
    for (const secret of [reminderText, practiceNumber, ...numbers]) {
      expect(log).not.toContain(secret);
    }
  });
});
