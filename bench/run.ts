import { writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { projectRoot } from '../core/paths.ts';
import { fillBacklog } from './backlog.ts';
import { measureBaseline } from './baseline.ts';
import { runBurst, runPaced, type BurstRun, type Stage } from './end-to-end.ts';
import { HttpClient } from './http-client.ts';
import { runInbound } from './inbound.ts';
import { closedLoop, openLoop } from './load.ts';
import { readOptions, type BenchOptions } from './options.ts';
import { createPractices } from './practices.ts';
import { postgresCpuSeconds } from './proc.ts';
import { waitUntilIdle } from './quiet.ts';
import {
  judge, printTable, type AcceptRun, type PacedAccept, type Results,
} from './report.ts';
import { adminKey, openSession, type Session } from './session.ts';
import { latency, perSecond } from './stats.ts';

const say = (line: string) => process.stderr.write(`bench: ${line}\n`);

async function main(argv: string[]): Promise<number> {
  const options = readOptions(argv);
  if (!options) return 0;

  say('starting PostgreSQL database, simulator, host receiver and hub processes');
  const session = await openSession(options);
  say(`hub logs in ${session.logFolder}`);
  let results: Results;
  try {
    results = await measure(session, options);
  } finally {
    await session.close(options.keepDatabase);
  }

  process.stdout.write(`\n${printTable(results)}`);
  const file = join(projectRoot, 'bench/results.json');
  await writeFile(file, `${JSON.stringify(results, null, 2)}\n`);
  say(`results written to ${file}`);
  return 0;
}

async function measure(session: Session, options: BenchOptions): Promise<Results> {
  const { database, sim, receiver } = session;
  say(`baseline: raw pg-boss, ${options.baselineJobs} jobs`);
  const baseline = await measureBaseline(database.url, options.baselineJobs);

  const admin = new HttpClient(session.apis.map((api) => api.url), adminKey, 64);
  say(`creating ${options.accounts} practices with ${options.clientsPerAccount} clients each`);
  const practices = await createPractices(admin, receiver, options.accounts,
    options.clientsPerAccount);
  const stage: Stage = { sim, receiver, client: admin, practices, sql: database.sql,
    nextMessage: 0 };

  say(`accept: ${options.acceptRequests} requests from ${options.acceptClients} clients`);
  const accept = await measureAccept(stage, options);
  say(`accept: ${options.pacedRate} requests/s for ${options.pacedSeconds} s, sent later`);
  const pacedAccept = await measurePacedAccept(stage, options);
  await database.sql`analyze`;

  const cpu: Results['cpu'] = {};
  const burst = async (label: string, run: () => Promise<BurstRun>) => {
    await waitUntilIdle(database.sql);
    say(`${label}: ${options.messages} messages due at once`);
    const before = cpuNow(session);
    const result = await run();
    cpu[label] = cpuSince(session, before);
    say(`${label}: ${result.calledBackPerSecond} callbacks/s, ${result.sentPerSecond} sends/s`);
    return result;
  };
  const e2e = () => runBurst(stage, options.messages, accept.perSecond);

  const oneWorker = await burst('one worker', e2e);
  await session.addWorker();
  const twoWorkers = await burst('two workers', e2e);

  await waitUntilIdle(database.sql);
  say(`paced: ${options.pacedRate} messages/s for ${options.pacedSeconds} s`);
  const paced = await runPaced(stage, options.pacedRate, options.pacedSeconds);

  await waitUntilIdle(database.sql);
  say(`backlog: scheduling ${options.backlog} messages for later`);
  const filled = performance.now();
  await fillBacklog(database.sql, database.url, options.backlog);
  const fillSeconds = Math.round((performance.now() - filled) / 1000);
  const backlog = { ...await burst('with backlog', e2e), rows: options.backlog, fillSeconds };

  await waitUntilIdle(database.sql);
  say(`inbound: ${options.inbound} signed webhooks, ${options.inboundClients} at once`);
  const inbound = await runInbound(sim, receiver, practices, options.inbound,
    options.inboundClients);
  await waitUntilIdle(database.sql);

  const processes = session.started.map((hub) => ({
    name: hub.name, role: hub.role, peakRssMb: hub.peakRssMb(), cpuSeconds: hub.cpuSeconds(),
  }));
  admin.close();
  const partial = {
    date: new Date().toISOString(),
    machine: await machine(database.sql),
    parameters: { ...options, adminUrl: undefined },
    baseline, accept, pacedAccept, paced, oneWorker, twoWorkers, backlog, inbound, processes, cpu,
  };
  return { ...partial, goals: judge(partial) };
}

/**
 * Requests at the paced rate whatever the answers do, for messages due in three days: the
 * accept latency at that rate while the workers have nothing to send.
 */
async function measurePacedAccept(stage: Stage, options: BenchOptions): Promise<PacedAccept> {
  const later = new Date(Date.now() + 3 * 86_400_000);
  const result = await openLoop(stage.client, stage.practices, {
    rate: options.pacedRate, seconds: options.pacedSeconds, sendAt: () => later,
    offset: stage.nextMessage,
  });
  stage.nextMessage += result.accepted.length + result.failures;
  if (result.failures > 0) say(`accept failed: ${result.firstFailure}`);
  return {
    offeredPerSecond: options.pacedRate,
    acceptedPerSecond: perSecond(result.accepted.length, result.elapsedMs),
    latency: latency(result.latencies),
    failures: result.failures,
  };
}

async function measureAccept(stage: Stage, options: BenchOptions): Promise<AcceptRun> {
  const later = new Date(Date.now() + 3 * 86_400_000);
  const result = await closedLoop(stage.client, stage.practices, {
    clients: options.acceptClients, total: options.acceptRequests, sendAt: () => later,
    offset: stage.nextMessage,
  });
  stage.nextMessage += options.acceptRequests;
  if (result.failures > 0) say(`accept failed: ${result.firstFailure}`);
  return {
    requests: options.acceptRequests,
    clients: options.acceptClients,
    perSecond: perSecond(result.accepted.length, result.elapsedMs),
    latency: latency(result.latencies),
    failures: result.failures,
  };
}

function cpuNow(session: Session): Map<string, number> {
  const now = new Map(session.started.map((hub) => [hub.name, hub.cpuSeconds()]));
  const own = process.cpuUsage();
  now.set('bench', (own.user + own.system) / 1e6);
  const postgres = postgresCpuSeconds();
  if (postgres !== undefined) now.set('postgres', postgres);
  return now;
}

function cpuSince(session: Session, before: Map<string, number>): Record<string, number> {
  const after = cpuNow(session);
  return Object.fromEntries([...after].map(([name, seconds]) =>
    [name, Math.round((seconds - (before.get(name) ?? 0)) * 10) / 10]));
}

async function machine(sql: Session['database']['sql']) {
  const [row] = await sql<{ version: string }[]>`
    select current_setting('server_version') as version`;
  return { cpus: availableParallelism(), node: process.version, postgres: row.version };
}

main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (error: unknown) => {
    process.stderr.write(`bench: ${(error as Error).stack ?? String(error)}\n`);
    process.exitCode = 1;
  },
);
