import { spawn, type ChildProcess } from 'node:child_process';
import { openSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../core/paths.ts';
import { cpuSeconds, peakRss } from './proc.ts';

export type Role = 'api' | 'worker' | 'all';

export interface HubProcess {
  name: string;
  role: Role;
  pid: number;
  /** The API's URL, or a worker's health and metrics. */
  url: string;
  /** Peak resident memory so far, in MB (VmHWM). */
  peakRssMb(): number;
  /** User and system CPU time so far, in seconds. */
  cpuSeconds(): number;
  stop(): Promise<void>;
}

export interface LaunchSpec {
  name: string;
  role: Role;
  port: number;
  configFile: string;
  env: Record<string, string>;
  logFolder: string;
}

/**
 * The flags `npm start` runs the hub with (see the deploy guide), so memory is measured alike,
 * and any in `BENCH_HUB_NODE_FLAGS`, such as `--cpu-prof --cpu-prof-dir=/tmp/profiles` to see
 * where a hub process spends its time (Node refuses those in NODE_OPTIONS).
 */
const hubNodeFlags = [
  '--max-semi-space-size=16',
  '--heap-growing-percent=50',
  ...(process.env.BENCH_HUB_NODE_FLAGS ?? '').split(' ').filter(Boolean),
];

const startTimeoutMs = 60_000;
const stopTimeoutMs = 20_000;

/** Starts `hub start --role …` as a user would and waits until it says where it listens. */
export async function launchHub(spec: LaunchSpec): Promise<HubProcess> {
  const log = openSync(join(spec.logFolder, `${spec.name}.log`), 'a');
  const child = spawn(process.execPath, [
    ...hubNodeFlags, join(projectRoot, 'bin/hub.ts'),
    'start', '--role', spec.role, '--config', spec.configFile,
  ], {
    cwd: projectRoot,
    env: { ...process.env, ...spec.env, PORT: String(spec.port) },
    stdio: ['ignore', log, 'pipe'],
  });
  closeSync(log);

  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = await announcedUrl(child, spec.name, exited);
  const pid = child.pid!;
  return {
    name: spec.name,
    role: spec.role,
    pid,
    url,
    peakRssMb: () => peakRss(pid),
    cpuSeconds: () => cpuSeconds(pid),
    stop: () => stopChild(child, exited),
  };
}

function announcedUrl(child: ChildProcess, name: string, exited: Promise<void>) {
  let output = '';
  return new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${name} did not start in time:\n${output}`));
    }, startTimeoutMs);
    child.stderr!.on('data', (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-20_000);
      const found = /(?:listening on|metrics on) (http:\/\/\S+)/.exec(output);
      if (!found) return;
      clearTimeout(timer);
      resolve(found[1]);
    });
    exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`${name} exited during start:\n${output}`));
    });
  });
}

async function stopChild(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), stopTimeoutMs);
  await exited;
  clearTimeout(timer);
}
