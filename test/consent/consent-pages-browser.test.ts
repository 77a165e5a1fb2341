import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../simulator/index.ts';
import { writeConfig } from '../support/config.ts';
import { createAccount, startTestHub, type TestHub } from '../support/hub.ts';
import { templateFolder } from '../support/templates.ts';
import { accountApi, hostEndpoint } from './support.ts';

/** Debian's Chromium; `.ci/run` installs it when it is missing. */
const chromiumPath = '/usr/bin/chromium';
const chromiumArgs = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

let sim: Simulator;
let testHub: TestHub;
let aspen: ReturnType<typeof accountApi>;
let host: Awaited<ReturnType<typeof hostEndpoint>>;
let browser: BrowserContext;
let profile: string;

/** A letter with an HTML part in both languages, as an account's templates may have. */
function letterTemplates() {
  return templateFolder({ defaults: 'all', files: {
    'adhoc/letter.email.hbs': '---\nsubject: "Your letter"\n---\nYour letter is ready.\n',
    'adhoc/letter.email.html.hbs': '<p>Your letter is ready.</p>\n',
    'adhoc/letter.email.es.hbs': '---\nsubject: "Su carta"\n---\nSu carta está lista.\n',
    'adhoc/letter.email.html.es.hbs': '<p>Su carta está lista.</p>\n',
  } });
}

beforeAll(async () => {
  if (!existsSync(chromiumPath)) {
    throw new Error(`These tests need Chromium at ${chromiumPath}: apt-get install chromium`);
  }

  sim = await startSimulator();
  const configFile = await writeConfig('consent-pages-browser.yaml', {
    'channels.email.provider': 'sendgrid',
    'channels.email.apiKey': sim.credentials.sendgrid.apiKey,
    'channels.email.baseUrl': sim.url,
    'channels.email.from.address': 'reminders@hub.example',
    'channels.email.webhookPublicKey': sim.sendgrid.publicKey,
    'templates.dir': await letterTemplates(),
    'queue.pollingIntervalSeconds': 0.5,
    'queue.retryDelaySeconds': 0,
  });
  testHub = await startTestHub({ configFile });
  sim.setWebhookUrls({ sendgridEvents: `${testHub.url}/webhooks/sendgrid/events` });

  const account = await createAccount(testHub, 'aspen', { optInRequired: true });
  aspen = accountApi(testHub, account);
  host = await hostEndpoint(testHub, account, ['consent.changed']);

  profile = await mkdtemp(join(tmpdir(), 'hub-chromium-'));
  browser = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath, headless: true, args: chromiumArgs,
  });
});

afterAll(async () => {
  await browser?.close();
  if (profile) await rm(profile, { recursive: true, force: true });
  await sim?.stop();
});

/** The HTML part of the mail SendGrid was asked to send for a hub message. */
function sentHtml(messageId: string): string {
  const send = sim.requests.find((request) => {
    const json = request.json as { custom_args?: Record<string, string> } | undefined;
    return request.path === '/v3/mail/send' && json?.custom_args?.hub_message_id === messageId;
  });
  const content = (send?.json as { content: Array<{ type: string; value: string }> }).content;
  return content.find((part) => part.type === 'text/html')!.value;
}

/** Shows an email's HTML as a mail client would, and follows one of its links. */
async function openLinkInEmail(html: string, linkName: string): Promise<Page> {
  const page = await browser.newPage();
  await page.setContent(html);
  await Promise.all([
    page.waitForURL(/\/consent\//),
    page.getByRole('link', { name: linkName }).click(),
  ]);
  return page;
}

interface PageWords {
  heading: string;
  button: string;
  done: string;
}

/** The page reads in the client's language, with a heading and a button named by its words. */
async function expectReadablePage(page: Page, language: string, words: PageWords) {
  expect(await page.locator('html').getAttribute('lang')).toBe(language);
  expect(await page.title()).toBe(words.heading);
  await page.getByRole('heading', { level: 1, name: words.heading }).waitFor();
  await page.getByRole('button', { name: words.button }).waitFor();
}

/** Answers the page from the keyboard alone: the button takes the focus and Enter posts. */
async function answerByKeyboard(page: Page, words: PageWords) {
  await page.keyboard.press('Tab');
  const focused = await page.evaluate(() => document.activeElement?.textContent?.trim());
  expect(focused).toBe(words.button);
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { level: 1, name: words.done }).waitFor();
}

async function sendLetter(ref: string) {
  const sent = await aspen.call('POST', '/messages', {
    recipient: { type: 'client', ref }, template: 'letter',
  });
  expect(sent.status).toBe(202);
  return sent.body.id as string;
}

async function emailConsent(ref: string) {
  const { body } = await aspen.call('GET', `/clients/${ref}/consent`);
  return body.history.filter((entry: { channel: string }) => entry.channel === 'email');
}

const clients = [
  {
    ref: 'ivy', language: 'en', optInLink: 'Yes, send me messages by email',
    optIn: { heading: 'Receive messages', button: 'Yes, send me messages', done: 'Thank you' },
    unsubscribeLink: 'Unsubscribe',
    unsubscribe: {
      heading: 'Unsubscribe', button: 'Unsubscribe', done: 'You are unsubscribed',
    },
  },
  {
    ref: 'luz', language: 'es', optInLink: 'Sí, quiero recibir mensajes por correo electrónico',
    optIn: { heading: 'Recibir mensajes', button: 'Sí, quiero recibir mensajes', done: 'Gracias' },
    unsubscribeLink: 'Darse de baja',
    unsubscribe: {
      heading: 'Darse de baja', button: 'Darme de baja', done: 'Se ha dado de baja',
    },
  },
];

describe.each(clients)('in a browser, a client who reads $language', (client) => {
  const { ref, language } = client;
  let letter: string;

  beforeAll(async () => {
    await aspen.client(ref, {
      firstName: ref, email: `${ref}@example.org`, channel: 'email', language,
    });
  });

  it('opts in on the page the emailed request links to, which releases the letter', async () => {
    letter = await sendLetter(ref);
    expect((await aspen.untilStatus(letter, 'held')).statusReason).toBe('awaiting_opt_in');
    const [request] = (await aspen.outbound(ref)).filter((m) => m.kind === 'opt-in-request');
    await aspen.untilStatus(request.id, 'delivered');

    const page = await openLinkInEmail(sentHtml(request.id), client.optInLink);
    await expectReadablePage(page, language, client.optIn);
    await page.getByRole('button', { name: client.optIn.button }).click();
    await page.getByRole('heading', { level: 1, name: client.optIn.done }).waitFor();
    await page.close();

    const released = await aspen.untilStatus(letter, 'delivered');
    expect(released.history.map((event: { status: string }) => event.status))
      .toEqual(['scheduled', 'held', 'sending', 'sent', 'delivered']);
    expect(await emailConsent(ref)).toEqual([expect.objectContaining({
      status: 'opted_in', source: 'opt_in_page',
    })]);
    await host.until('consent.changed', (data) => data.recipient.ref === ref
      && data.status === 'opted_in' && data.source === 'opt_in_page');
  });

  it('unsubscribes on the page the end of the letter links to', async () => {
    const page = await openLinkInEmail(sentHtml(letter), client.unsubscribeLink);
    await expectReadablePage(page, language, client.unsubscribe);
    await answerByKeyboard(page, client.unsubscribe);
    await page.close();

    expect((await emailConsent(ref))[0]).toMatchObject({
      status: 'opted_out', source: 'email_unsubscribe', detail: 'link',
    });
    await host.until('consent.changed', (data) => data.recipient.ref === ref
      && data.status === 'opted_out' && data.source === 'email_unsubscribe');
  });

  it('gets no more email after unsubscribing', async () => {
    const later = await sendLetter(ref);

    expect((await aspen.untilStatus(later, 'suppressed')).statusReason).toBe('unsubscribed');
  });
});
