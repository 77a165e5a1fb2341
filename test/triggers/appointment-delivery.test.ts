import { beforeAll, describe, expect, it } from 'vitest';
import type { SandboxInstance } from '../../core/sandbox/sandbox-provider.ts';
import { controlledClock } from '../../core/scheduling/clock.ts';
import { writeConfig } from '../support/config.ts';
import {
  adminKey, createAccount, eventually, startTestHub, type TestHub,
} from '../support/hub.ts';

// Real time, short offsets: reminders 3 s and 2 s before the start, notices after 1 s.
const clock = controlledClock();
const noQuietHours = { start: '00:00', end: '00:00' };

let testHub: TestHub;
let account: { id: string; key: string };

beforeAll(async () => {
  const configFile = await writeConfig('appointment-delivery.yaml', {
    'triggers.appointment.noticeDelay': '1s',
  });
  testHub = await startTestHub({ configFile, clock });
  account = await createAccount(testHub, 'southside', {
    quietHours: noQuietHours, reminderOffsets: ['3s', '2s'],
  });
});

function call(method: string, path: string, body?: unknown, key = account.key) {
  return testHub.api(key, method, `/v1/accounts/southside${path}`, body);
}

async function putClient(ref: string) {
  const phone = `+1202555${String(Math.floor(Math.random() * 9000) + 1000)}`;
  await call('PUT', `/clients/${ref}`, { firstName: 'Kim', phone, channel: 'sms' });
}

function book(ref: string, clientRef: string, start: Date, status = 'booked') {
  return call('PUT', `/appointments/${ref}`, { clientRef, start: start.toISOString(), status });
}

const inSeconds = (seconds: number) => new Date(Date.now() + seconds * 1000);

async function readMessage(id: string) {
  return (await call('GET', `/messages/${id}`)).body;
}

function untilStatus(id: string, ...statuses: string[]) {
  return eventually(async () => {
    const message = await readMessage(id);
    return statuses.includes(message.status) && message;
  });
}

/** Sent is enough: the sandbox has it; delivery reports come a moment later. */
const untilSent = (id: string) => untilStatus(id, 'sent', 'delivered');

/** The kinds of the texts the client's phone received, in order. */
function received(clientMessages: string[]) {
  const sms = testHub.hub.services.plugins.instance('sms') as SandboxInstance;
  return sms.records.filter((record) => clientMessages.includes(record.message.messageId))
    .map((record) => record.message.kind);
}

async function kindsSentTo(clientRef: string) {
  const { body } = await call('GET', `/messages?recipientRef=${clientRef}`);
  return received(body.messages.map((m: any) => m.id));
}

const sentAt = (message: any) =>
  new Date(message.history.find((event: any) => event.status === 'sent').at);

// Each of these waits for the queue, for a different client: they run side by side.
describe.concurrent('sending appointment messages when they come due', () => {
  it('sends the notice and each reminder at its moment', async () => {
    await putClient('k-1');

    const booked = await book('b-1', 'k-1', inSeconds(4));

    const kinds = booked.body.messages.map((m: any) => m.kind);
    expect(kinds).toEqual(['booked', 'reminder', 'reminder']);
    for (const planned of booked.body.messages) {
      const message = await untilSent(planned.id);
      expect(sentAt(message).getTime()).toBeGreaterThanOrEqual(Date.parse(planned.sendAt));
      expect(message.content.text).toContain('Kim');
    }
  });

  it('sends only the cancellation notice when a booked appointment is cancelled', async () => {
    await putClient('k-2');
    const start = inSeconds(3600);
    const booked = await book('b-2', 'k-2', start);
    await untilSent(booked.body.messages[0].id);

    const cancelled = await book('b-2', 'k-2', start, 'cancelled');

    expect(cancelled.body.messages.map((m: any) => m.kind)).toEqual(['cancelled']);
    await untilSent(cancelled.body.messages[0].id);
    for (const reminder of booked.body.messages.slice(1)) {
      expect(await readMessage(reminder.id))
        .toMatchObject({ status: 'cancelled', statusReason: 'superseded' });
    }
    expect(await kindsSentTo('k-2')).toEqual(['booked', 'cancelled']);
  });

  it('tells the client of a new time once the notice delay has passed', async () => {
    await putClient('k-3');
    const booked = await book('b-3', 'k-3', inSeconds(3600));
    await untilSent(booked.body.messages[0].id);

    const moved = await book('b-3', 'k-3', inSeconds(7200));

    const notice = await untilSent(moved.body.messages[0].id);
    expect(notice.kind).toBe('rescheduled');
    expect(notice.content.text).toContain('has changed');
  });
});

describe('undoing a change', () => {
  it('tells the client nothing of a change undone within the notice delay', async () => {
    await putClient('k-4');
    const start = inSeconds(3600);
    const booked = await book('b-4', 'k-4', start);
    await untilSent(booked.body.messages[0].id);

    // Stopped ten minutes ahead, the clock keeps the new notice pending while it is undone.
    clock.set(inSeconds(600));
    const moved = await book('b-4', 'k-4', new Date(start.getTime() + 3_600_000));
    const undone = await book('b-4', 'k-4', start);
    clock.release();

    expect(moved.body.messages[0].kind).toBe('rescheduled');
    expect(undone.body.messages.map((m: any) => m.kind)).toEqual(['reminder', 'reminder']);
    expect(await readMessage(moved.body.messages[0].id))
      .toMatchObject({ status: 'cancelled', statusReason: 'superseded' });
    expect(await kindsSentTo('k-4')).toEqual(['booked']);
  });
});

describe('after downtime', () => {
  it('sends what came due while no worker ran, once, and expires what is too late', async () => {
    await putClient('k-5');
    await putClient('k-6');
    await testHub.restart({ role: 'api' });

    const soon = await book('b-5', 'k-5', inSeconds(3));
    const later = await book('b-6', 'k-6', inSeconds(3600));
    const quiet = await planInQuietHours();
    // The workers come back after the first appointment has started.
    clock.set(inSeconds(10));
    await testHub.restart({ role: 'all' });

    for (const planned of soon.body.messages) {
      const message = await untilStatus(planned.id, 'expired', 'sent', 'delivered', 'failed');
      expect(message).toMatchObject({ status: 'expired', statusReason: 'expired' });
    }
    const notice = await untilSent(later.body.messages[0].id);
    expect(notice.history.filter((event: any) => event.status === 'sent')).toHaveLength(1);

    const held = await eventually(async () => {
      const message = await quiet.read();
      return message.sendAt !== quiet.plannedAt && message;
    });
    expect(held).toMatchObject({ status: 'scheduled', sendAt: quiet.opening.toISOString() });
    clock.release();
  });
});

/**
 * Plans a notice while the account has no quiet hours, then gives it quiet hours that have
 * just begun in UTC and end in a few minutes, so the notice comes due inside them.
 */
async function planInQuietHours() {
  await createAccount(testHub, 'eastside', { timeZone: 'UTC', quietHours: noQuietHours });
  const issued = await testHub.api(adminKey, 'POST', '/v1/accounts/eastside/keys', {});
  const key = issued.body.key;
  const eastside = (method: string, path: string, body?: unknown) =>
    testHub.api(key, method, `/v1/accounts/eastside${path}`, body);

  await eastside('PUT', '/clients/e-1', { phone: '+12025550170', channel: 'sms' });
  const booked = await eastside('PUT', '/appointments/e-a', {
    clientRef: 'e-1', start: inSeconds(86_400).toISOString(),
  });

  const clockTime = (date: Date) => date.toISOString().slice(11, 16);
  const opening = new Date(Math.ceil(Date.now() / 60_000) * 60_000 + 180_000);
  await testHub.api(adminKey, 'PATCH', '/v1/accounts/eastside', {
    settings: {
      quietHours: { start: clockTime(opening), end: clockTime(inSeconds(-3600)) },
    },
  });
  const [notice] = booked.body.messages;
  const read = async () => (await eastside('GET', `/messages/${notice.id}`)).body;
  return { read, plannedAt: notice.sendAt, opening };
}
