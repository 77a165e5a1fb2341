import { spawn, type ChildProcess } from 'node:child_process';
import { expect } from 'vitest';
import { projectRoot } from '../../core/paths.ts';
import type { Simulator } from '../simulator/index.ts';
import { defaultCredentials } from '../simulator/index.ts';
import { writeConfig } from '../support/config.ts';
import { eventually, type TestHub } from '../support/hub.ts';
import { patientDataKinds, shape } from '../support/log-scan.ts';

/**
 * A config that sends SMS through the simulator, quickly and without quiet hours. The API's
 * per-key rate limit is off: these tests send thousands of messages as fast as the hub takes
 * them, and a 429 would say nothing about what they prove.
 */
export function twilioConfig(name: string, sim: Simulator, more: Record<string, unknown> = {}) {
  const { accountSid, authToken } = defaultCredentials.twilio;
  return writeConfig(name, {
    'channels.sms.provider': 'twilio',
    'channels.sms.accountSid': accountSid,
    'channels.sms.authToken': authToken,
    'channels.sms.baseUrl': sim.url,
    'channels.sms.from': '+12025550199',
    'channels.sms.rateLimit.segmentsPerSecond': 100_000,
    'server.rateLimit.requestsPerSecond': 0,
    'queue.retryDelaySeconds': 1,
    'queue.pollingIntervalSeconds': 0.5,
    'defaults.account.quietHours.start': '00:00',
    'defaults.account.quietHours.end': '23:59',
    ...more,
  });
}

/** How many times the simulator accepted each text, by text. */
export function acceptedTexts(sim: Simulator): Map<string, number> {
  const counts = new Map<string, number>();
  for (const request of sim.requests) {
    if (!request.path.endsWith('/Messages.json') || request.status !== 201) continue;
    const body = String(request.params.Body);
    counts.set(body, (counts.get(body) ?? 0) + 1);
  }
  return counts;
}

/** Sends `count` texts to one client, `concurrency` requests at a time; returns the texts. */
export async function sendMany(testHub: TestHub, key: string, account: string, count: number,
  prefix: string, concurrency = 16): Promise<string[]> {
  const texts = Array.from({ length: count }, (_, i) => `${prefix} ${i}`);
  let next = 0;
  const sender = async () => {
    while (next < texts.length) {
      const text = texts[next++];
      const { status } = await testHub.api(key, 'POST', `/v1/accounts/${account}/messages`, {
        recipient: { type: 'client', ref: 'c-1' }, text,
      });
      expect(status).toBe(202);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, sender));
  return texts;
}

/** Waits until every message of the account has a final status, and returns the counts. */
export async function untilSettled(testHub: TestHub, timeoutMs: number) {
  const { sql } = testHub.hub.services.database;
  return eventually(async () => {
    const rows = await sql<{ status: string; count: number }[]>`
      select status, count(*)::int as count from messages group by status`;
    const counts = Object.fromEntries(rows.map((row) => [row.status, row.count]));
    const pending = ['scheduled', 'held', 'sending', 'sent'].some((status) => counts[status]);
    return !pending && counts;
  }, timeoutMs);
}

/** A hub process of its own (a worker), as an operator would run it. */
export async function spawnHub(configFile: string, env: Record<string, string>, role: string) {
  const child = spawn(process.execPath,
    ['bin/hub.ts', 'start', '--role', role, '--config', configFile],
    { cwd: projectRoot, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });

  await new Promise<void>((resolve, reject) => {
    let output = '';
    // The command line announces a started hub on standard error, whatever the log level.
    child.stderr!.on('data', (chunk: Buffer) => {
      output += String(chunk);
      if (/Messaging hub (worker running|listening)/.test(output)) resolve();
    });
    child.stdout!.on('data', () => {});
    child.once('exit', (code) => reject(new Error(`hub exited with ${code}: ${output}`)));
  });
  return child;
}

/** Signals a hub process and waits until it has exited; one that has exited is left alone. */
export function kill(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill(signal);
  });
}

/**
 * What in the hub's log lines shows patient data: one of the `known` texts, names, numbers
 * and addresses a test sent, or anything shaped like a phone number or an email address.
 * Each finding names its line's message and keys, never the data itself.
 */
export function patientDataInLog(lines: readonly string[], known: readonly string[]) {
  const findings: string[] = [];
  lines.forEach((line, index) => {
    const kinds = patientDataKinds(line);
    if (known.some((secret) => line.includes(secret))) kinds.push('known patient datum');
    for (const kind of kinds) findings.push(`line ${index + 1} holds a ${kind}: ${shape(line)}`);
  });
  return findings;
}
