import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type RecordedRequest, type Simulator } from '../simulator/index.ts';
import {
  createAccount, eventually, logLines, startTestHub, type TestHub,
} from '../support/hub.ts';
import { Host } from './host.ts';
import { QueueClock } from './queue-clock.ts';
import {
  patientDataInLog, sendMany, twilioConfig, untilSettled,
} from './support.ts';

const total = 200;
/** How long, in simulated seconds, Twilio answers every send with 500. */
const outage = 60;
/** Seconds a jump of the clock goes past the next due retry, to run close ones together. */
const slack = 2;
const patient = {
  firstName: 'Thaddeus', lastName: 'Villanueva-Cruz', phone: '+12025550174',
  email: 'thaddeus.villanueva@example.org',
};

let sim: Simulator;
let host: Host;
let testHub: TestHub;
let clock: QueueClock;
let texts: string[];
/** When Twilio answered normally again. */
let recovered: Date;

beforeAll(async () => {
  sim = await startSimulator();
  host = new Host();
  const hostUrl = await host.start();

  // The shipped retry policy (five retries, from 5 s, doubling with jitter), which should
  // outlast a minute of provider errors.
  const configFile = await twilioConfig('provider-outage.yaml', sim, {
    'queue.retryDelaySeconds': 5, 'queue.retryLimit': 5, 'queue.retryBackoff': true,
    // The queue clock locks the job table to move time on; a VACUUM of it would hold that up
    // and stretch the waits the test measures.
    'database.tableUpkeep': false,
  });
  testHub = await startTestHub({ configFile });
  clock = new QueueClock(testHub.hub.services.database.sql, ['dispatch']);

  const { key } = await createAccount(testHub, 'lakeside');
  await testHub.api(key, 'PUT', '/v1/accounts/lakeside/clients/c-1', {
    ...patient, channel: 'sms',
  });
  await testHub.api(key, 'POST', '/v1/accounts/lakeside/callbacks', {
    url: hostUrl, events: ['message.status'],
  });

  sim.failFor({ provider: 'twilio', status: 500, path: '/Messages.json', durationMs: 3_600_000 });
  texts = await sendMany(testHub, key, 'lakeside', total, `${patient.firstName}, about your scan`);
});

afterAll(async () => {
  await sim?.stop();
  await host?.stop();
});

/** Each text's sends as Twilio saw them, oldest first. */
function sendsByText(): Map<string, RecordedRequest[]> {
  const byText = new Map<string, RecordedRequest[]>();
  for (const request of sim.requests) {
    if (!request.path.endsWith('/Messages.json')) continue;
    const text = String(request.params.Body);
    byText.set(text, [...(byText.get(text) ?? []), request]);
  }
  return byText;
}

describe('Twilio answering 500 for a minute', () => {
  it('retries each send with backoff, then delivers every message once', async () => {
    // The minute is simulated: waited out, it and the backoff after it (the last retry may
    // come 150 s after the first send) would take up to two and a half minutes. The waits are
    // skipped by moving their due time (queue-clock.ts); the outage ends when the simulated
    // minute is up, before any retry due later runs.
    const end = () => {
      sim.clearFaults();
      recovered = new Date();
    };
    await clock.run({ changes: [{ at: outage, apply: end }], slack, timeoutMs: 100_000 });
    expect(await untilSettled(testHub, 30_000)).toEqual({ delivered: total });

    const sends = sendsByText();
    expect(texts.filter((text) => !sends.has(text))).toEqual([]);
    for (const text of texts) {
      const statuses = sends.get(text)!.map((request) => request.status);
      expect(statuses.at(-1)).toBe(201);
      expect(statuses.slice(0, -1).every((status) => status === 500)).toBe(true);
    }
  }, 150_000);

  it('fails sends only while Twilio is down, and waits twice as long after each', () => {
    const retryDelay = testHub.hub.services.config.queue.retryDelaySeconds;
    expect(clock.at(recovered)).toBeGreaterThanOrEqual(outage);
    expect(clock.at(recovered)).toBeLessThan(outage + slack + 5);

    for (const requests of sendsByText().values()) {
      const times = requests.map((request) => new Date(request.time));
      expect(times.slice(0, -1).every((time) => time < recovered)).toBe(true);
      expect(times.at(-1)!.getTime()).toBeGreaterThanOrEqual(recovered.getTime());

      // pg-boss waits the delay times 2^n, plus up to as much again of jitter.
      for (let n = 0; n + 1 < times.length; n += 1) {
        const waited = clock.at(times[n + 1]) - clock.at(times[n]);
        expect(waited).toBeGreaterThanOrEqual(retryDelay * 2 ** n - 0.5);
        expect(waited).toBeLessThanOrEqual(2 * retryDelay * 2 ** n + slack + 1.5);
      }
    }
  });

  it('tells the host of every attempt and of the delivery, each once', async () => {
    const { sql } = testHub.hub.services.database;
    const events = await sql<{ id: string }[]>`
      select id from outbox where account_id = 'lakeside' and type = 'message.status'`;
    const accepted = await eventually(async () => {
      const counts = host.accepted();
      return events.every((event) => counts.has(event.id)) && counts;
    }, 30_000);
    expect([...accepted.values()].filter((times) => times > 1)).toEqual([]);
    expect(accepted.size).toBe(events.length);

    const messages = await sql<{ id: string; attempts: number }[]>`
      select id, attempts from messages`;
    const statuses = host.acceptedStatuses();
    for (const message of messages) {
      const told = statuses.get(message.id)!;
      expect(told.filter((status) => status === 'sending')).toHaveLength(message.attempts);
      expect(told.filter((status) => status !== 'sending').sort())
        .toEqual(['delivered', 'scheduled', 'sent']);
    }
  });

  it('writes no message text, name or address to its logs', () => {
    expect(logLines.length).toBeGreaterThan(1000);
    const known = [...texts, patient.firstName, patient.lastName, patient.phone, patient.email];
    expect(patientDataInLog(logLines, known)).toEqual([]);
  });
});
