import { expect } from 'vitest';
import { WebhookReceiver } from '../simulator/webhook-receiver.ts';
import { writeConfig } from '../support/config.ts';
import { eventually, startTestHub, type TestHub } from '../support/hub.ts';

/** Quiet hours with equal ends: none, so the tests run at any hour of the day. */
export const noQuietHours = { quietHours: { start: '00:00', end: '00:00' } };

/** A hub whose workers look for due jobs twice a second, with the config changed so. */
export async function startConsentHub(name: string, changes: Record<string, unknown> = {}) {
  const configFile = await writeConfig(`${name}.yaml`, {
    'queue.pollingIntervalSeconds': 0.5, 'queue.retryDelaySeconds': 0, ...changes,
  });
  return startTestHub({ configFile });
}

/** Calls one account's part of the API. */
export function accountApi(testHub: TestHub, account: { id: string; key: string }) {
  const call = (method: string, path: string, body?: unknown) =>
    testHub.api(account.key, method, `/v1/accounts/${account.id}${path}`, body);

  async function message(id: string) {
    const { body } = await call('GET', `/messages/${id}`);
    return body;
  }

  return {
    call,
    message,
    /**
     * Waits until the message has reached `status`, which it may have left already: a call
     * that nobody answers with a key goes from sent to delivered within milliseconds.
     */
    untilStatus(id: string, status: string) {
      return eventually(async () => {
        const found = await message(id);
        const reached = found.history.some((entry: { status: string }) => entry.status === status);
        return reached && found;
      });
    },
    /** The outbound messages of a recipient's thread, oldest first. */
    async outbound(ref: string) {
      const { body } = await call('GET', `/threads/client:${ref}?limit=200`);
      return (body.messages ?? [])
        .filter((m: { direction: string }) => m.direction === 'outbound')
        .reverse() as Array<{ id: string; kind: string; status: string; statusReason: string;
          channel: string; content: { text?: string; subject?: string } | null }>;
    },
    /** The inbound messages of a recipient's thread, oldest first. */
    async inbound(ref: string) {
      const { body } = await call('GET', `/threads/client:${ref}?limit=200`);
      return (body.messages ?? [])
        .filter((m: { direction: string }) => m.direction === 'inbound')
        .reverse() as Array<{ id: string; needsAttention: boolean; content: { text?: string } }>;
    },
    reply(ref: string, text: string, channel = 'sms') {
      return call('POST', '/sandbox/replies', {
        channel, recipient: { type: 'client', ref }, text,
      });
    },
    async client(ref: string, fields: object) {
      const put = await call('PUT', `/clients/${ref}`, fields);
      expect([200, 201]).toContain(put.status);
    },
    /** Books an appointment starting `startIn` seconds from now, at a whole second. */
    async book(ref: string, clientRef: string, startIn: number, extra: object = {}) {
      const start = new Date(Date.now() + startIn * 1000);
      start.setMilliseconds(0);
      const put = await call('PUT', `/appointments/${ref}`, {
        clientRef, start: start.toISOString(), ...extra,
      });
      return put;
    },
    /** Waits until the reply's outcome is recorded. */
    untilRead(id: string) {
      return eventually(async () => {
        const found = await message(id);
        return found.replyOutcome !== null && found;
      });
    },
  };
}

/** A stand-in for the host's callback endpoint: keeps every event the hub posts. */
export async function hostEndpoint(
  testHub: TestHub,
  account: { id: string; key: string },
  events: string[],
) {
  const receiver = await new WebhookReceiver().start();
  const created = await testHub.api(account.key, 'POST', `/v1/accounts/${account.id}/callbacks`, {
    url: `${receiver.url}/events`, events,
  });
  expect(created.status).toBe(201);

  const received = () => receiver.on('/events').map((hook) => JSON.parse(hook.text));
  return {
    receiver,
    received,
    until(type: string, match: (data: any) => boolean = () => true) {
      return eventually(async () => received()
        .find((event: any) => event.type === type && match(event.data)));
    },
  };
}
