import { beforeAll, describe, expect, it } from 'vitest';
import { createAccount, type TestHub } from '../support/hub.ts';
import { accountApi, hostEndpoint, noQuietHours, startConsentHub } from './support.ts';

let testHub: TestHub;
let api: ReturnType<typeof accountApi>;
let host: Awaited<ReturnType<typeof hostEndpoint>>;

/** Appointments start a minute ahead; their one reminder goes out two seconds from now. */
const startIn = 60;

beforeAll(async () => {
  testHub = await startConsentHub('keywords');
  const account = await createAccount(testHub, 'maple', {
    ...noQuietHours, practicePhone: '+12025550100', reminderOffsets: ['58s'],
  });
  api = accountApi(testHub, account);
  host = await hostEndpoint(testHub, account, [
    'consent.changed', 'appointment.confirmed', 'appointment.cancelled',
  ]);
  for (const [ref, phone] of [['ana', '1'], ['ben', '2'], ['cara', '3'], ['dev', '4']]) {
    await api.client(ref, { firstName: ref, phone: `+1202555016${phone}`, channel: 'sms' });
  }
});

async function replyAndRead(ref: string, text: string) {
  const sent = await api.reply(ref, text);
  expect(sent.status).toBe(202);
  return api.untilRead(sent.body.id);
}

async function reminderOf(appointmentRef: string, clientRef: string) {
  const booked = await api.book(appointmentRef, clientRef, startIn);
  expect(booked.status).toBe(201);
  return booked.body.messages.find((m: { kind: string }) => m.kind === 'reminder').id as string;
}

describe('carrier keywords', () => {
  it('opts out on STOP with one confirmation, then suppresses reminders until START', async () => {
    const stop = await replyAndRead('ana', '  stop ');
    expect(stop.replyOutcome).toBe('opted_out');
    const [confirmation] = await api.outbound('ana');
    const sent = await api.untilStatus(confirmation.id, 'delivered');
    expect(sent.content.text).toBe(
      'Practice maple: You are unsubscribed and will receive no more messages. Reply START to ' +
      'subscribe again.');

    const again = await replyAndRead('ana', 'STOP');
    expect(again).toMatchObject({ replyOutcome: 'unchanged', needsAttention: false });
    expect(await api.outbound('ana')).toHaveLength(1);

    const suppressed = await api.untilStatus(await reminderOf('a-1', 'ana'), 'suppressed');
    expect(suppressed.statusReason).toBe('unsubscribed');

    const start = await replyAndRead('ana', 'Start');
    expect(start.replyOutcome).toBe('opted_in');
    await api.untilStatus(await reminderOf('a-2', 'ana'), 'delivered');

    const { body } = await api.call('GET', '/clients/ana/consent');
    expect(body.history.map((h: any) => [h.channel, h.status, h.source, h.detail])).toEqual([
      ['sms', 'opted_in', 'sms_keyword', 'START'],
      ['voice', 'opted_in', 'sms_keyword', 'START'],
      ['sms', 'opted_out', 'sms_keyword', 'STOP'],
      ['voice', 'opted_out', 'sms_keyword', 'STOP'],
    ]);
    await host.until('consent.changed', (data) =>
      data.recipient.ref === 'ana' && data.status === 'opted_out'
      && data.source === 'sms_keyword');
  });

  it('answers HELP with the practice, its phone, how to stop and the rates', async () => {
    const help = await replyAndRead('ben', 'Help');
    expect(help.replyOutcome).toBe('help');

    const [answer] = await api.outbound('ben');
    const sent = await api.untilStatus(answer.id, 'delivered');
    expect(sent.content.text).toBe('Practice maple: For help, call us at (202) 555-0100. ' +
      'Reply STOP to opt out. Msg & data rates may apply.');
  });

  it('takes CANCEL as an opt-out and leaves the appointment booked', async () => {
    await api.untilStatus(await reminderOf('c-1', 'cara'), 'delivered');

    const cancel = await replyAndRead('cara', 'CANCEL');
    expect(cancel.replyOutcome).toBe('opted_out');
    await host.until('consent.changed', (data) => data.recipient.ref === 'cara');

    // Still booked: a confirmation is taken, which a cancelled appointment refuses.
    const confirm = await replyAndRead('cara', 'c');
    expect(confirm.replyOutcome).toBe('handled');
    await host.until('appointment.confirmed', (data) => data.appointment.ref === 'c-1');
    expect(host.received().filter((event: any) => event.type === 'appointment.cancelled'))
      .toEqual([]);
  });

  it('reads a keyword only as the whole reply', async () => {
    const read = await replyAndRead('dev', 'stop texting me please');
    expect(read).toMatchObject({ replyOutcome: 'unclear', needsAttention: true });
    expect(await api.outbound('dev')).toEqual([]);

    const { body } = await api.call('GET', '/clients/dev/consent');
    expect(body.channels).toEqual([]);
  });
});
