import { chmod, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import path from 'node:path';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmbeddedPostgres } from '../core/db/embedded.ts';
import { StartupError } from '../core/errors.ts';
import { createLogger } from '../core/log.ts';
import { createTestDatabase } from './support/database.ts';

const log = createLogger({ level: 'silent' });
const isRoot = userInfo().uid === 0;

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

async function waitForExit(pid: number): Promise<void> {
  for (;;) {
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function query<T extends object>(url: string, text: string): Promise<T[]> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    return [...(await sql.unsafe<T[]>(text))];
  } finally {
    await sql.end();
  }
}

describe('embedded PostgreSQL', () => {
  let folder: string;

  beforeAll(async () => {
    folder = await mkdtemp(path.join(tmpdir(), 'hub-embedded-'));

    // As root the server runs as the postgres user, which must be able to enter the folder.
    await chmod(folder, 0o755);
  });

  afterAll(async () => {
    await rm(folder, { recursive: true, force: true });
  });

  it('starts, answers queries and keeps its data across restarts', async () => {
    const dataDir = path.join(folder, 'data');
    const first = await startEmbeddedPostgres({ dataDir, port: await freePort(), log });

    expect(first.url).toMatch(/^postgres:\/\/[^@]+@127\.0\.0\.1:\d+\/hub$/);
    await query(first.url, 'create table kept (id int primary key); insert into kept values (7)');
    await first.stop();
    await first.stop();

    const second = await startEmbeddedPostgres({ dataDir, port: await freePort(), log });
    try {
      expect(await query(second.url, 'select id from kept')).toEqual([{ id: 7 }]);
    } finally {
      await second.stop();
    }
  });

  it('starts again after its server was killed, past the stale pid file', async () => {
    const dataDir = path.join(folder, 'killed');
    const killed = await startEmbeddedPostgres({ dataDir, port: await freePort(), log });
    await query(killed.url, 'create table kept (id int primary key); insert into kept values (7)');

    const pidFile = await readFile(path.join(dataDir, 'postmaster.pid'), 'utf8');
    const pid = Number.parseInt(pidFile, 10);
    process.kill(pid, 'SIGKILL');
    await waitForExit(pid);
    await killed.stop();

    const restarted = await startEmbeddedPostgres({ dataDir, port: await freePort(), log });
    try {
      expect(await query(restarted.url, 'select id from kept')).toEqual([{ id: 7 }]);
    } finally {
      await restarted.stop();
    }
  });

  it.runIf(isRoot)('refuses a data folder the postgres user cannot reach', async () => {
    const hidden = path.join(folder, 'hidden');
    await mkdir(hidden, { mode: 0o700 });

    const starting = startEmbeddedPostgres({
      dataDir: path.join(hidden, 'data'),
      port: await freePort(),
      log,
    });
    await expect(starting).rejects.toThrow(StartupError);
  });
});

describe('createTestDatabase', () => {
  it('gives an empty database of its own, which drop removes', async () => {
    const database = await createTestDatabase();
    const name = new URL(database.url).pathname.slice(1);

    const tables = await query(
      database.url,
      "select tablename from pg_tables where schemaname = 'public'",
    );
    expect(tables).toEqual([]);
    expect(name).toMatch(/^hub_test_/);

    await database.drop();
    await database.drop();

    const admin = process.env.TEST_DATABASE_ADMIN_URL ?? '';
    const left = await query(admin, `select 1 from pg_database where datname = '${name}'`);
    expect(left).toEqual([]);
  });
});
