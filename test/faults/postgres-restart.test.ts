import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../simulator/index.ts';
import {
  createAccount, eventually, logLines, startTestHub, type TestHub,
} from '../support/hub.ts';
import { Host } from './host.ts';
import { startOwnPostgres, type OwnPostgres } from './own-postgres.ts';
import {
  acceptedTexts, patientDataInLog, sendMany, twilioConfig,
} from './support.ts';

const total = 300;
const patient = {
  firstName: 'Rosalind', lastName: 'Okonkwo-Baptiste', phone: '+12025550163',
  email: 'rosalind.okonkwo@example.org',
};

let postgres: OwnPostgres;
let sim: Simulator;
let host: Host;
let testHub: TestHub;
let key: string;
let texts: string[];
/** When each outage ended: jobs the hub held before then are the ones it lost track of. */
const outageEnds: Date[] = [];

beforeAll(async () => {
  postgres = await startOwnPostgres();
  sim = await startSimulator();
  host = new Host();
  const hostUrl = await host.start();

  // A slow sender spreads the sends over about twelve seconds, so the database goes away
  // while some are in flight and most are still to come.
  const configFile = await twilioConfig('postgres-restart.yaml', sim, {
    'channels.sms.rateLimit.segmentsPerSecond': 25,
  });
  // startTestHub also makes a database on the shared server; this hub never uses it.
  testHub = await startTestHub({ configFile, env: { DATABASE_URL: postgres.url } });
  key = (await createAccount(testHub, 'harbor')).key;
  await testHub.api(key, 'PUT', '/v1/accounts/harbor/clients/c-1', {
    ...patient, channel: 'sms',
  });
  const endpoint = await testHub.api(key, 'POST', '/v1/accounts/harbor/callbacks', {
    url: hostUrl, events: ['message.status'],
  });
  expect(endpoint.status).toBe(201);
}, 120_000);

afterAll(async () => {
  await testHub?.stop();
  await sim?.stop();
  await host?.stop();
  await postgres?.stop();
});

async function outage(fault: () => Promise<void>): Promise<void> {
  await fault();
  outageEnds.push(new Date());
}

/** Twilio's message ids for each text, oldest first. */
function sidsByText(): Map<string, string[]> {
  const byText = new Map<string, string[]>();
  for (const { resource } of sim.twilio.messages.messages.values()) {
    byText.set(resource.body, [...(byText.get(resource.body) ?? []), resource.sid]);
  }
  return byText;
}

/** Messages whose `delivered` report the hub had to refuse while its database was away. */
function refusedDeliveries(): Set<string> {
  const refused = sim.webhooks.filter((hook) => hook.kind === 'message-status'
    && (hook.payload as Record<string, string>).MessageStatus === 'delivered'
    && !(hook.status && hook.status < 300));
  return new Set(refused.map((hook) => (hook.payload as Record<string, string>).MessageSid));
}

/**
 * Waits until no message is still to be sent and each one left at `sent` is one whose
 * delivery report the hub refused: Twilio does not retry a status callback answered with an
 * error, so those stay `sent`, as they would in production.
 */
async function untilOutcomesKnown() {
  const { sql } = testHub.hub.services.database;
  return eventually(async () => {
    const rows = await sql<{ status: string; providerId: string | null }[]>`
      select status, provider_id as "providerId" from messages`;
    const refused = refusedDeliveries();
    const open = rows.filter((row) => row.status !== 'delivered'
      && !(row.status === 'sent' && refused.has(row.providerId!)));
    return rows.length === total && open.length === 0 && rows;
  }, 90_000);
}

describe('PostgreSQL restarted, then killed, while the hub is sending', () => {
  it('sends every message once it is back, and stays up', async () => {
    texts = await sendMany(testHub, key, 'harbor', total, `${patient.firstName}, your lab`);

    await eventually(async () => acceptedTexts(sim).size >= total / 4, 60_000);
    await outage(() => postgres.restart(3000));
    await eventually(async () => acceptedTexts(sim).size >= total / 2, 60_000);
    await outage(() => postgres.crash(3000));

    await untilOutcomesKnown();
    const accepted = acceptedTexts(sim);
    expect(texts.filter((text) => !accepted.has(text))).toEqual([]);
    expect((await fetch(`${testHub.url}/readyz`)).status).toBe(200);
  }, 180_000);

  // A send the provider took is recorded through the outage, and a message in `sending`
  // admits only the job that claimed it: no text goes out twice.
  it('sends no message twice', async () => {
    const repeated = [...sidsByText()].filter(([, sids]) => sids.length > 1);
    expect(repeated).toEqual([]);
  });

  it('tells the host every status change once', async () => {
    const { sql } = testHub.hub.services.database;
    const events = await sql<{ id: string }[]>`
      select id from outbox where account_id = 'harbor' and type = 'message.status'`;

    const received = await eventually(async () => {
      const accepted = host.accepted();
      return events.every((event) => accepted.has(event.id)) && accepted;
    }, 60_000);
    expect([...received.values()].filter((times) => times > 1)).toEqual([]);
    expect(received.size).toBe(events.length);
  }, 90_000);

  it('writes no message text, name or address to its logs', () => {
    expect(logLines.length).toBeGreaterThan(1000);
    const known = [...texts, patient.firstName, patient.lastName, patient.phone, patient.email];
    expect(patientDataInLog(logLines, known)).toEqual([]);
  });
});
