import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { projectRoot } from '../../core/paths.ts';
import { adminKey, encryptionKey } from './hub.ts';

/** The `hub` command, run as a user runs it: `node bin/hub.ts` (or bun). */
export const hubBin = join(projectRoot, 'bin/hub.ts');

export interface HubRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The environment a hub process of a test runs with: its database, port and keys. */
export function hubEnv(databaseUrl: string, more: Record<string, string> = {}) {
  return {
    ...process.env,
    DATABASE_URL: databaseUrl,
    HUB_ADMIN_KEY: adminKey,
    HUB_ENCRYPTION_KEY: encryptionKey,
    LOG_LEVEL: 'warn',
    ...more,
  };
}

/** Runs `hub <args>` to its end. */
export function runHub(
  args: string[],
  env: NodeJS.ProcessEnv = process.env,
  runtime = process.execPath,
): Promise<HubRun> {
  const child = spawn(runtime, [hubBin, ...args], { env, cwd: projectRoot });
  const output = collect(child);

  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, ...output() }));
  });
}

export interface HubProcess {
  url: string;
  child: ChildProcess;
  output(): { stdout: string; stderr: string };
  /** Sends SIGTERM and returns the exit code. */
  stop(): Promise<number | null>;
}

/** Starts `hub start` and returns once it says where it listens. */
export async function startHubProcess(
  args: string[],
  env: NodeJS.ProcessEnv,
  runtime = process.execPath,
): Promise<HubProcess> {
  const child = spawn(runtime, [hubBin, 'start', ...args], { env, cwd: projectRoot });
  const output = collect(child);
  const exited = new Promise<number | null>((resolve) => child.once('close', resolve));

  const url = await new Promise<string>((resolve, reject) => {
    const look = () => {
      const found = /listening on (http:\/\/\S+)/.exec(output().stderr);
      if (found) resolve(found[1]);
    };
    child.stderr!.on('data', look);
    exited.then((code) => reject(new Error(`hub exited with ${code}:\n${output().stderr}`)));
  });

  return {
    url,
    child,
    output,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}

function collect(child: ChildProcess) {
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk) => { stdout += String(chunk); });
  child.stderr!.on('data', (chunk) => { stderr += String(chunk); });
  return () => ({ stdout, stderr });
}
