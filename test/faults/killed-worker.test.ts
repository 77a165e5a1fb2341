import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../simulator/index.ts';
import {
  adminKey, createAccount, encryptionKey, eventually, startTestHub, type TestHub,
} from '../support/hub.ts';
import {
  acceptedTexts, kill, sendMany, spawnHub, twilioConfig, untilSettled,
} from './support.ts';

const total = 5000;

let sim: Simulator;
let api: TestHub;
let configFile: string;
let workers: ChildProcess[] = [];

beforeAll(async () => {
  sim = await startSimulator();
  configFile = await twilioConfig('killed-worker.yaml', sim);
  api = await startTestHub({ configFile, role: 'api' });
});

afterAll(async () => {
  await Promise.all(workers.filter((w) => w.exitCode === null).map((w) => kill(w, 'SIGTERM')));
  await sim.stop();
});

function workerEnv() {
  return {
    DATABASE_URL: api.database.url, PORT: '0', PUBLIC_URL: api.url,
    HUB_ADMIN_KEY: adminKey, HUB_ENCRYPTION_KEY: encryptionKey, LOG_LEVEL: 'warn',
  };
}

describe('a worker killed in the middle of dispatching', () => {
  it('leaves nothing lost and nothing sent twice beyond the sends in flight', async () => {
    const account = await createAccount(api, 'steady');
    await api.api(account.key, 'PUT', '/v1/accounts/steady/clients/c-1', {
      firstName: 'Kim', phone: '+12025550181', channel: 'sms',
    });

    workers.push(await spawnHub(configFile, workerEnv(), 'worker'));
    const texts = await sendMany(api, account.key, 'steady', total, 'Visit note');

    await eventually(async () => acceptedTexts(sim).size >= total / 5, 120_000);
    await kill(workers[0], 'SIGKILL');
    const atKill = acceptedTexts(sim).size;
    expect(atKill).toBeLessThan(total);

    workers.push(await spawnHub(configFile, workerEnv(), 'worker'));
    const counts = await untilSettled(api, 240_000);
    expect(counts).toEqual({ delivered: total });

    const accepted = acceptedTexts(sim);
    expect(texts.filter((text) => !accepted.has(text))).toEqual([]);
    const twice = [...accepted.values()].filter((n) => n > 1).length;
    // Only a send the provider took but the killed worker had not yet recorded can repeat:
    // at most one dispatch batch.
    expect(twice).toBeLessThanOrEqual(api.hub.services.config.queue.dispatchBatchSize);

    // Events the killed worker held for relaying are taken up once its hold runs out.
    expect(await eventually(relayIsEmpty, 60_000)).toBe(true);
  }, 400_000);
});

async function relayIsEmpty(): Promise<boolean> {
  const { sql } = api.hub.services.database;
  const [row] = await sql<{ waiting: number }[]>`select count(*)::int as waiting from event_relay`;
  return row.waiting === 0;
}
