import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll } from 'vitest';
import { startHub, type Hub, type HubOptions } from '../../core/hub.ts';
import { freePort } from './config.ts';
import { createTestDatabase, type TestDatabase } from './database.ts';

export const adminKey = 'admin_test_key_0123456789abcdef';

/** One key for every hub of a test process: encrypted columns share the process's keyring. */
export const encryptionKey = 'test:' + Buffer.alloc(32, 7).toString('base64');

/** Every log line of the hubs this test file started, for checking what reaches the logs. */
export const logLines: string[] = [];

/** The run's log folder, scanned for patient data when the whole run ends. */
const logFile = process.env.TEST_LOG_DIR
  ? join(process.env.TEST_LOG_DIR, `${process.pid}.log`)
  : undefined;

const logSink = new Writable({
  write(chunk, _encoding, done) {
    logLines.push(...String(chunk).split('\n').filter(Boolean));
    if (logFile) appendFileSync(logFile, chunk);
    done();
  },
});

export interface TestHub {
  hub: Hub;
  url: string;
  database: TestDatabase;
  /** Calls the API with a bearer key; JSON in, JSON out. */
  api(key: string, method: string, path: string, body?: unknown, headers?: HeadersInit):
    Promise<{ status: number; body: any; headers: Headers }>;
  stop(): Promise<void>;
  /** Starts the hub again on the same database, as a restart would. */
  restart(options?: Partial<HubOptions>): Promise<void>;
}

/**
 * Starts a hub on its own fresh database, on a free port, with the default config and the
 * sandbox providers. It is stopped and its database dropped after the file's tests.
 */
export async function startTestHub(options: Partial<HubOptions> = {}): Promise<TestHub> {
  const database = await createTestDatabase();
  // A fixed port, so that the public URL that providers sign and call back is known up front.
  const port = await freePort();
  const env = (overrides: HubOptions['env']) => ({
    DATABASE_URL: database.url, PORT: String(port), PUBLIC_URL: `http://127.0.0.1:${port}`,
    HUB_ADMIN_KEY: adminKey, HUB_ENCRYPTION_KEY: encryptionKey, LOG_LEVEL: 'debug',
    ...overrides,
  });
  const launch = (more: Partial<HubOptions>) => startHub({
    logDestination: logSink, ...options, ...more, env: env({ ...options.env, ...more.env }),
  });

  let hub = await launch({});
  const testHub: TestHub = {
    get hub() { return hub; },
    get url() { return hub.url!; },
    database,
    api: (key, method, path, body, headers) => callApi(hub.url!, key, method, path, body, headers),
    stop: () => hub.stop(),
    async restart(more = {}) {
      await hub.stop();
      hub = await launch(more);
    },
  };

  afterAll(async () => {
    await hub.stop();
    await database.drop();
  });
  return testHub;
}

async function callApi(
  base: string,
  key: string,
  method: string,
  path: string,
  body?: unknown,
  headers: HeadersInit = {},
) {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${key}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...headers,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  const parsed = text ? JSON.parse(text) : null;
  return { status: response.status, body: parsed, headers: response.headers };
}

/** Polls until `check` returns a value, or fails after `timeoutMs`. */
export async function eventually<T>(
  check: () => Promise<T | undefined | false>,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Equal start and end: no quiet hours, so tests may send at whatever hour they run. */
const anyHour = { start: '00:00', end: '00:00' };

/**
 * Creates an account with a key of its own, through the API. It has no quiet hours unless
 * `settings` gives some.
 */
export async function createAccount(testHub: TestHub, id: string, settings: object = {}) {
  const created = await testHub.api(adminKey, 'POST', '/v1/accounts', {
    id, name: `Practice ${id}`, settings: {
      practiceName: `Practice ${id}`, quietHours: anyHour, ...settings,
    },
  });
  if (created.status !== 201) {
    throw new Error(`account not created: ${JSON.stringify(created.body)}`);
  }

  const issued = await testHub.api(adminKey, 'POST', `/v1/accounts/${id}/keys`, {});
  return { id, key: issued.body.key as string };
}
