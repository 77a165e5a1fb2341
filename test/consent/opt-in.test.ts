import { beforeAll, describe, expect, it } from 'vitest';
import { createAccount, type TestHub } from '../support/hub.ts';
import { accountApi, hostEndpoint, noQuietHours, startConsentHub } from './support.ts';

let testHub: TestHub;
let birch: ReturnType<typeof accountApi>;
let cedar: ReturnType<typeof accountApi>;
let birchHost: Awaited<ReturnType<typeof hostEndpoint>>;
let cedarHost: Awaited<ReturnType<typeof hostEndpoint>>;

beforeAll(async () => {
  testHub = await startConsentHub('opt-in');
  const required = { ...noQuietHours, optInRequired: true };

  // Reminders two seconds from now, for appointments a minute away.
  const birchAccount = await createAccount(testHub, 'birch', {
    ...required, reminderOffsets: ['58s'],
  });
  birch = accountApi(testHub, birchAccount);
  birchHost = await hostEndpoint(testHub, birchAccount, ['consent.changed']);

  // Reminders three seconds before appointments that start five seconds from now.
  const cedarAccount = await createAccount(testHub, 'cedar', {
    ...required, reminderOffsets: ['3s'],
  });
  cedar = accountApi(testHub, cedarAccount);
  cedarHost = await hostEndpoint(testHub, cedarAccount, ['messaging.error']);

  for (const [index, ref] of ['ana', 'dev', 'eve', 'fay'].entries()) {
    await birch.client(ref, { firstName: ref, phone: `+1202555019${index}`, channel: 'sms' });
  }
  await birch.client('gus', { firstName: 'Gus', fax: '+12025550195', channel: 'efax' });
  await cedar.client('ben', { firstName: 'Ben', phone: '+12025550196', channel: 'sms' });
});

function reminderIn(booked: { body: { messages: Array<{ kind: string; id: string }> } }) {
  return booked.body.messages.find((m) => m.kind === 'reminder')!.id;
}

function sentAt(message: { history: Array<{ status: string; at: string }> }) {
  return message.history.find((event) => event.status === 'sent')!.at;
}

describe('opt-in before the first message', () => {
  it('holds the reminders, asks first, and releases them in order on YES', async () => {
    const first = reminderIn(await birch.book('a-1', 'ana', 60));
    const second = reminderIn(await birch.book('a-2', 'ana', 61));

    const requests = (await birch.outbound('ana')).filter((m) => m.kind === 'opt-in-request');
    expect(requests).toHaveLength(1);
    const request = await birch.untilStatus(requests[0].id, 'delivered');
    expect(request.content.text).toBe('Practice birch: may we text you appointment reminders ' +
      'and other messages? Reply YES to agree. Reply HELP for help, STOP to opt out. Msg & ' +
      'data rates may apply.');

    expect((await birch.untilStatus(first, 'held')).statusReason).toBe('awaiting_opt_in');
    await birch.untilStatus(second, 'held');
    expect(sentAt(request) < (await birch.message(first)).updatedAt).toBe(true);

    const yes = await birch.reply('ana', 'yes');
    expect((await birch.untilRead(yes.body.id)).replyOutcome).toBe('opted_in');
    const [one, two] = [
      await birch.untilStatus(first, 'delivered'), await birch.untilStatus(second, 'delivered'),
    ];
    expect(one.history.map((h: { status: string }) => h.status))
      .toEqual(['scheduled', 'held', 'sending', 'sent', 'delivered']);
    expect(sentAt(one) < sentAt(two)).toBe(true);

    const kinds = (await birch.outbound('ana')).map((m) => m.kind);
    expect(kinds.filter((kind) => kind === 'opted-in')).toHaveLength(1);
    await birchHost.until('consent.changed', (data) =>
      data.recipient.ref === 'ana' && data.status === 'opted_in' && data.source === 'sms_keyword');
  });

  it('expires a reminder at the start when the client never answers', async () => {
    const reminder = reminderIn(await cedar.book('b-1', 'ben', 5));
    await cedar.untilStatus(reminder, 'held');

    const expired = await cedar.untilStatus(reminder, 'expired');
    expect(expired.statusReason).toBe('opt_in_expired');
    const error = await cedarHost.until('messaging.error', (data) => data.messageId === reminder);
    expect(error.data).toMatchObject({
      reason: 'opt_in_expired', subject: { type: 'appointment', ref: 'b-1' },
    });
  });

  it('needs no opt-in for eFax', async () => {
    const sent = await birch.call('POST', '/messages', {
      recipient: { type: 'client', ref: 'gus' }, text: 'Your records are attached.',
    });
    expect(sent.status).toBe(202);
    await birch.untilStatus(sent.body.id, 'delivered');
  });
});

describe('consent from the host', () => {
  it('records an opt-in with its source, time and privacy policy, and sends at once', async () => {
    const at = '2026-01-15T10:00:00.000Z';
    const recorded = await birch.call('POST', '/clients/dev/consent', {
      status: 'opted_in', channels: ['sms'], source: 'front_desk', at,
      privacyPolicy: { version: '2025-11', acceptedAt: at },
    });
    expect(recorded.status).toBe(200);
    expect(recorded.body).toMatchObject({
      channels: [{ channel: 'sms', status: 'opted_in', source: 'host', changedAt: at }],
      privacyPolicies: [{ version: '2025-11', acceptedAt: at }],
      history: [{ channel: 'sms', status: 'opted_in', source: 'host', detail: 'front_desk', at }],
    });

    const sent = await birch.call('POST', '/messages', {
      recipient: { type: 'client', ref: 'dev' }, text: 'Your results are in.',
    });
    await birch.untilStatus(sent.body.id, 'delivered');
    expect((await birch.outbound('dev')).map((m) => m.kind)).toEqual(['message']);

    const out = await birch.call('POST', '/clients/dev/consent', { status: 'opted_out' });
    expect(out.body.channels.map((c: { status: string }) => c.status))
      .toEqual(['opted_out', 'opted_out', 'opted_out', 'opted_out']);
    const later = await birch.call('POST', '/messages', {
      recipient: { type: 'client', ref: 'dev' }, text: 'Are you there?',
    });
    expect((await birch.untilStatus(later.body.id, 'suppressed')).statusReason)
      .toBe('unsubscribed');
  });

  it("refuses a client's first online booking without the privacy policy", async () => {
    const start = new Date(Date.now() + 86_400_000).toISOString();
    const booking = { clientRef: 'eve', start, bookedVia: 'online_scheduler' };
    const refused = await birch.call('PUT', '/appointments/e-1', booking);
    expect(refused.status).toBe(422);
    expect(refused.body.error.code).toBe('privacy_policy_required');

    const acceptedAt = new Date().toISOString();
    const accepted = await birch.call('PUT', '/appointments/e-1', {
      ...booking, consent: { optIn: true, privacyPolicy: { version: '2025-11', acceptedAt } },
    });
    expect(accepted.status).toBe(201);
    const { body } = await birch.call('GET', '/clients/eve/consent');
    expect(body.history).toContainEqual(expect.objectContaining({
      channel: 'sms', status: 'opted_in', source: 'host', detail: 'online_scheduler',
    }));
    expect((await birch.outbound('eve')).map((m) => m.kind)).not.toContain('opt-in-request');

    const again = await birch.call('PUT', '/appointments/e-2', booking);
    expect(again.status).toBe(201);
  });

  it('takes an online booking by a client who accepted the policy before', async () => {
    await birch.call('POST', '/clients/fay/consent', {
      status: 'opted_in',
      privacyPolicy: { version: '2025-11', acceptedAt: new Date().toISOString() },
    });
    const start = new Date(Date.now() + 86_400_000).toISOString();
    const booked = await birch.call('PUT', '/appointments/f-1', {
      clientRef: 'fay', start, bookedVia: 'online_scheduler',
    });
    expect(booked.status).toBe(201);
  });
});
