import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  defaultCredentials, findGather, spokenTexts, startSimulator, type Simulator,
} from '../simulator/index.ts';
import { createAccount, eventually, type TestHub } from '../support/hub.ts';
import { accountApi, hostEndpoint, noQuietHours, startConsentHub } from './support.ts';

const { accountSid, authToken } = defaultCredentials.twilio;
const practiceNumber = '+12025550120';
const forwardNumber = '+12025550199';
const startIn = 60;

const phones = {
  rosa: '+12025550181', sam: '+12025550182', tomas: '+12025550183', uma: '+12025550184',
  vera: '+12025550185',
} as const;

let sim: Simulator;
let testHub: TestHub;
let oak: ReturnType<typeof accountApi>;
let pine: ReturnType<typeof accountApi>;
let host: Awaited<ReturnType<typeof hostEndpoint>>;

beforeAll(async () => {
  sim = await startSimulator();
  testHub = await startConsentHub('voice-keys', {
    'channels.voice.provider': 'twilio',
    'channels.voice.accountSid': accountSid,
    'channels.voice.authToken': authToken,
    'channels.voice.baseUrl': sim.url,
  });

  const settings = { ...noQuietHours, reminderOffsets: [`${startIn - 2}s`] };
  const oakAccount = await createAccount(testHub, 'oak', {
    ...settings, senders: { voice: practiceNumber }, voiceResponses: true, forwardNumber,
  });
  oak = accountApi(testHub, oakAccount);
  host = await hostEndpoint(testHub, oakAccount,
    ['appointment.confirmed', 'appointment.cancelled']);
  for (const ref of ['rosa', 'sam', 'tomas', 'uma'] as const) {
    await oak.client(ref, { firstName: ref, phone: phones[ref], channel: 'voice' });
    sim.twilio.calls.setBehavior(phones[ref], { holdForInput: true });
  }

  const pineAccount = await createAccount(testHub, 'pine', {
    ...settings, senders: { voice: '+12025550121' }, optInRequired: true,
  });
  pine = accountApi(testHub, pineAccount);
  await pine.client('vera', { firstName: 'Vera', phone: phones.vera, channel: 'voice' });
  sim.twilio.calls.setBehavior(phones.vera, { holdForInput: true });
});

afterAll(async () => {
  await sim.stop();
});

/** Books an appointment and waits until its reminder call is ringing through, keys held. */
async function reminderCall(api: ReturnType<typeof accountApi>, ref: string, client: string) {
  const booked = await api.book(ref, client, startIn);
  expect(booked.status).toBe(201);
  const reminder = booked.body.messages.find((m: { kind: string }) => m.kind === 'reminder');
  return inProgress((await api.untilStatus(reminder.id, 'sent')).providerId);
}

async function inProgress(sid: string) {
  return eventually(async () => {
    const call = sim.twilio.calls.calls.get(sid);
    return call?.resource.status === 'in-progress' && sim.twilio.calls.lastTwiml(sid) && sid;
  });
}

describe('keys pressed during an automated call', () => {
  it('offers 1, 2 and 0 after the reminder', async () => {
    const sid = await reminderCall(oak, 'r-1', 'rosa');
    const twiml = sim.twilio.calls.lastTwiml(sid)!;

    const gather = findGather(twiml)!;
    const action = new URL(gather.action!);
    expect(action.pathname).toBe('/webhooks/twilio/voice/keys');
    expect(action.searchParams.get('forward')).toBe(forwardNumber);
    expect(spokenTexts(twiml).at(-1)).toBe('To confirm your appointment, press 1. To cancel ' +
      'it, press 2. To speak with us, press 0.');
    await sim.twilio.calls.hangUp(sid);
  });

  it('cancels the appointment when the client presses 2', async () => {
    const sid = await reminderCall(oak, 's-1', 'sam');
    const reply = await sim.twilio.calls.pressDigits(sid, '2');
    expect(reply.status).toBe(200);
    expect(spokenTexts(reply.twiml)).toEqual([
      'Thank you. Your answer has been recorded. Goodbye.',
    ]);

    const cancelled = await host.until('appointment.cancelled', (d) => d.appointment.ref === 's-1');
    expect(cancelled.data).toMatchObject({ client: { ref: 'sam' }, channel: 'voice' });
    const [keys] = await oak.inbound('sam');
    expect(await oak.untilRead(keys.id)).toMatchObject({
      content: { text: '2' }, replyOutcome: 'handled', needsAttention: false,
    });
  });

  it('confirms the appointment when the client presses 1', async () => {
    const sid = await reminderCall(oak, 't-1', 'tomas');
    await sim.twilio.calls.pressDigits(sid, '1');
    await host.until('appointment.confirmed', (data) => data.appointment.ref === 't-1');
  });

  it('connects the caller to the practice when they press 0', async () => {
    const sid = await reminderCall(oak, 'u-1', 'uma');
    const reply = await sim.twilio.calls.pressDigits(sid, '0');
    expect(reply.twiml).toContain(`<Dial>${forwardNumber}</Dial>`);
    expect(spokenTexts(reply.twiml)).toEqual(['Please hold while we connect you.']);
  });

  it('offers no keys on a call a person sent', async () => {
    const sent = await oak.call('POST', '/messages', {
      recipient: { type: 'client', ref: 'rosa' }, channel: 'voice', text: 'Please call us back.',
    });
    const sid = await eventually(async () => (await oak.message(sent.body.id)).providerId);
    const placed = sim.twilio.calls.calls.get(sid)!;
    expect(spokenTexts(placed.source.twiml!)).toEqual(['Please call us back.']);
    expect(findGather(placed.source.twiml!)).toBeUndefined();
  });
});

describe('opting in by phone', () => {
  it('calls for the opt-in first, and pressing 1 releases the held reminder', async () => {
    const booked = await pine.book('v-1', 'vera', startIn);
    const reminder = booked.body.messages.find((m: { kind: string }) => m.kind === 'reminder');
    await pine.untilStatus(reminder.id, 'held');

    const request = (await pine.outbound('vera')).find((m) => m.kind === 'opt-in-request')!;
    const sid = await inProgress((await pine.untilStatus(request.id, 'sent')).providerId);
    const twiml = sim.twilio.calls.lastTwiml(sid)!;
    expect(spokenTexts(twiml)[0]).toContain('To agree, press 1 now.');

    const reply = await sim.twilio.calls.pressDigits(sid, '1');
    expect(spokenTexts(reply.twiml)).toEqual([
      'Thank you. You will now receive our calls. Goodbye.',
    ]);

    const released = await pine.untilStatus(reminder.id, 'sent');
    expect(released.history.map((h: { status: string }) => h.status).slice(0, 4))
      .toEqual(['scheduled', 'held', 'sending', 'sent']);
    const { body } = await pine.call('GET', '/clients/vera/consent');
    expect(body.history).toContainEqual(expect.objectContaining({
      channel: 'voice', status: 'opted_in', source: 'voice_keypress', detail: '1',
    }));
    await sim.twilio.calls.hangUp(released.providerId);
  });
});
