import { beforeAll, describe, expect, it } from 'vitest';
import { queueNames } from '../core/queue/queue.ts';
import type { SandboxInstance } from '../core/sandbox/sandbox-provider.ts';
import { writeConfig } from './support/config.ts';
import {
  adminKey, createAccount, eventually, startTestHub, type TestHub,
} from './support/hub.ts';

/** The hub's clock, which the digests run by; the tests move it forward an hour at a time. */
let offsetMs = 0;
const clock = () => new Date(Date.now() + offsetMs);

let testHub: TestHub;
let account: { id: string; key: string };

const staff = {
  now: 'now@riverside.example',
  hourly: 'hourly@riverside.example',
  never: 'never@riverside.example',
};

beforeAll(async () => {
  const configFile = await writeConfig('notifications.yaml', {
    'queue.pollingIntervalSeconds': 0.5,
    'prices.sms.perSegment': 1,
  });
  testHub = await startTestHub({ configFile, clock });
  account = await createAccount(testHub, 'riverside', {
    quietHours: { start: '00:00', end: '00:00' },
    notificationLink: 'https://ehr.example/practices/{accountId}/inbox/{kind}?m={messageId}',
  });
  await call('PUT', '/clients/p-1', { firstName: 'Lena', phone: '+12025550191', channel: 'sms' });

  const never = { frequency: 'never' };
  await putUser('u-now', staff.now, { newMessages: { frequency: 'immediately' }, errors: never });
  await putUser('u-hourly', staff.hourly, { newMessages: { frequency: 'hourly' }, errors: never });
  await putUser('u-never', staff.never, { newMessages: never, errors: never });
});

function call(method: string, path: string, body?: unknown) {
  return testHub.api(account.key, method, `/v1/accounts/riverside${path}`, body);
}

async function putUser(ref: string, email: string, notifications: object) {
  const put = await call('PUT', `/users/${ref}`, { email, notifications });
  expect(put.status).toBeLessThan(300);
  return put.body;
}

function reply(text: string) {
  return call('POST', '/sandbox/replies', {
    channel: 'sms', recipient: { type: 'client', ref: 'p-1' }, text,
  });
}

function emailsTo(address: string) {
  const email = testHub.hub.services.plugins.instance('email') as SandboxInstance;
  return email.records.filter((record) => record.message.to === address)
    .map((record) => record.message.body);
}

/** What the cron job does every minute, run now rather than waiting for the minute. */
async function runDigests() {
  const { boss } = testHub.hub.services.queue;
  const id = await boss.send(queueNames.notificationCollect, {});
  await eventually(async () => {
    const job = await boss.getJobById(queueNames.notificationCollect, id!);
    return job?.state === 'completed';
  });
}

describe('notification emails', () => {
  it('sends a user on "immediately" one email per reply, without the message', async () => {
    for (const [index, text] of ['Can I come at 3?', 'Also my knee hurts'].entries()) {
      await reply(text);
      await eventually(async () => emailsTo(staff.now).length === index + 1);
    }

    const [first, second] = emailsTo(staff.now);
    expect(first.subject).toBe('1 new message for Practice riverside');
    expect(first.text).toContain('https://ehr.example/practices/riverside/inbox/messages?m=');
    for (const email of [first, second]) {
      expect(JSON.stringify(email)).not.toMatch(/3\?|knee|Lena|2025550191/);
    }
    expect(emailsTo(staff.hourly)).toEqual([]);
  });

  it('sends nothing to a user on "never"', async () => {
    expect(emailsTo(staff.never)).toEqual([]);
    const { body } = await call('GET', '/users/u-never');
    expect(body.notifications.newMessages).toEqual({ frequency: 'never' });
  });

  it('tells of errors, with their reasons, from the next event after a change', async () => {
    await putUser('u-never', staff.never, { errors: { frequency: 'immediately' } });
    await call('POST', '/messages', { recipient: { type: 'client', ref: 'p-1' }, text: 'Hi' });

    const [email] = await eventually(async () => {
      const sent = emailsTo(staff.never);
      return sent.length > 0 && sent;
    });
    expect(email.subject).toBe('1 message of Practice riverside could not be sent');
    expect(email.text).toContain('1 because the account is out of credit');
    expect(email.text).toContain('/inbox/errors?m=');
  });

  it('sends a user on "hourly" one digest counting the replies, across a restart', async () => {
    await reply('One more thing');
    await eventually(async () => emailsTo(staff.now).length === 3);
    await runDigests();
    expect(emailsTo(staff.hourly)).toEqual([]);

    await testHub.restart();
    offsetMs += 3600_000;
    await runDigests();
    await runDigests();

    const digests = await eventually(async () => {
      const sent = emailsTo(staff.hourly);
      return sent.length > 0 && sent;
    });
    expect(digests).toHaveLength(1);
    expect(digests[0].subject).toBe('3 new messages for Practice riverside');
    expect(digests[0].text.endsWith('/inbox/messages?m=')).toBe(true);
  });

  it('refuses a daily digest without its hour', async () => {
    const put = await call('PUT', '/users/u-bad', {
      email: 'bad@riverside.example', notifications: { errors: { frequency: 'daily' } },
    });
    expect(put.status).toBe(400);

    const daily = await call('PUT', '/users/u-daily', {
      email: 'Daily@Riverside.example', notifications: { errors: { frequency: 'daily', hour: 7 } },
    });
    expect(daily.status).toBe(201);
    expect(daily.body).toMatchObject({
      email: 'daily@riverside.example',
      notifications: {
        errors: { frequency: 'daily', hour: 7 }, newMessages: { frequency: 'hourly' },
      },
    });
    expect((await testHub.api(adminKey, 'DELETE', '/v1/accounts/riverside/users/u-daily'))
      .status).toBe(204);
  });
});
