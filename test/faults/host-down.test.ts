import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../simulator/index.ts';
import { createAccount, logLines, startTestHub, type TestHub } from '../support/hub.ts';
import { Host } from './host.ts';
import { QueueClock } from './queue-clock.ts';
import { patientDataInLog, sendMany, twilioConfig, untilSettled } from './support.ts';

// Each message makes four callbacks (scheduled, sending, sent, delivered), and each of those
// is tried five times: 1,200 requests to the host.
const total = 60;
/** How long, in simulated seconds, the host's endpoint is down. */
const downFor = 3600;
/** Seconds a jump of the clock goes past the next due attempt, to run close ones together. */
const slack = 10;
const patient = {
  firstName: 'Philippa', lastName: 'Abernathy-Quist', phone: '+12025550186',
  email: 'philippa.abernathy@example.org',
};

let sim: Simulator;
let host: Host;
let testHub: TestHub;
let clock: QueueClock;
let texts: string[];
/** When the host's endpoint answered again. */
let backAt: Date;

interface Delivery {
  eventId: string;
  status: string;
  codes: number[];
  /** When each attempt was made, in milliseconds since the epoch. */
  times: number[];
}

beforeAll(async () => {
  sim = await startSimulator();
  host = new Host();
  const hostUrl = await host.start();

  // The hour is not waited out, and the retry schedule is not shortened either: the hub
  // runs with the shipped schedule (5 s, 5 min, 30 min, 2 h, …), works out every wait itself,
  // and the test only moves each waiting attempt's due time forward (queue-clock.ts). So the
  // schedule checked is the one hosts get, and no wait is squeezed below the queue's polling.
  // The queue clock locks the job table to move time on; a VACUUM of it would hold that up.
  const configFile = await twilioConfig('host-down.yaml', sim, { 'database.tableUpkeep': false });
  testHub = await startTestHub({ configFile });
  const { sql } = testHub.hub.services.database;
  const { key } = await createAccount(testHub, 'meadow');
  await testHub.api(key, 'PUT', '/v1/accounts/meadow/clients/c-1', {
    ...patient, channel: 'sms',
  });
  await testHub.api(key, 'POST', '/v1/accounts/meadow/callbacks', {
    url: hostUrl, events: ['message.status'],
  });

  host.down();
  clock = new QueueClock(sql, ['callback-delivery']);
  texts = await sendMany(testHub, key, 'meadow', total, `${patient.firstName}, your referral`);
  expect(await untilSettled(testHub, 30_000)).toEqual({ delivered: total });
});

afterAll(async () => {
  await sim?.stop();
  await host?.stop();
});

async function relayIsEmpty(): Promise<boolean> {
  const { sql } = testHub.hub.services.database;
  const [row] = await sql<{ waiting: number }[]>`select count(*)::int as waiting from event_relay`;
  return row.waiting === 0;
}

async function deliveries(): Promise<Delivery[]> {
  const { sql } = testHub.hub.services.database;
  return sql<Delivery[]>`
    select d.event_id as "eventId", d.status,
           array_agg(a.status_code order by a.id) as codes,
           array_agg(extract(epoch from a.at)::float8 * 1000 order by a.id) as times
      from callback_deliveries d join callback_attempts a on a.delivery_id = d.id
     group by d.id`;
}

describe('the host\'s callback endpoint down for an hour', () => {
  it('delivers every callback once it is back, none twice, none lost', async () => {
    // Each wait between attempts is skipped by moving the attempt's due time; the host comes
    // back when the simulated hour is up, before any attempt due later is made.
    const back = () => {
      host.up();
      backAt = new Date();
    };
    await clock.run({
      changes: [{ at: downFor, apply: back }], slack, isSettled: relayIsEmpty, timeoutMs: 100_000,
    });

    const { sql } = testHub.hub.services.database;
    const events = await sql<{ id: string }[]>`
      select id from outbox where account_id = 'meadow' and type = 'message.status'`;
    expect(events).toHaveLength(4 * total);
    const accepted = host.accepted();
    expect(events.filter((event) => !accepted.has(event.id))).toEqual([]);
    expect([...accepted.values()].filter((times) => times > 1)).toEqual([]);
    expect(accepted.size).toBe(events.length);
  }, 150_000);

  it('tries each callback on the retry schedule until the host answers', async () => {
    const schedule = testHub.hub.services.config.callbacks.retrySchedule;
    expect(clock.at(backAt)).toBeGreaterThanOrEqual(downFor);
    expect(clock.at(backAt)).toBeLessThan(downFor + slack + 5);

    // Attempts come at 0 s, 5 s, 5 min 5 s, 35 min 5 s (all refused), then 2 h 35 min 5 s.
    const offsets = schedule.map((_, n) => schedule.slice(0, n).reduce((a, b) => a + b, 0));
    const refused = offsets.filter((offset) => offset < downFor).length;
    for (const delivery of await deliveries()) {
      expect(delivery.status).toBe('delivered');
      expect(delivery.codes).toEqual([...Array(refused).fill(503), 204]);
      const times = delivery.times.map((ms) => new Date(ms));
      expect(times.slice(0, -1).every((time) => time < backAt)).toBe(true);

      for (let n = 0; n + 1 < times.length; n += 1) {
        const waited = clock.at(times[n + 1]) - clock.at(times[n]);
        expect(waited).toBeGreaterThanOrEqual(schedule[n] - 0.5);
        expect(waited).toBeLessThanOrEqual(schedule[n] + slack + 3);
      }
    }
  });

  it('sends the host the same event on every attempt', () => {
    const byEvent = Map.groupBy(host.requests, (request) => request.eventId);
    for (const requests of byEvent.values()) {
      expect(requests.map((request) => request.answered).at(-1)).toBe(204);
      expect(new Set(requests.map((request) => request.body)).size).toBe(1);
    }
  });

  it('writes no message text, name or address to its logs', () => {
    expect(logLines.length).toBeGreaterThan(1000);
    const known = [...texts, patient.firstName, patient.lastName, patient.phone, patient.email];
    expect(patientDataInLog(logLines, known)).toEqual([]);
  });
});
