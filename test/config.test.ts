import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { configJsonSchemaFile, renderConfigJsonSchema } from '../core/config/json-schema.ts';
import { ConfigError, loadConfig, type ConfigProblem } from '../core/config/load.ts';

const folder = mkdtempSync(join(tmpdir(), 'hub-config-'));
let written = 0;

afterAll(() => rmSync(folder, { recursive: true, force: true }));

/** Writes a config file from its lines, so a test can name the line of each setting. */
function configFile(...lines: string[]): string {
  written += 1;
  const file = join(folder, `hub-${written}.yaml`);
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

function problemsOf(load: () => unknown): ConfigProblem[] {
  try {
    load();
  } catch (error) {
    if (error instanceof ConfigError) return [...error.problems];
    throw error;
  }
  throw new Error('Expected a ConfigError');
}

function errorOf(load: () => unknown): ConfigError {
  try {
    load();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('Expected a ConfigError');
}

describe('the default config/hub.yaml', () => {
  it('loads with no environment at all, every channel on the sandbox', () => {
    const { config } = loadConfig('config/hub.yaml', {});

    expect(config.server).toMatchObject({ host: '127.0.0.1', port: 3000, role: 'all' });
    expect(config.database.url).toBeUndefined();
    expect(config.security.adminKey).toBeUndefined();
    expect(config.plugins.channels).toEqual(['sms', 'voice', 'email', 'efax']);
    for (const channel of config.plugins.channels) {
      expect(config.channels[channel]?.provider).toBe('sandbox');
    }
    expect(config.defaults.account.quietHours).toEqual({ start: '08:00', end: '21:00' });
  });

  it('takes the port, database and admin key from the environment', () => {
    const env = {
      PORT: '4100',
      DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/hub',
      HUB_ADMIN_KEY: 'admin-key-from-env',
      LOG_PRETTY: 'true',
    };

    const { config } = loadConfig('config/hub.yaml', env);

    expect(config.server.port).toBe(4100);
    expect(config.database.url).toBe(env.DATABASE_URL);
    expect(config.security.adminKey).toBe('admin-key-from-env');
    expect(config.logging.pretty).toBe(true);
  });
});

describe('loadConfig', () => {
  it('fills every setting with its default from an empty file', () => {
    const { config, file } = loadConfig(configFile('# nothing set'), {});

    expect(file).toMatch(/hub-\d+\.yaml$/);
    expect(config.server.bodyLimitBytes).toBe(1024 * 1024);
    expect(config.database.embedded).toEqual({ dataDir: '.data/postgres', port: 54329 });
    expect(config.queue).toMatchObject({ schema: 'pgboss', retryLimit: 5, retryBackoff: true });
    expect(config.logging).toEqual({ level: 'info', pretty: false });
    expect(config.plugins.triggers).toEqual(['adhoc']);
    expect(config.channels).toEqual({});
    expect(config.templates).toEqual({
      dir: 'templates',
      defaultLanguage: 'en',
      languages: ['en', 'es'],
    });
    expect(config.defaults.account.timeZone).toBe('America/New_York');
    expect(config.accounts).toBeUndefined();
  });

  it('treats a section with no value as not set', () => {
    const { config } = loadConfig(configFile('server:', 'logging:', '  level:'), {});

    expect(config.server.port).toBe(3000);
    expect(config.logging.level).toBe('info');
  });

  it('replaces ${VAR} and ${VAR:-default} in strings, and $${ writes a literal ${', () => {
    const file = configFile(
      'server:',
      '  host: ${BIND}',
      '  publicUrl: https://${DOMAIN}:${TLS_PORT:-8443}/hub',
      '  port: ${UNSET_PORT:-3100}',
      'channels:',
      '  sms:',
      '    from: ${EMPTY:-+15555550100}',
      '    note: costs $${AMOUNT} per $5',
    );

    const { config } = loadConfig(file, { BIND: '0.0.0.0', DOMAIN: 'hub.example.org', EMPTY: '' });

    expect(config.server.host).toBe('0.0.0.0');
    expect(config.server.publicUrl).toBe('https://hub.example.org:8443/hub');
    expect(config.server.port).toBe(3100);
    expect(config.channels.sms).toEqual({
      provider: 'sandbox',
      from: '+15555550100',
      note: 'costs ${AMOUNT} per $5',
    });
  });

  it('names an unset variable, its file, line and setting, and nothing else there', () => {
    const file = configFile('server:', '  port: 3000', 'database:', '  url: ${DB_URL}');

    const error = errorOf(() => loadConfig(file, {}));

    expect(error.problems).toEqual([{
      file,
      line: 4,
      column: 8,
      path: 'database.url',
      message: 'Environment variable DB_URL is not set',
    }]);
    expect(error.message).toContain(`${file}:4:8 database.url: Environment variable DB_URL`);
  });

  it('reports a malformed or unclosed reference', () => {
    const file = configFile('server:', '  host: ${1BAD}', '  publicUrl: http://${HOST');

    const problems = problemsOf(() => loadConfig(file, {}));

    expect(problems.map((problem) => [problem.line, problem.path])).toEqual([
      [2, 'server.host'],
      [3, 'server.publicUrl'],
    ]);
    expect(problems[0].message).toContain('${1BAD}');
    expect(problems[1].message).toContain('never closed');
  });

  it('prints file, line, column and setting for a wrong value', () => {
    const file = configFile('# the HTTP server', 'server:', '  host: 127.0.0.1', '  port: abc');

    const error = errorOf(() => loadConfig(file, {}));

    expect(error.message).toContain(`${file}:4:9 server.port: Expected number, received "abc"`);
    expect(error.problems).toHaveLength(1);
  });

  it('reports every problem at once, in the order of the file', () => {
    const file = configFile(
      'server:',
      '  port: 70000',
      '  role: everything',
      'logging:',
      '  level: loud',
      'defaults:',
      '  account:',
      '    timeZone: Mars/Olympus_Mons',
      '    quietHours:',
      '      start: "8am"',
      'accounts:',
      '  - id: riverside',
      '    name: Riverside Clinic',
      '  - id: riverside',
      '    name: Riverside again',
    );

    const problems = problemsOf(() => loadConfig(file, {}));

    expect(problems.map(({ line, column, path }) => `${line}:${column} ${path}`)).toEqual([
      '2:9 server.port',
      '3:9 server.role',
      '5:10 logging.level',
      '8:15 defaults.account.timeZone',
      '10:14 defaults.account.quietHours.start',
      '14:9 accounts[1].id',
    ]);
    expect(problems[1].message)
      .toBe('Expected one of "api", "worker", "all", received "everything"');
    expect(problems[5].message).toContain('declared twice');
  });

  it('reports YAML syntax errors along with the schema errors', () => {
    const file = configFile('server:', '  port: abc', '  port: 3001', 'logging: [info');

    const problems = problemsOf(() => loadConfig(file, {}));

    expect(problems).toEqual([
      expect.objectContaining({ line: 3, column: 3, path: '', message: 'Map keys must be unique' }),
      expect.objectContaining({
        line: 4,
        path: 'logging',
        message: 'Expected map, received a list',
      }),
      expect.objectContaining({ path: '', message: expect.stringContaining('end with a ]') }),
    ]);
  });

  it('rejects unknown settings, pointing at each key', () => {
    const file = configFile(
      'server:',
      '  prot: 3000',
      '  host: 127.0.0.1',
      'databse:',
      '  url: postgres://localhost/hub',
      'defaults:',
      '  account:',
      '    quietHours: { start: "08:00", finish: "20:00" }',
    );

    const problems = problemsOf(() => loadConfig(file, {}));

    const described = problems.map(
      ({ line, column, path, message }) => `${line}:${column} ${path} ${message}`,
    );
    expect(described).toEqual([
      '2:3 server.prot Unknown setting',
      '4:1 databse Unknown setting',
      '8:35 defaults.account.quietHours.finish Unknown setting',
    ]);
  });

  it('points at the parent when a required setting is missing', () => {
    const file = configFile('accounts:', '  - id: riverside', '    timeZone: America/Chicago');

    const problems = problemsOf(() => loadConfig(file, {}));

    expect(problems).toEqual([expect.objectContaining({
      line: 2,
      column: 5,
      path: 'accounts[0].name',
      message: 'Required setting is missing',
    })]);
  });

  it('checks that the default language is one the templates are written in', () => {
    const file = configFile('templates:', '  defaultLanguage: fr', '  languages: [en, es]');

    const problems = problemsOf(() => loadConfig(file, {}));

    expect(problems).toEqual([
      expect.objectContaining({ line: 2, path: 'templates.defaultLanguage' }),
    ]);
  });

  it('returns a deeply frozen config', () => {
    const { config } = loadConfig('config/hub.yaml', {});

    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.server)).toBe(true);
    expect(Object.isFrozen(config.channels.sms)).toBe(true);
    expect(Object.isFrozen(config.plugins.channels)).toBe(true);
    expect(Object.isFrozen(config.defaults.account.quietHours)).toBe(true);
    expect(() => {
      (config.server as { port: number }).port = 1;
    }).toThrow(TypeError);
  });

  it('fails with a ConfigError when the file cannot be read', () => {
    const file = join(folder, 'missing.yaml');

    const error = errorOf(() => loadConfig(file, {}));

    expect(error.message).toContain(`${file}:1:1 Cannot read (ENOENT)`);
  });
});

describe('validateSection', () => {
  const twilioSchema = z.strictObject({
    provider: z.literal('twilio'),
    accountSid: z.string().startsWith('AC'),
    authToken: z.string().min(1),
    baseUrl: z.url().default('https://api.twilio.com'),
  });

  it("returns a plugin's section parsed by the plugin's schema, frozen", () => {
    const file = configFile(
      'channels:',
      '  sms:',
      '    provider: twilio',
      '    accountSid: AC123',
      '    authToken: ${TWILIO_AUTH_TOKEN}',
    );

    const loaded = loadConfig(file, { TWILIO_AUTH_TOKEN: 'secret' });
    const section = loaded.validateSection(['channels', 'sms'], twilioSchema);

    expect(section).toEqual({
      provider: 'twilio',
      accountSid: 'AC123',
      authToken: 'secret',
      baseUrl: 'https://api.twilio.com',
    });
    expect(Object.isFrozen(section)).toBe(true);
  });

  it('locates every problem of the section in the file', () => {
    const file = configFile(
      'server:',
      '  port: 3000',
      'channels:',
      '  sms:',
      '    provider: twilio',
      '    accountSid: XY123',
      '    region: mars',
    );
    const loaded = loadConfig(file, {});

    const error = errorOf(() => loaded.validateSection(['channels', 'sms'], twilioSchema));

    expect(error.message.split('\n').slice(1)).toEqual([
      `  ${file}:4:3 channels.sms.authToken: Required setting is missing`,
      `  ${file}:6:17 channels.sms.accountSid: Invalid string: must start with "AC"`,
      `  ${file}:7:5 channels.sms.region: Unknown setting`,
    ]);
  });

  it('checks a section that the file leaves out against the plugin schema', () => {
    const loaded = loadConfig(configFile('channels:', '  email:', '    provider: sandbox'), {});
    const schema = z.object({ provider: z.string() });

    const problems = problemsOf(() => loaded.validateSection(['channels', 'sms'], schema));

    expect(problems).toEqual([
      expect.objectContaining({ line: 1, column: 1, path: 'channels.sms' }),
    ]);
  });
});

describe('config/examples/production.yaml', () => {
  const secrets = {
    PUBLIC_URL: 'https://hub.example.org',
    DATABASE_URL: 'postgres://hub@db.internal:5432/hub',
    HUB_ADMIN_KEY: 'a-long-random-admin-key',
    TWILIO_ACCOUNT_SID: 'AC0123',
    TWILIO_AUTH_TOKEN: 'twilio-token',
    TWILIO_SMS_FROM: '+15555550100',
    TWILIO_VOICE_FROM: '+15555550101',
    SENDGRID_API_KEY: 'SG.key',
    SENDGRID_WEBHOOK_PUBLIC_KEY: 'public-key',
    EMAIL_FROM: 'reminders@example.org',
    PHAXIO_API_KEY: 'phaxio-key',
    PHAXIO_API_SECRET: 'phaxio-secret',
    PHAXIO_CALLBACK_TOKEN: 'phaxio-callback',
    PHAXIO_FROM: '+15555550102',
  };

  it('loads when its secrets are in the environment', () => {
    const { config } = loadConfig('config/examples/production.yaml', secrets);

    expect(config.channels.sms).toMatchObject({ provider: 'twilio', authToken: 'twilio-token' });
    expect(config.channels.email?.provider).toBe('sendgrid');
    expect(config.channels.efax?.baseUrl).toBe('https://api.phaxio.com/v2.1');
    expect(config.database.poolSize).toBe(20);
  });

  it('names each secret that is missing', () => {
    const { TWILIO_AUTH_TOKEN: _, ...withoutToken } = secrets;

    const problems = problemsOf(() => loadConfig('config/examples/production.yaml', withoutToken));

    expect(problems.map((problem) => problem.path)).toEqual([
      'channels.sms.authToken',
      'channels.voice.authToken',
    ]);
    expect(problems[0].message).toBe('Environment variable TWILIO_AUTH_TOKEN is not set');
  });
});

describe('config/hub.schema.json', () => {
  it('is kept in sync with the schema (npm run config:schema)', () => {
    expect(readFileSync(configJsonSchemaFile, 'utf8')).toBe(renderConfigJsonSchema());
  });
});
