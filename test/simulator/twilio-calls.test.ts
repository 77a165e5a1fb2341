import twilio from 'twilio';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from './index.ts';
import { WebhookReceiver, type ReceivedWebhook } from './webhook-receiver.ts';

const accountSid = 'AC' + 'b'.repeat(32);
const authToken = 'voice-auth-token';
const hubNumber = '+15017122661';
const patient = '+15558675310';

const gatherTwiml =
  '<?xml version="1.0" encoding="UTF-8"?><Response>' +
  '<Gather input="dtmf" numDigits="1" action="/voice/gather?n=1" method="POST" timeout="5">' +
  '<Say>Press 1 to confirm, 2 to cancel.</Say></Gather><Say>Goodbye.</Say><Hangup/></Response>';
const doneTwiml = '<Response><Say>Confirmed.</Say><Hangup/></Response>';

let sim: Simulator;
let hub: WebhookReceiver;

function client() {
  const rest = twilio(accountSid, authToken);
  rest.api.baseUrl = sim.url;
  return rest;
}

function signedParams(hook: ReceivedWebhook): Record<string, string> {
  const params = Object.fromEntries(new URLSearchParams(hook.text));
  const signature = hook.headers['x-twilio-signature'];
  expect(twilio.validateRequest(authToken, signature, hook.url, params)).toBe(true);
  return params;
}

function answerWith(path: string, twiml: string): void {
  hub.answer(path, () => new Response(twiml, { headers: { 'Content-Type': 'text/xml' } }));
}

beforeAll(async () => {
  hub = await new WebhookReceiver().start();
  sim = await startSimulator({ twilio: { accountSid, authToken } });
});

afterAll(async () => {
  await sim.stop();
  await hub.stop();
});

beforeEach(async () => {
  await sim.settle();
  sim.reset();
  hub.clear();
  answerWith('/voice/answer', gatherTwiml);
  answerWith('/voice/gather', doneTwiml);
});

describe('Twilio Calls API', () => {
  it('fetches the Url, presses the configured key and reports the call completed', async () => {
    sim.twilio.calls.setBehavior(patient, { digits: '1', durationSec: 75 });
    const call = await client().calls.create({
      to: patient,
      from: hubNumber,
      url: `${hub.url}/voice/answer`,
      statusCallback: `${hub.url}/voice/status`,
    });
    expect(call.sid).toMatch(/^CA[0-9a-f]{32}$/);
    expect(call.status).toBe('queued');
    await sim.settle();

    const answer = signedParams(hub.on('/voice/answer')[0]);
    expect(answer).toMatchObject({ CallSid: call.sid, CallStatus: 'in-progress', To: patient });

    const gather = signedParams(hub.on('/voice/gather')[0]);
    expect(hub.on('/voice/gather')[0].url).toBe(`${hub.url}/voice/gather?n=1`);
    expect(gather).toMatchObject({ CallSid: call.sid, Digits: '1' });

    const statuses = hub.on('/voice/status').map(signedParams);
    expect(statuses).toHaveLength(1);
    expect(statuses[0]).toMatchObject({ CallStatus: 'completed', CallDuration: '75' });
    expect(sim.twilio.calls.lastTwiml(call.sid)).toBe(doneTwiml);

    const fetched = await client().calls(call.sid).fetch();
    expect(fetched.status).toBe('completed');
    expect(fetched.duration).toBe('75');
  });

  it('reports a busy line without fetching the TwiML', async () => {
    sim.twilio.calls.setBehavior(patient, { outcome: 'busy' });
    await client().calls.create({
      to: patient,
      from: hubNumber,
      url: `${hub.url}/voice/answer`,
      statusCallback: `${hub.url}/voice/status`,
      statusCallbackEvent: ['initiated', 'ringing', 'answered', 'completed'],
    });
    await sim.settle();

    expect(hub.on('/voice/answer')).toHaveLength(0);
    const statuses = hub.on('/voice/status').map(signedParams);
    expect(statuses.map((params) => params.CallStatus)).toEqual(['initiated', 'ringing', 'busy']);
    expect(statuses.map((params) => params.SequenceNumber)).toEqual(['0', '1', '2']);
    expect(statuses[2].CallDuration).toBe('0');
  });

  it('waits at a Gather for pressDigits when told to hold for input', async () => {
    sim.twilio.calls.setBehavior(patient, { holdForInput: true });
    const call = await client().calls.create({
      to: patient,
      from: hubNumber,
      url: `${hub.url}/voice/answer`,
      statusCallback: `${hub.url}/voice/status`,
    });
    await sim.settle();
    expect(hub.on('/voice/status')).toHaveLength(0);

    const reply = await sim.twilio.calls.pressDigits(call.sid, '2');
    expect(reply).toEqual({ status: 200, twiml: doneTwiml });
    await sim.settle();
    expect(signedParams(hub.on('/voice/status')[0]).CallStatus).toBe('completed');
  });

  it('runs inline Twiml and hangs up when the REST API completes the call', async () => {
    sim.twilio.calls.setBehavior(patient, { holdForInput: true });
    const rest = client();
    const call = await rest.calls.create({
      to: patient,
      from: hubNumber,
      twiml: gatherTwiml.replace('/voice/gather?n=1', `${hub.url}/voice/gather`),
      statusCallback: `${hub.url}/voice/status`,
    });
    await sim.settle();
    expect(sim.twilio.calls.calls.get(call.sid)?.resource.status).toBe('in-progress');

    const updated = await rest.calls(call.sid).update({ status: 'completed' });
    expect(updated.sid).toBe(call.sid);
    await sim.settle();
    expect(signedParams(hub.on('/voice/status')[0]).CallStatus).toBe('completed');
  });

  it('refuses a call without Url or Twiml', async () => {
    const create = client().calls.create({ to: patient, from: hubNumber } as never);
    await expect(create).rejects.toMatchObject({ status: 400, code: 21205 });
  });
});
