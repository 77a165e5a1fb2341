import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, writeConfig } from './support/config.ts';
import { createTestDatabase, type TestDatabase } from './support/database.ts';
import {
  hubEnv, runHub, startHubProcess, type HubProcess,
} from './support/hub-process.ts';
import { adminKey, encryptionKey, eventually } from './support/hub.ts';
import { templateFolder } from './support/templates.ts';

const greetingPlugin = './test/fixtures/plugins/greeting';

// Each test runs the hub as a new process, which loads it from scratch.
const processes = { timeout: 90_000 };

let configFile: string;

/** A template folder of its own, so each test can break or change a copy. */
async function copyTemplates(): Promise<string> {
  return templateFolder({
    defaults: 'consent',
    fixture: 'test/fixtures/plugin-templates',
    files: { 'adhoc/note.sms.hbs': 'Note for {{recipient.firstName}}\n' },
  });
}

async function configWith(name: string, dir: string, more: Record<string, unknown> = {}) {
  return writeConfig(name, {
    'plugins.triggers': ['adhoc', greetingPlugin], 'templates.dir': dir, ...more,
  });
}

beforeAll(async () => {
  configFile = await configWith('cli.yaml', await copyTemplates());
});

describe('hub help', processes, () => {
  it('lists the commands, and every command has its own help', async () => {
    const overview = await runHub(['help']);
    expect(overview.code).toBe(0);

    const names = [...overview.stdout.matchAll(/^ {2}([a-z]+) {2,}/gm)].map((match) => match[1]);
    expect(names).toEqual(expect.arrayContaining(
      ['start', 'check', 'preview', 'send', 'migrate', 'reencrypt', 'keys', 'accounts'],
    ));
    const commands = names.filter((command) => command !== 'help');
    const helps = await Promise.all(commands.map((name) => runHub([name, '--help'])));
    helps.forEach((help, index) => {
      expect(help.code).toBe(0);
      expect(help.stdout).toMatch(new RegExp(`^Usage: hub ${commands[index]}`));
    });
  });

  it('answers a mistake with one clear line and exit code 2', async () => {
    const unknown = await runHub(['sned']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toBe('hub: unknown command "sned"; run hub help to list them\n');

    const badOption = await runHub(['check', '--confgi', 'x.yaml']);
    expect(badOption.code).toBe(2);
    expect(badOption.stderr).toBe('hub: unknown option --confgi; see hub check --help\n');

    const missing = await runHub(['send', '--text', 'hello', '--to', '+12025550123']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe('hub: --account is required\n');
  });
});

describe('hub check', processes, () => {
  it('passes a valid configuration and its templates', async () => {
    const { code, stdout } = await runHub(['check', '--config', configFile]);
    expect(stdout).toContain('the configuration and its plugins are valid');
    expect(stdout).toContain('16 files load; 7 templates the hub needs render in en, es');
    expect(code).toBe(0);
  });

  it('names the file and line of every broken template and exits non-zero', async () => {
    const dir = await copyTemplates();
    await writeFile(join(dir, 'greeting/hello.sms.hbs'), 'Hi {{recipient.firstName}},\n' +
      'see you in {{visit.room}}.\n');
    await writeFile(join(dir, 'adhoc/note.sms.hbs'), 'Hello\n{{#if recipient.firstName}}\n');
    await writeFile(join(dir, 'greeting/hello.sms.es.hbs'), 'Hola {{recipient.firstName}}\n');
    const broken = await configWith('broken-templates.yaml', dir);

    const { code, stdout } = await runHub(['check', '--config', broken]);
    expect(stdout).toContain(`${join(dir, 'greeting/hello.sms.hbs')}:2: "visit.room" not defined`);
    expect(stdout).toMatch(new RegExp(`${join(dir, 'adhoc/note.sms.hbs')}:\\d: syntax error`));
    expect(stdout).toContain('2 problems found.');
    expect(code).toBe(1);
  });

  it('lists every problem of the config file with its line and setting', async () => {
    const broken = await writeConfig('broken-config.yaml', {
      'server.port': 'eighty', 'queue.retryLimit': -1,
    });

    const { code, stdout } = await runHub(['check', '--config', broken]);
    expect(stdout).toMatch(/broken-config\.yaml:\d+:\d+ server\.port: Expected/);
    expect(stdout).toMatch(/broken-config\.yaml:\d+:\d+ queue\.retryLimit: /);
    expect(stdout).toContain('2 problems found; the templates were not checked.');
    expect(code).toBe(1);
  });
});

describe('hub preview', processes, () => {
  it('prints the rendered SMS with its segment count', async () => {
    const { code, stdout } = await runHub(
      ['preview', 'greeting/hello/sms', '--config', configFile],
    );
    expect(stdout).toContain('Hi Alex, see you at Main Street. Riverside Clinic\n');
    expect(stdout).toContain('sms: 49 characters, 1 segment');
    expect(code).toBe(0);
  });

  it('renders with data from a file, in the language asked for, with its cost', async () => {
    const dir = await copyTemplates();
    await writeFile(join(dir, 'greeting/hello.sms.es.hbs'),
      'Hola {{recipient.firstName}}, le esperamos en {{visit.place}}. ¿Vendrá?\n');
    const dataFile = join(dir, 'visit.json');
    const place = 'the clinic on the corner of Main Street and Second Avenue, third floor';
    await writeFile(dataFile, JSON.stringify({ visit: { place } }));
    const priced = await configWith('priced.yaml', dir, { 'prices.sms.perSegment': 4 });

    const { code, stdout } = await runHub(['preview', 'greeting/hello/sms', '--lang', 'es',
      '--data', dataFile, '--config', priced]);
    expect(stdout).toContain('hello.sms.es.hbs (es)');
    expect(stdout).toContain(`Hola Alex, le esperamos en ${place}. ¿Vendrá?`);
    // "¿" is outside GSM-7, so the text goes as UCS-2: 67 characters a segment.
    expect(stdout).toContain('sms: 107 characters, 2 segments, cost 8 (2 × 4, in minor units');
    expect(code).toBe(0);
  });

  it('says in one line what a template lacks', async () => {
    const { code, stderr } = await runHub(['preview', 'greeting/hello/email', '--config',
      configFile]);
    expect(stderr).toBe('hub: No hello template for greeting by email.\n');
    expect(code).toBe(2);
  });
});

describe('the hub and its database commands', processes, () => {
  let database: TestDatabase;
  let hub: HubProcess;
  let env: NodeJS.ProcessEnv;
  let running: string;

  let dir: string;

  beforeAll(async () => {
    dir = await copyTemplates();
    running = await configWith('running.yaml', dir);
    database = await createTestDatabase();
    const port = await freePort();
    env = hubEnv(database.url, { PORT: String(port), PUBLIC_URL: `http://127.0.0.1:${port}` });

    const migrated = await runHub(['migrate', '--config', running], env);
    expect(migrated.stdout).toBe('The database and the job queue are up to date.\n');

    hub = await startHubProcess(['--config', running], env);
    const created = await fetch(`${hub.url}/v1/accounts`, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
      // Quiet hours would hold a text sent at night until the morning.
      body: JSON.stringify({
        id: 'riverside', name: 'Riverside Clinic',
        settings: { quietHours: { start: '00:00', end: '23:59' } },
      }),
    });
    expect(created.status).toBe(201);
  });

  afterAll(async () => {
    await hub?.stop();
    await database?.drop();
  });

  it('lists the accounts', async () => {
    const { code, stdout } = await runHub(['accounts', 'list', '--config', running], env);
    const [header, row] = stdout.split('\n');
    expect(header).toBe('ID         NAME              MESSAGING  CREATED');
    expect(row).toMatch(/^riverside  Riverside Clinic  on         \d{4}-\d\d-\d\d$/);
    expect(code).toBe(0);
  });

  it('issues a key that opens the account', async () => {
    const { code, stdout, stderr } = await runHub(
      ['keys', 'create', '--account', 'riverside', '--label', 'cli test', '--config', running],
      env,
    );
    expect(code).toBe(0);
    expect(stderr).toContain('not shown again');

    const key = stdout.trim();
    const response = await fetch(`${hub.url}/v1/accounts/riverside`, {
      headers: { authorization: `Bearer ${key}` },
    });
    expect(response.status).toBe(200);

    const unknown = await runHub(['keys', 'create', '--account', 'nobody', '--config',
      running], env);
    expect(unknown.stderr).toBe('hub: no account "nobody"\n');
    expect(unknown.code).toBe(2);
  });

  it('sends a test message through the running hub and follows it to delivery', async () => {
    const { code, stdout } = await runHub(['send', '--account', 'riverside',
      '--to', '+1 202 555 0123', '--text', 'Testing the hub', '--config', running], env);

    expect(stdout).toMatch(/^Message [0-9a-f-]{36} queued for client cli-\S+ by sms\.\n/);
    expect(stdout).toContain('  scheduled\n');
    expect(stdout).toContain('  delivered\n');
    expect(code).toBe(0);
  });

  it('refuses an address the channel cannot use', async () => {
    const { code, stderr } = await runHub(['send', '--account', 'riverside',
      '--to', 'not a number', '--text', 'Testing', '--config', running], env);
    expect(stderr).toMatch(/^hub: --to: .+\n$/);
    expect(code).toBe(2);
  });

  it('reloads its templates on SIGHUP and refuses a broken version', async () => {
    await writeFile(join(dir, 'greeting/hello.sms.hbs'), 'Hi {{visit.room}}\n');
    hub.child.kill('SIGHUP');
    await eventually(async () => hub.output().stderr.includes('reload refused'));
    expect(hub.output().stderr).toContain('greeting/hello.sms.hbs:1: "visit.room" not defined');

    await writeFile(join(dir, 'greeting/hello.sms.hbs'),
      'Hi {{recipient.firstName}}, see you at {{visit.place}}.\n');
    hub.child.kill('SIGHUP');
    await eventually(async () => hub.output().stderr.includes('reloaded the config'));
  });

  it('stops cleanly on SIGTERM', async () => {
    expect(await hub.stop()).toBe(0);
  });

  it('moves the stored data to a new key, after which the old one is not needed', async () => {
    const newKey = `next:${Buffer.alloc(32, 7).toString('base64')}`;
    const rotated = { HUB_ENCRYPTION_KEY: newKey, HUB_PREVIOUS_ENCRYPTION_KEY: encryptionKey };
    const { code, stdout } = await runHub(['reencrypt', '--config', running],
      { ...env, ...rotated });
    expect(stdout).toMatch(/^[1-9]\d* rows re-encrypted; everything is under key "next"\.\n$/);
    expect(code).toBe(0);

    const sql = postgres(database.url, { max: 1, onnotice: () => {} });
    try {
      const [{ old }] = await sql<{ old: number }[]>`
        select (select count(*) from messages where content not like 'enc1:next:%')
             + (select count(*) from recipients where phone not like 'enc1:next:%') as old`;
      expect(Number(old)).toBe(0);
    } finally {
      await sql.end();
    }

    const newOnly = await runHub(['accounts', 'list', '--config', running],
      { ...env, HUB_ENCRYPTION_KEY: newKey });
    expect(newOnly.code).toBe(0);
    const oldOnly = await runHub(['accounts', 'list', '--config', running], env);
    expect(oldOnly.stderr).toContain('encrypted under keys that are not configured');
    expect(oldOnly.code).toBe(2);
  });
});

describe('hub docs', processes, () => {
  it('keeps the configuration and template references in docs/ up to date', async () => {
    const { code, stdout } = await runHub(['docs', '--check']);
    expect(stdout).toBe('Up to date.\n');
    expect(code).toBe(0);
  });
});
