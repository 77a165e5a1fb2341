import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSimulator, type Simulator } from '../test/simulator/index.ts';
import { freePort, writeConfig } from '../test/support/config.ts';
import { createBenchDatabase, type BenchDatabase } from './bench-database.ts';
import { HostReceiver } from './host-receiver.ts';
import { launchHub, type HubProcess, type Role } from './hub-processes.ts';
import type { BenchOptions } from './options.ts';

export const adminKey = 'admin_bench_key_0123456789abcdef';
const encryptionKey = 'bench:' + Buffer.alloc(32, 9).toString('base64');

/** Everything one bench run starts, and stops again at its end. */
export interface Session {
  database: BenchDatabase;
  sim: Simulator;
  receiver: HostReceiver;
  /** The API processes; providers' webhooks go to the first, which the public URL names. */
  apis: HubProcess[];
  workers: HubProcess[];
  /** Starts one more worker process. */
  addWorker(): Promise<HubProcess>;
  /** Every hub process started, stopped or not, for the memory figures. */
  started: HubProcess[];
  logFolder: string;
  close(keepDatabase: boolean): Promise<void>;
}

/**
 * Starts the provider simulator and the host receiver in this process, and the hub as child
 * processes on a fresh database: one API process and one worker to begin with.
 */
export async function openSession(options: BenchOptions): Promise<Session> {
  const logFolder = await mkdtemp(join(tmpdir(), 'hub-bench-'));
  const database = await createBenchDatabase(options.adminUrl);
  const sim = await startSimulator({ recordRequests: false });
  const receiver = new HostReceiver();
  await receiver.start();

  const configFile = await benchConfig(sim);
  const apiPort = await freePort();
  const publicUrl = `http://127.0.0.1:${apiPort}`;
  const env = {
    DATABASE_URL: database.url, PUBLIC_URL: publicUrl, HUB_HOST: '127.0.0.1',
    HUB_ADMIN_KEY: adminKey, HUB_ENCRYPTION_KEY: encryptionKey, LOG_LEVEL: options.logLevel,
  };
  const started: HubProcess[] = [];
  const launch = async (name: string, role: Role, port: number) => {
    const hub = await launchHub({ name, role, port, configFile, env, logFolder });
    started.push(hub);
    return hub;
  };

  const apis: HubProcess[] = [];
  for (let index = 0; index < options.apiProcesses; index += 1) {
    const name = options.apiProcesses === 1 ? 'api' : `api-${index + 1}`;
    apis.push(await launch(name, 'api', index === 0 ? apiPort : await freePort()));
  }
  sim.setWebhookUrls({ twilioInboundSms: `${publicUrl}/webhooks/twilio/sms/inbound` });
  const workers = [await launch('worker-1', 'worker', await freePort())];

  return {
    database, sim, receiver, apis, workers, started, logFolder,
    async addWorker() {
      const worker = await launch(`worker-${workers.length + 1}`, 'worker', await freePort());
      workers.push(worker);
      return worker;
    },
    async close(keepDatabase) {
      await Promise.all(started.map((hub) => hub.stop()));
      await sim.stop();
      await receiver.stop();
      if (keepDatabase) await database.sql.end({ timeout: 5 });
      else await database.drop();
    },
  };
}

/**
 * The default config with Twilio SMS pointed at the simulator. No limit per API key and a
 * high per-sender rate, so neither throttles the bench: they are the host's and the
 * carrier's limits, not the hub's speed.
 */
function benchConfig(sim: Simulator): Promise<string> {
  const { accountSid, authToken } = sim.credentials.twilio;
  return writeConfig('bench.yaml', {
    'channels.sms.provider': 'twilio',
    'channels.sms.accountSid': accountSid,
    'channels.sms.authToken': authToken,
    'channels.sms.baseUrl': sim.url,
    'channels.sms.rateLimit.segmentsPerSecond': 10_000,
    'server.rateLimit.requestsPerSecond': 0,
  });
}
