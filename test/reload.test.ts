import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { writeConfig } from './support/config.ts';
import { templateFolder } from './support/templates.ts';
import {
  adminKey, createAccount, eventually, logLines, startTestHub, type TestHub,
} from './support/hub.ts';

let templatesDir: string;
let configFile: string;
let testHub: TestHub;
let account: { id: string; key: string };

/** The config this file's hub runs on, with `changes` made to it. */
function writeHubConfig(changes: Record<string, unknown> = {}) {
  return writeConfig('reload.yaml', {
    'plugins.triggers': ['adhoc', './test/fixtures/plugins/greeting'],
    'templates.dir': templatesDir,
    ...changes,
  });
}

beforeAll(async () => {
  templatesDir = await templateFolder({
    defaults: 'consent',
    fixture: 'test/fixtures/plugin-templates',
    files: { 'adhoc/note.sms.hbs': 'Note v1 for {{recipient.firstName}}\n' },
  });
  configFile = await writeHubConfig();

  testHub = await startTestHub({ configFile });
  // Quiet hours would hold a text sent at night until the morning.
  account = await createAccount(testHub, 'riverside', {
    quietHours: { start: '00:00', end: '23:59' },
  });
  const client = await testHub.api(account.key, 'PUT', '/v1/accounts/riverside/clients/p-1', {
    firstName: 'Marisol', phone: '+12025550147', channel: 'sms',
  });
  expect(client.status).toBe(201);
});

function writeTemplate(name: string, text: string) {
  return writeFile(join(templatesDir, name), `${text}\n`);
}

/** Makes a change and waits for the hub to log `message` about it; returns that log entry. */
async function afterLog(message: string, change: () => Promise<unknown>) {
  const matching = () => logLines.filter((line) => JSON.parse(line).msg === message);
  const before = matching().length;

  await change();
  await eventually(async () => matching().length > before);
  return JSON.parse(matching().at(-1)!);
}

async function sendNote(sendAt?: Date) {
  const sent = await testHub.api(account.key, 'POST', '/v1/accounts/riverside/messages', {
    recipient: { type: 'client', ref: 'p-1' }, template: 'note', sendAt: sendAt?.toISOString(),
  });
  expect(sent.status).toBe(202);
  return sent.body.id as string;
}

async function readMessage(id: string) {
  const { body } = await testHub.api(account.key, 'GET', `/v1/accounts/riverside/messages/${id}`);
  return body;
}

async function deliveredText(id: string): Promise<string> {
  const message = await eventually(async () => {
    const current = await readMessage(id);
    return current.status === 'delivered' && current;
  });
  return message.content.text;
}

describe('templates edited while the hub runs', () => {
  it('uses the edited template for the next message', async () => {
    expect(await deliveredText(await sendNote())).toBe('Note v1 for Marisol');

    await afterLog('templates reloaded', () =>
      writeTemplate('adhoc/note.sms.hbs', 'Note v2 for {{recipient.firstName}}'));
    expect(await deliveredText(await sendNote())).toBe('Note v2 for Marisol');
  });

  it('refuses a broken edit, logs where it is broken, and keeps the old template', async () => {
    const refused = await afterLog('templates reload refused: the hub keeps running on the ' +
      'previous version', () => writeTemplate('adhoc/note.sms.hbs', 'Note v3 {{#if x}}'));
    expect(refused.problems).toEqual([
      expect.stringMatching(/adhoc\/note\.sms\.hbs:\d: syntax error near "Note v3 \{\{#if x\}\}"/),
    ]);
    expect(await deliveredText(await sendNote())).toBe('Note v2 for Marisol');

    // A template a trigger needs is rendered with its sample data before it is taken.
    const missing = await afterLog('templates reload refused: the hub keeps running on the ' +
      'previous version', async () => {
      await writeTemplate('adhoc/note.sms.hbs', 'Note v2 for {{recipient.firstName}}');
      await writeTemplate('greeting/hello.sms.hbs', 'Hi {{recipient.firstName}} in {{visit.room}}');
    });
    expect(missing.problems).toEqual([
      expect.stringMatching(/greeting\/hello\.sms\.hbs:1: "visit\.room" not defined/),
    ]);
    await afterLog('templates reloaded', () =>
      writeTemplate('greeting/hello.sms.hbs', 'Hi {{recipient.firstName}}, see you soon'));
  });

  it('renders a queued message with the templates in force when it is sent', async () => {
    const id = await sendNote(new Date(Date.now() + 4000));

    await afterLog('templates reloaded', () =>
      writeTemplate('adhoc/note.sms.hbs', 'Note v4 for {{recipient.firstName}}'));
    expect((await readMessage(id)).status).toBe('scheduled');
    expect(await deliveredText(id)).toBe('Note v4 for Marisol');
  });
});

describe('the config file edited while the hub runs', () => {
  it('declares new accounts at once and names the settings that wait for a restart', async () => {
    const reloaded = await afterLog('config reloaded', () => writeHubConfig({
      accounts: [{ id: 'lakeside', name: 'Lakeside Clinic', practiceName: 'Lakeside' }],
      'server.shutdownTimeoutSeconds': 5,
    }));
    expect(reloaded.restartNeeded).toBe(1);

    const declared = await testHub.api(adminKey, 'GET', '/v1/accounts/lakeside');
    expect(declared.status).toBe(200);
    expect(declared.body.settings.practiceName).toBe('Lakeside');

    const warning = logLines.map((line) => JSON.parse(line))
      .findLast((entry) => entry.settings !== undefined);
    expect(warning.settings).toEqual(['server.shutdownTimeoutSeconds']);
  });

  it('refuses an invalid file, logs every problem, and keeps running', async () => {
    const refused = await afterLog('config reload refused: the hub keeps running on the ' +
      'previous version', () => writeHubConfig({
      'server.port': 'eighty', 'queue.retryLimit': -1,
    }));
    expect(refused.problems).toEqual([
      expect.stringMatching(/reload\.yaml:\d+:\d+ server\.port: Expected/),
      expect.stringMatching(/reload\.yaml:\d+:\d+ queue\.retryLimit: /),
    ]);

    expect(await deliveredText(await sendNote())).toBe('Note v4 for Marisol');
  });
});
