import { DateTime } from 'luxon';
import { beforeAll, describe, expect, it } from 'vitest';
import { controlledClock } from '../../core/scheduling/clock.ts';
import { writeConfig } from '../support/config.ts';
import { createAccount, startTestHub, type TestHub } from '../support/hub.ts';

// The clock stands years ahead of real time: every message is planned, none comes due.
const clock = controlledClock();
const zone = 'America/New_York';
const at = (local: string) => DateTime.fromISO(local, { zone }).toUTC().toISO()!;

let testHub: TestHub;
let account: { id: string; key: string };

beforeAll(async () => {
  const configFile = await writeConfig('appointment-planning.yaml', {
    'triggers.appointment.noticeDelay': '2m',
  });
  testHub = await startTestHub({ configFile, clock });
  account = await createAccount(testHub, 'northside', {
    timeZone: zone, quietHours: { start: '08:00', end: '21:00' },
  });
  await putClient('c-1', { firstName: 'Dana', phone: '+12025550111', channel: 'sms' });
});

function call(method: string, path: string, body?: unknown) {
  return testHub.api(account.key, method, `/v1/accounts/northside${path}`, body);
}

async function putClient(ref: string, body: object, type = 'client') {
  const put = await call('PUT', `/${type}s/${ref}`, { timeZone: zone, ...body });
  expect(put.status).toBeLessThan(300);
}

function book(ref: string, body: object) {
  return call('PUT', `/appointments/${ref}`, { clientRef: 'c-1', ...body });
}

/**
 * The appointment trigger's messages to one recipient, in the order they were planned and
 * are due. The stopped clock gives one plan's messages the same creation time.
 */
async function messagesOf(recipientRef: string) {
  const { body } = await call('GET', `/messages?trigger=appointment&recipientRef=${recipientRef}`);
  const order = (m: any) => `${m.createdAt} ${m.sendAt}`;
  return (body.messages as any[]).sort((a, b) => order(a).localeCompare(order(b)));
}

const timing = (messages: any[]) =>
  messages.map(({ kind, status, sendAt }) => ({ kind, status, sendAt }));

describe('planning an appointment', () => {
  it('plans a notice and two reminders for an appointment booked three days ahead', async () => {
    clock.set(at('2030-03-04T10:00'));

    const booked = await book('a-1', { start: at('2030-03-07T11:00'), location: 'Suite 4' });

    expect(booked.status).toBe(201);
    expect(timing(booked.body.messages)).toEqual([
      { kind: 'booked', status: 'scheduled', sendAt: at('2030-03-04T10:02') },
      { kind: 'reminder', status: 'scheduled', sendAt: at('2030-03-05T11:00') },
      { kind: 'reminder', status: 'scheduled', sendAt: at('2030-03-07T09:00') },
    ]);
    const listed = await messagesOf('c-1');
    expect(listed.map((m) => m.expiresAt)).toEqual(Array(3).fill(at('2030-03-07T11:00')));
    expect(listed.every((m) => m.channel === 'sms')).toBe(true);
  });

  it('plans nothing new when the same appointment arrives again', async () => {
    const first = await messagesOf('c-1');

    const again = await book('a-1', { start: at('2030-03-07T11:00'), location: 'Suite 4' });

    expect(again.status).toBe(200);
    expect(again.body.messages.map((m: any) => m.id)).toEqual(first.map((m) => m.id));
    expect(await messagesOf('c-1')).toHaveLength(3);
  });

  it('cancels the old reminders and plans new ones when rescheduled', async () => {
    clock.set(at('2030-03-04T10:01'));

    const moved = await book('a-1', { start: at('2030-03-08T15:00'), location: 'Suite 4' });

    expect(timing(moved.body.messages)).toEqual([
      { kind: 'booked', status: 'scheduled', sendAt: at('2030-03-04T10:03') },
      { kind: 'reminder', status: 'scheduled', sendAt: at('2030-03-06T15:00') },
      { kind: 'reminder', status: 'scheduled', sendAt: at('2030-03-08T13:00') },
    ]);
    const old = (await messagesOf('c-1')).slice(0, 3);
    expect(old.map((m) => [m.status, m.statusReason]))
      .toEqual(Array(3).fill(['cancelled', 'superseded']));
  });

  it('leaves out reminders whose moment has passed when the appointment is booked', async () => {
    await putClient('c-2', { firstName: 'Eli', phone: '+12025550112', channel: 'sms' });
    clock.set(at('2030-03-04T10:00'));

    const soon = await book('a-2', { clientRef: 'c-2', start: at('2030-03-04T11:30') });

    expect(soon.body.messages.map((m: any) => m.kind)).toEqual(['booked']);
  });

  it('plans nothing for an appointment that has started, completed or was missed', async () => {
    clock.set(at('2030-03-04T10:00'));
    await putClient('c-3', { firstName: 'Fay', phone: '+12025550113', channel: 'sms' });

    const started = await book('a-3', { clientRef: 'c-3', start: at('2030-03-04T09:30') });
    const done = await book('a-4', {
      clientRef: 'c-3', start: at('2030-03-09T09:30'), status: 'completed',
    });

    expect(started.body.messages).toEqual([]);
    expect(done.body.messages).toEqual([]);
  });
});

describe('quiet hours', () => {
  beforeAll(() => putClient('c-4', { firstName: 'Gus', phone: '+12025550114', channel: 'sms' }));

  it('sends the 2 h reminder of an 08:30 appointment the evening before, just before 21:00',
    async () => {
      clock.set(at('2030-03-04T10:00'));

      const early = await book('a-5', { clientRef: 'c-4', start: at('2030-03-07T08:30') });

      expect(timing(early.body.messages).slice(1)).toEqual([
        { kind: 'reminder', status: 'scheduled', sendAt: at('2030-03-05T08:30') },
        { kind: 'reminder', status: 'scheduled', sendAt: at('2030-03-06T20:55') },
      ]);
    });

  it('sends a reminder at 08:00 when that still leaves the minimum lead', async () => {
    clock.set(at('2030-03-04T10:00'));

    const later = await book('a-6', { clientRef: 'c-4', start: at('2030-03-07T09:30') });

    expect(later.body.messages.at(-1).sendAt).toBe(at('2030-03-07T08:00'));
  });

  it('skips a reminder with no allowed moment left, and holds the notice until morning',
    async () => {
      clock.set(at('2030-03-06T22:00'));

      const late = await book('a-7', { clientRef: 'c-4', start: at('2030-03-07T08:30') });

      expect(late.body.messages.map((m: any) => [m.kind, m.status, m.sendAt])).toEqual([
        ['booked', 'scheduled', at('2030-03-07T08:00')],
        ['reminder', 'cancelled', at('2030-03-07T06:30')],
      ]);
      const skipped = (await messagesOf('c-4')).find((m) => m.status === 'cancelled');
      expect(skipped.statusReason).toBe('quiet_hours');
    });

  it('does not hold email reminders for quiet hours', async () => {
    await putClient('c-5', { firstName: 'Hal', email: 'hal@example.com', channel: 'email' });
    clock.set(at('2030-03-04T10:00'));

    const byEmail = await book('a-8', { clientRef: 'c-5', start: at('2030-03-07T08:30') });

    expect(byEmail.body.messages.at(-1).sendAt).toBe(at('2030-03-07T06:30'));
  });
});

describe('channel choice', () => {
  it('uses the channel the appointment names over the client channel', async () => {
    await putClient('c-6', { phone: '+12025550116', email: 'c6@example.com', channel: 'sms' });
    clock.set(at('2030-03-04T10:00'));

    await book('a-9', { clientRef: 'c-6', start: at('2030-03-09T10:00'), channel: 'email' });

    expect((await messagesOf('c-6')).map((m) => m.channel)).toEqual(['email', 'email', 'email']);
  });

  it('fails automated messages for a client with no address on their channel', async () => {
    await putClient('c-7', { firstName: 'Ida', email: 'ida@example.com', channel: 'sms' });
    await putClient('c-8', { firstName: 'Jo' });
    clock.set(at('2030-03-04T10:00'));

    const noPhone = await book('a-10', { clientRef: 'c-7', start: at('2030-03-09T10:00') });
    const nothing = await book('a-11', { clientRef: 'c-8', start: at('2030-03-09T10:00') });

    for (const response of [noPhone, nothing]) {
      expect(response.status).toBe(201);
      expect(response.body.messages.map((m: any) => m.status)).toEqual(Array(3).fill('failed'));
    }
    const [failed] = await messagesOf('c-7');
    expect([failed.channel, failed.statusReason]).toEqual(['sms', 'invalid_address']);
  });

  it('refuses a message a person sends to a client without an address, with 422', async () => {
    const manual = await call('POST', '/messages', {
      recipient: { type: 'client', ref: 'c-8' }, channel: 'sms', text: 'Call us',
    });

    expect(manual.status).toBe(422);
    expect(manual.body.error.code).toBe('invalid_address');
  });
});
