import { beforeAll, describe, expect, it } from 'vitest';
import { controlledClock } from '../../core/scheduling/clock.ts';
import { eventually, createAccount, startTestHub, type TestHub } from '../support/hub.ts';

const clock = controlledClock();
const day = 86_400_000;

let testHub: TestHub;
let account: { id: string; key: string };

beforeAll(async () => {
  testHub = await startTestHub({ clock });
  account = await createAccount(testHub, 'lakeside', {
    timeZone: 'UTC', quietHours: { start: '00:00', end: '00:00' },
  });
  await call('PUT', '/clients/f-1', { firstName: 'Mo', phone: '+12025550180', channel: 'sms' });
  await call('PUT', '/clients/f-2', { firstName: 'Ned', email: 'ned@example.com' });
});

function call(method: string, path: string, body?: unknown) {
  return testHub.api(account.key, method, `/v1/accounts/lakeside${path}`, body);
}

const request = {
  clientRef: 'f-1', forms: ['Intake questionnaire', 'Consent to treat'],
  link: 'https://forms.example.com/r/abc', accessCode: '1234',
};

async function readMessage(id: string) {
  return (await call('GET', `/messages/${id}`)).body;
}

describe('form requests', () => {
  it('sends the link now, with follow-ups, all expiring with the link after 14 days',
    async () => {
      const now = new Date('2030-06-03T15:00:00Z');
      clock.set(now);

      const created = await call('POST', '/form-requests', { ...request, ref: 'fr-1' });

      expect(created.status).toBe(201);
      const expiry = new Date(now.getTime() + 14 * day).toISOString();
      expect(created.body.expiresAt).toBe(expiry);
      expect(created.body.messages.map((m: any) => [m.kind, m.sendAt])).toEqual([
        ['request', now.toISOString()],
        ['follow-up', new Date(now.getTime() + 3 * day).toISOString()],
        ['follow-up', new Date(now.getTime() + 7 * day).toISOString()],
      ]);
      for (const { id } of created.body.messages) {
        expect((await readMessage(id)).expiresAt).toBe(expiry);
      }
    });

  it('plans nothing twice when the same request is sent again', async () => {
    clock.set('2030-06-03T15:05:00Z');

    const again = await call('POST', '/form-requests', { ...request, ref: 'fr-1' });

    expect(again.status).toBe(200);
    const { body } = await call('GET', '/messages?trigger=forms');
    expect(body.messages).toHaveLength(3);
  });

  it('cancels pending follow-ups when the forms are completed', async () => {
    const { body: listed } = await call('GET', '/messages?trigger=forms');

    const completed = await call('PUT', '/form-requests/fr-1', { status: 'completed' });

    expect(completed.status).toBe(200);
    expect(completed.body).toMatchObject({ status: 'completed', messages: [] });
    for (const { id } of listed.messages) {
      expect(await readMessage(id)).toMatchObject({ status: 'cancelled' });
    }
    const reopened = await call('POST', '/form-requests', { ...request, ref: 'fr-1' });
    expect(reopened.status).toBe(409);
  });

  it('expires the link message when it comes due after the link has expired', async () => {
    // Planned a month ago while no worker ran; they find it now, past the link's expiry.
    await testHub.restart({ role: 'api' });
    clock.set(new Date(Date.now() - 30 * day));
    const created = await call('POST', '/form-requests', { ...request, clientRef: 'f-2' });
    clock.release();
    await testHub.restart({ role: 'all' });

    const [first] = created.body.messages;
    const expired = await eventually(async () => {
      const message = await readMessage(first.id);
      return message.status === 'expired' && message;
    });
    expect(expired.statusReason).toBe('expired');
    expect(expired.history.map((event: any) => event.status)).toEqual(['scheduled', 'expired']);
  });

  it('refuses a request for a client who cannot be reached, with 422', async () => {
    await call('PUT', '/clients/f-3', { firstName: 'Oz' });

    const refused = await call('POST', '/form-requests', { ...request, clientRef: 'f-3' });

    expect(refused.status).toBe(422);
    expect(refused.body.error.code).toBe('unknown_channel');
  });

  it('refuses a link that has already expired', async () => {
    const expiresAt = new Date(Date.now() - 60_000).toISOString();

    const refused = await call('POST', '/form-requests', { ...request, expiresAt });

    expect(refused.status).toBe(422);
  });

  it('refuses to complete a request that does not exist', async () => {
    const missing = await call('PUT', '/form-requests/nope', { status: 'completed' });

    expect(missing.status).toBe(404);
  });
});
