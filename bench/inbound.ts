import type { Simulator } from '../test/simulator/index.ts';
import type { HostReceiver } from './host-receiver.ts';
import { inParallel, type Practice } from './practices.ts';
import { perSecond } from './stats.ts';

export interface InboundRun {
  webhooks: number;
  failures: number;
  /** Replies the hub answered (stored) per second. */
  storedPerSecond: number;
  calledBack: number;
  /** Replies per second up to the last `message.received` callback. */
  calledBackPerSecond: number;
}

/**
 * Patients texting the practices: signed Twilio inbound webhooks from the simulator, `clients`
 * at once; each is stored in its thread and called back to the host as `message.received`.
 */
export async function runInbound(
  sim: Simulator,
  receiver: HostReceiver,
  practices: Practice[],
  count: number,
  clients: number,
): Promise<InboundRun> {
  sim.reset();
  receiver.clear();
  let failures = 0;
  const started = performance.now();
  const startedAt = Date.now();

  const replies = Array.from({ length: count }, (_, n) => async () => {
    const practice = practices[n % practices.length];
    const client = practice.clients[Math.floor(n / practices.length) % practice.clients.length];
    const answer = await sim.twilio.inbound.receive({
      from: client.phone, to: practice.sender, body: `Thanks, see you then (${n})`,
    }).catch(() => undefined);
    if (answer?.status !== 200) failures += 1;
  });
  await inParallel(replies, clients);
  const storedMs = performance.now() - started;

  const expected = count - failures;
  const deadline = Date.now() + 60_000 + count * 25;
  while (receiver.received.size < expected && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const last = [...receiver.received.values()].reduce((a, b) => Math.max(a, b), startedAt);

  return {
    webhooks: count,
    failures,
    storedPerSecond: perSecond(expected, storedMs),
    calledBack: receiver.received.size,
    calledBackPerSecond: perSecond(receiver.received.size, last - startedAt),
  };
}
