import { execFile } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPostgres } from '../core/db/connection-url.ts';
import { startHub } from '../core/hub.ts';
import { projectRoot } from '../core/paths.ts';
import { writeConfig } from './support/config.ts';
import { createTestDatabase, type TestDatabase } from './support/database.ts';
import { templateFolder } from './support/templates.ts';
import {
  adminKey, createAccount, encryptionKey, eventually, logLines, startTestHub,
} from './support/hub.ts';

const run = promisify(execFile);
let folder: string;
let database: TestDatabase;

beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'hub-config-'));
  database = await createTestDatabase();
});

afterAll(() => database.drop());

const env = () => ({
  DATABASE_URL: database.url, PORT: '0', HUB_ADMIN_KEY: adminKey,
  HUB_ENCRYPTION_KEY: encryptionKey,
});

describe('plugins', () => {
  it('loads a trigger plugin from a folder outside core and sends its messages', async () => {
    const configFile = await writeConfig('outside-plugin.yaml', {
      'plugins.triggers': ['adhoc', './test/fixtures/plugins/greeting'],
      'templates.dir': await templateFolder({
        defaults: 'consent', fixture: 'test/fixtures/plugin-templates',
      }),
    });
    const testHub = await startTestHub({ configFile });
    const account = await createAccount(testHub, 'greeters');
    await testHub.api(account.key, 'PUT', '/v1/accounts/greeters/clients/c-9', {
      firstName: 'Ada', phone: '+12025550190',
    });

    const planned = await testHub.api(account.key, 'POST', '/v1/accounts/greeters/greetings', {
      clientRef: 'c-9', place: 'Room 4',
    });
    expect(planned.status).toBe(202);

    const message = await eventually(async () => {
      const { body } = await testHub.api(account.key, 'GET',
        `/v1/accounts/greeters/messages/${planned.body.id}`);
      return body.status === 'delivered' && body;
    });
    expect(message.content.text).toBe('Hi Ada, see you at Room 4. Practice greeters');
  });

  it('refuses to start when a template needs a variable its trigger does not give', async () => {
    const configFile = await writeConfig('broken-template.yaml', {
      'plugins.triggers': ['adhoc', './test/fixtures/plugins/greeting'],
      'templates.dir': await templateFolder({
        defaults: 'consent', fixture: 'test/fixtures/plugin-templates-broken',
      }),
    });
    const logDestination = { write: (line: string) => logLines.push(line) };

    const start = startHub({ configFile, env: env(), logDestination });
    await expect(start).rejects.toThrow(/hello\.sms\.hbs.*visit\.room|visit\.room.*hello\.sms/s);
  });

  it('names the plugin and the setting of a misconfigured plugin', async () => {
    const configFile = await writeConfig('bad-plugin.yaml', { 'channels.sms.region': 'mars' });
    const logDestination = { write: (line: string) => logLines.push(line) };

    const start = startHub({ configFile, env: env(), logDestination });
    await expect(start).rejects.toThrow(/channel plugin "sms".*bad-plugin\.yaml:\d+:\d+.*region/s);
  });
});

describe('the command line', () => {
  it('prints the file, line, column and setting of a config error, and exits with 2', async () => {
    const file = join(folder, 'bad.yaml');
    await writeFile(file, 'server:\n  port: lots\nlogging:\n  level: chatty\n');

    const failure = await run(process.execPath, ['bin/hub.ts', 'start', '--config', file], {
      cwd: projectRoot, env: { ...process.env, DATABASE_URL: database.url },
    }).catch((error: { code: number; stderr: string }) => error);

    expect(failure).toMatchObject({ code: 2 });
    const { stderr } = failure as { stderr: string };
    expect(stderr).toContain(`${file}:2:9 server.port`);
    expect(stderr).toContain(`${file}:4:10 logging.level`);
  });
});

describe('the database connection', () => {
  it('reaches PostgreSQL through a Unix socket named as libpq names one', async (context) => {
    const socket = await socketOf(database.url);
    if (!socket) return context.skip('this PostgreSQL listens on no Unix socket');

    const url = new URL(database.url);
    url.hostname = 'localhost';
    url.port = socket.port;
    url.searchParams.set('host', socket.directory);

    const testHub = await startTestHub({ env: { DATABASE_URL: url.toString() } });
    const account = await createAccount(testHub, 'socketed');
    await testHub.api(account.key, 'PUT', '/v1/accounts/socketed/clients/c-1', {
      firstName: 'Ada', phone: '+12025550191',
    });
    const accepted = await testHub.api(account.key, 'POST', '/v1/accounts/socketed/messages', {
      recipient: { type: 'client', ref: 'c-1' }, text: 'Hello over the socket',
    });

    await eventually(async () => {
      const { body } = await testHub.api(account.key, 'GET',
        `/v1/accounts/socketed/messages/${accepted.body.id}`);
      return body.status === 'delivered';
    });

    // Both the hub's own pool and the queue's: a connection over a socket has no address.
    const sql = openPostgres(database.url, { max: 1 });
    const connections = await sql<{ application: string; address: string | null }[]>`
      select application_name as application, client_addr::text as address
        from pg_stat_activity
       where datname = ${url.pathname.slice(1)} and pid <> pg_backend_pid()`;
    await sql.end();
    await testHub.stop();

    expect(new Set(connections.map((row) => row.application))).toEqual(
      new Set(['messaging-hub', 'messaging-hub-queue']));
    expect(connections.filter((row) => row.address !== null)).toEqual([]);
  });
});

/** Where the server behind `url` listens for local connections, when it does. */
async function socketOf(url: string) {
  const sql = openPostgres(url, { max: 1 });
  const [row] = await sql<{ directories: string; port: string }[]>`
    select current_setting('unix_socket_directories') as directories,
           current_setting('port') as port`;
  await sql.end();
  const directory = row.directories.split(',')[0].trim();
  return directory ? { directory, port: row.port } : undefined;
}
