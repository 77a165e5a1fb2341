import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../core/paths.ts';
import { freePort } from './support/config.ts';
import { createTestDatabase, type TestDatabase } from './support/database.ts';
import { hubEnv, runHub, startHubProcess, type HubProcess } from './support/hub-process.ts';
import { adminKey, eventually } from './support/hub.ts';

/** Bun comes from npm like the project's Node, as the `bun` package's binary. */
const bun = join(projectRoot, 'node_modules/.bin/bun');
const hasBun = existsSync(bun);

const skipped = 'skipped: node_modules/.bin/bun is missing (the bun package is not installed)';

describe.skipIf(!hasBun)(`the hub under Bun${hasBun ? '' : ` (${skipped})`}`, {
  timeout: 90_000,
}, () => {
  let database: TestDatabase;
  let hub: HubProcess;

  afterAll(async () => {
    await hub?.stop();
    await database?.drop();
  });

  it('starts, serves the API and sends a message', async () => {
    database = await createTestDatabase();
    const port = await freePort();
    const env = hubEnv(database.url, {
      PORT: String(port), PUBLIC_URL: `http://127.0.0.1:${port}`,
    });
    hub = await startHubProcess([], env, bun);

    const call = (method: string, path: string, key: string, body?: object) =>
      fetch(`${hub.url}${path}`, {
        method,
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: body && JSON.stringify(body),
      });
    const created = await call('POST', '/v1/accounts', adminKey, {
      id: 'riverside', name: 'Riverside Clinic',
      settings: { quietHours: { start: '00:00', end: '23:59' } },
    });
    expect(created.status).toBe(201);

    const sent = await runHub(['send', '--account', 'riverside', '--to', '+12025550123',
      '--text', 'Sent from Bun'], env, bun);
    expect(sent.stdout).toContain('  delivered\n');
    expect(sent.code).toBe(0);

    const metrics = await (await fetch(`${hub.url}/metrics`)).text();
    expect(metrics).toMatch(/hub_messages_total\{[^}]*status="delivered"[^}]*\} 1/);
  });

  it('stops cleanly', async () => {
    expect(await hub.stop()).toBe(0);
    await eventually(async () => hub.child.exitCode !== null);
  });
});
