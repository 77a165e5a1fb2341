import { beforeAll, describe, expect, it } from 'vitest';
import { adminKey, createAccount, type TestHub } from '../support/hub.ts';
import { accountApi, hostEndpoint, noQuietHours, startConsentHub } from './support.ts';

let testHub: TestHub;
let api: ReturnType<typeof accountApi>;
let host: Awaited<ReturnType<typeof hostEndpoint>>;

beforeAll(async () => {
  testHub = await startConsentHub('replies');
  const account = await createAccount(testHub, 'elm', {
    ...noQuietHours, reminderOffsets: ['58s'],
  });
  api = accountApi(testHub, account);
  host = await hostEndpoint(testHub, account, ['appointment.confirmed', 'appointment.cancelled']);
  for (const [index, ref] of ['ana', 'ben', 'cara', 'dev'].entries()) {
    await api.client(ref, { firstName: ref, phone: `+1202555017${index}`, channel: 'sms' });
  }
});

/** Books an appointment a minute ahead and waits for its reminder to be delivered. */
async function remind(appointment: string, client: string) {
  const booked = await api.book(appointment, client, 60);
  const reminder = booked.body.messages.find((m: { kind: string }) => m.kind === 'reminder');
  return api.untilStatus(reminder.id, 'delivered');
}

async function replyAndRead(ref: string, text: string) {
  const sent = await api.reply(ref, text);
  return api.untilRead(sent.body.id);
}

function events(type: string, appointment: string) {
  return host.received().filter((event: any) =>
    event.type === type && event.data.appointment.ref === appointment);
}

describe('answers to appointment messages', () => {
  it('confirms on "c", acknowledges once, and takes a second "C" as nothing new', async () => {
    await remind('a-1', 'ana');

    expect(await replyAndRead('ana', 'c')).toMatchObject({ replyOutcome: 'handled' });
    const confirmed = await host.until('appointment.confirmed', (d) => d.appointment.ref === 'a-1');
    expect(confirmed.data).toMatchObject({ client: { ref: 'ana' }, channel: 'sms' });
    const ack = (await api.outbound('ana')).find((m) => m.kind === 'confirmed')!;
    expect((await api.untilStatus(ack.id, 'delivered')).content.text)
      .toMatch(/^Practice elm: Thank you, ana\. Your appointment on .+ is confirmed\.$/);

    expect(await replyAndRead('ana', ' C ')).toMatchObject({
      replyOutcome: 'unchanged', needsAttention: false,
    });
    expect((await api.outbound('ana')).filter((m) => m.kind === 'confirmed')).toHaveLength(1);
    expect(events('appointment.confirmed', 'a-1')).toHaveLength(1);
  });

  it('cancels on "X", and a later "C" is left for a person', async () => {
    await remind('b-1', 'ben');

    expect(await replyAndRead('ben', 'X')).toMatchObject({ replyOutcome: 'handled' });
    await host.until('appointment.cancelled', (data) => data.appointment.ref === 'b-1');
    const notice = (await api.outbound('ben')).find((m) => m.kind === 'cancelled')!;
    expect((await api.untilStatus(notice.id, 'delivered')).content.text)
      .toContain('has been cancelled');

    const late = await replyAndRead('ben', 'C');
    expect(late).toMatchObject({ replyOutcome: 'unclear', needsAttention: true });
    expect(events('appointment.confirmed', 'b-1')).toEqual([]);
  });

  it('keeps an unclear reply, flags it, and answers nothing', async () => {
    await remind('c-1', 'cara');
    const before = await api.outbound('cara');

    const unclear = await replyAndRead('cara', 'Can I come at 3 instead?');
    expect(unclear).toMatchObject({
      status: 'received', content: { text: 'Can I come at 3 instead?' },
      replyOutcome: 'unclear', needsAttention: true,
    });
    expect(await api.outbound('cara')).toEqual(before);

    const flagged = await api.call('GET', '/messages?attention=true&recipientRef=cara');
    expect(flagged.body.messages.map((m: { id: string }) => m.id)).toEqual([unclear.id]);
    const thread = await api.call('GET', '/threads/client:cara');
    expect(thread.body.attentionCount).toBe(1);
    expect(thread.body.messages[0]).toMatchObject({ id: unclear.id, needsAttention: true });

    const resolved = await api.call('POST', `/messages/${unclear.id}/resolve`);
    expect(resolved.body).toEqual({ id: unclear.id, needsAttention: false });
    expect((await api.call('GET', '/threads/client:cara')).body.attentionCount).toBe(0);
  });

  it('takes YES as a confirmation from a client with nothing to opt in to', async () => {
    await remind('d-1', 'dev');
    expect(await replyAndRead('dev', 'Yes')).toMatchObject({ replyOutcome: 'handled' });
    await host.until('appointment.confirmed', (data) => data.appointment.ref === 'd-1');
  });
});

describe('reply words', () => {
  it('refuses a carrier keyword as a reply word', async () => {
    const patched = await testHub.api(adminKey, 'PATCH', '/v1/accounts/elm', {
      settings: { replyWords: { confirm: ['C'], cancel: ['CANCEL'] } },
    });
    expect(patched.status).toBe(400);
    expect(JSON.stringify(patched.body.error.details))
      .toContain('CANCEL is a carrier keyword and cannot be a reply word');
  });
});
