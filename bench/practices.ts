import type { HostReceiver } from './host-receiver.ts';
import type { HttpClient } from './http-client.ts';

/** A practice of the bench: its own key, sender number and clients. */
export interface Practice {
  id: string;
  key: string;
  sender: string;
  clients: Array<{ ref: string; phone: string }>;
}

/** The hub's numbers: one per practice, so no sender's rate limit carries the whole load. */
export function senderNumber(index: number): string {
  return `+1415${String(5_550_000 + index)}`;
}

function clientPhone(index: number): string {
  return `+1202${String(5_550_000 + index)}`;
}

const setupConcurrency = 16;

/**
 * Creates the practices through the API as a host would: the account with its sender and
 * no quiet hours (a bench must not wait for the morning), a key, a callback endpoint at the
 * host receiver, and its clients.
 */
export async function createPractices(
  admin: HttpClient,
  receiver: HostReceiver,
  count: number,
  clientsEach: number,
): Promise<Practice[]> {
  const practices: Practice[] = [];
  for (let index = 0; index < count; index += 1) {
    practices.push(await createPractice(admin, receiver, index, clientsEach));
  }

  const puts = practices.flatMap((practice) => practice.clients.map((client) => () =>
    admin.json('PUT', `/v1/accounts/${practice.id}/clients/${client.ref}`, {
      firstName: 'Bench', phone: client.phone, channel: 'sms',
    }, practice.key)));
  await inParallel(puts, setupConcurrency);
  return practices;
}

async function createPractice(
  admin: HttpClient,
  receiver: HostReceiver,
  index: number,
  clientsEach: number,
): Promise<Practice> {
  const id = `bench-${index}`;
  const sender = senderNumber(index);
  await admin.json('POST', '/v1/accounts', {
    id, name: `Bench practice ${index}`,
    settings: {
      practiceName: `Bench practice ${index}`,
      senders: { sms: sender },
      quietHours: { start: '00:00', end: '00:00' },
    },
  });
  const { key } = await admin.json<{ key: string }>('POST', `/v1/accounts/${id}/keys`, {});

  const endpoint = await admin.json<{ secret: string }>('POST', `/v1/accounts/${id}/callbacks`, {
    url: receiver.endpointFor(id), events: ['message.status', 'message.received'],
  }, key);
  receiver.trust(id, endpoint.secret);

  const clients = Array.from({ length: clientsEach }, (_, number) => ({
    ref: `client-${number}`, phone: clientPhone(index * clientsEach + number),
  }));
  return { id, key, sender, clients };
}

/** Runs the tasks with at most `limit` at once, failing on the first failure. */
export async function inParallel(tasks: Array<() => Promise<unknown>>, limit: number) {
  let next = 0;
  const lane = async () => {
    while (next < tasks.length) await tasks[next++]();
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, lane));
}
