import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import postgres from 'postgres';
import {
  DataFolderInUseError,
  startEmbeddedPostgres,
  type EmbeddedPostgresServer,
} from '../../core/db/embedded.ts';
import { createLogger } from '../../core/log.ts';
import {
  dropDatabase,
  listTestDatabases,
  replaceDatabase,
  TEST_DATABASE_PREFIX,
} from './database.ts';
import { findPatientDataInLogs } from './log-scan.ts';

/** The machines this project runs on have a PostgreSQL here, trusting local connections. */
const LOCAL_URL = 'postgres://postgres@127.0.0.1:5432/postgres';
const LOCAL_TIMEOUT_SECONDS = 2;

const EMBEDDED_DIR = fileURLToPath(new URL('../../.data/test-postgres', import.meta.url));

// A run killed before its teardown leaves its databases behind; the next run removes those
// older than this, which no run still going can own.
const ABANDONED_AFTER_SECONDS = 24 * 60 * 60;

interface TestServer {
  adminUrl: string;
  embedded?: EmbeddedPostgresServer;
  privateDir?: string;
}

/**
 * Finds the PostgreSQL server the tests use, starting an embedded one if none answers, and
 * hands its maintenance URL to the test workers, which inherit this process's environment.
 */
export default async function setup(): Promise<() => Promise<void>> {
  const server = await findServer();

  // Teardown drops exactly what this run's workers created, even while other runs share the
  // server; the start time in the name lets a later run spot databases a killed run left.
  const runStarted = Math.floor(Date.now() / 1000);
  const runPrefix = `${TEST_DATABASE_PREFIX}${runStarted.toString(36)}_`
    + `${randomBytes(3).toString('hex')}_`;

  process.env.TEST_DATABASE_ADMIN_URL = server.adminUrl;
  process.env.TEST_DATABASE_RUN_PREFIX = runPrefix;
  await dropAbandoned(server.adminUrl, runStarted);

  const logFolder = await mkdtemp(join(tmpdir(), 'hub-test-logs-'));
  process.env.TEST_LOG_DIR = logFolder;

  const dropDatabases = cleanUp(server, runPrefix);
  return async () => {
    await dropDatabases();

    // Every hub of the run wrote its log here; one line with patient data fails the run.
    const findings = await findPatientDataInLogs(logFolder);
    await rm(logFolder, { recursive: true, force: true });
    if (findings.length) {
      // vitest reports an error thrown here but still exits 0, so the exit code is set too.
      process.exitCode = 1;
      throw new Error(`Patient data reached the logs:\n  ${findings.slice(0, 20).join('\n  ')}`);
    }
  };
}

/** Drops this run's databases and stops what the set-up started. */
function cleanUp(server: TestServer, runPrefix: string) {
  return async () => {
    try {
      for (const name of await listTestDatabases(server.adminUrl, runPrefix)) {
        await dropDatabase(server.adminUrl, name);
      }
    } finally {
      await server.embedded?.stop();
      if (server.privateDir) await rm(server.privateDir, { recursive: true, force: true });
    }
  };
}

async function findServer(): Promise<TestServer> {
  const configured = process.env.DATABASE_URL;
  if (configured) {
    await checkAnswers(configured).catch((cause: unknown) => {
      throw new Error('The PostgreSQL server at DATABASE_URL does not answer.', { cause });
    });
    return { adminUrl: configured };
  }

  const local = await checkAnswers(LOCAL_URL, LOCAL_TIMEOUT_SECONDS).then(() => true, () => false);
  if (local) return { adminUrl: LOCAL_URL };

  return startEmbedded();
}

async function checkAnswers(url: string, timeoutSeconds?: number): Promise<void> {
  const sql = postgres(url, { max: 1, connect_timeout: timeoutSeconds, onnotice: () => {} });

  try {
    await sql`select 1`;
  } finally {
    await sql.end({ timeout: 1 });
  }
}

async function startEmbedded(): Promise<TestServer> {
  const log = createLogger({ level: 'warn' });

  try {
    const embedded = await startEmbeddedPostgres({
      dataDir: EMBEDDED_DIR,
      port: await findFreePort(),
      log,
    });
    return { adminUrl: replaceDatabase(embedded.url, 'postgres'), embedded };
  } catch (error) {
    if (!(error instanceof DataFolderInUseError)) throw error;
  }

  // Another test run holds the shared folder; this run gets a throwaway cluster of its own.
  const privateDir = `${EMBEDDED_DIR}-${process.pid}`;
  await rm(privateDir, { recursive: true, force: true });
  const embedded = await startEmbeddedPostgres({
    dataDir: privateDir,
    port: await findFreePort(),
    log,
  });
  return { adminUrl: replaceDatabase(embedded.url, 'postgres'), embedded, privateDir };
}

async function findFreePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve, reject) => {
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', resolve);
  });

  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

async function dropAbandoned(adminUrl: string, now: number): Promise<void> {
  for (const name of await listTestDatabases(adminUrl, TEST_DATABASE_PREFIX)) {
    const started = Number.parseInt(name.slice(TEST_DATABASE_PREFIX.length).split('_')[0], 36);
    if (now - started <= ABANDONED_AFTER_SECONDS) continue;

    // A database another role owns is theirs to remove.
    await dropDatabase(adminUrl, name).catch(() => undefined);
  }
}
