import { beforeAll, describe, expect, it } from 'vitest';
import type { EmailMessage } from '../../channels/email/email-message.ts';
import type { SandboxInstance } from '../../core/sandbox/sandbox-provider.ts';
import { createAccount, eventually, type TestHub } from '../support/hub.ts';
import { accountApi, hostEndpoint, startConsentHub } from './support.ts';

let testHub: TestHub;
let willow: ReturnType<typeof accountApi>;
let willowHost: Awaited<ReturnType<typeof hostEndpoint>>;

const oneClick = 'List-Unsubscribe=One-Click';

beforeAll(async () => {
  testHub = await startConsentHub('email-unsubscribe');
  const account = await createAccount(testHub, 'willow');
  willow = accountApi(testHub, account);
  willowHost = await hostEndpoint(testHub, account, ['consent.changed']);

  await willow.client('ana', { firstName: 'Ana', email: 'ana@example.org', channel: 'email' });
  await willow.client('bea', {
    firstName: 'Bea', email: 'bea@example.org', channel: 'email', language: 'es',
  });
  await willow.client('cal', {
    firstName: 'Cal', email: 'cal@example.org', phone: '+12025550181', channel: 'email',
  });
  await willow.client('dee', { firstName: 'Dee', email: 'dee@example.org', channel: 'email' });
});

/** What the sandbox sent to an address, as the email channel finished it. */
function emailsTo(address: string): EmailMessage[] {
  const sandbox = testHub.hub.services.plugins.instance('email') as SandboxInstance;
  return sandbox.records.filter((record) => record.message.to === address)
    .map((record) => record.message as EmailMessage);
}

/** Sends an email to a client and waits until it is delivered; returns what went out. */
async function emailTo(ref: string, address: string): Promise<EmailMessage> {
  const sent = await willow.call('POST', '/messages', {
    recipient: { type: 'client', ref }, subject: 'Results', text: 'Your results are ready.\n',
  });
  expect(sent.status).toBe(202);
  await willow.untilStatus(sent.body.id, 'delivered');
  return emailsTo(address).at(-1)!;
}

function linkIn(email: EmailMessage): string {
  return email.headers['List-Unsubscribe'].replace(/^<|>$/g, '');
}

function postForm(url: string, body: string) {
  return fetch(url, {
    method: 'POST', body, headers: { 'content-type': 'application/x-www-form-urlencoded' },
  });
}

async function emailConsent(ref: string) {
  const { body } = await willow.call('GET', `/clients/${ref}/consent`);
  return {
    current: body.channels.filter((entry: { channel: string }) => entry.channel === 'email'),
    history: body.history.filter((entry: { channel: string }) => entry.channel === 'email'),
  };
}

async function sendText(ref: string, channel: string) {
  const sent = await willow.call('POST', '/messages', {
    recipient: { type: 'client', ref }, channel, subject: 'Later', text: 'One more thing.',
  });
  expect(sent.status).toBe(202);
  return sent.body.id as string;
}

describe('the unsubscribe link of every email', () => {
  it('ends the text and names it in a one-click List-Unsubscribe header', async () => {
    const email = await emailTo('ana', 'ana@example.org');

    const url = linkIn(email);
    expect(url.startsWith(`${testHub.url}/consent/unsubscribe?token=`)).toBe(true);
    expect(email.headers).toEqual({
      'List-Unsubscribe': `<${url}>`, 'List-Unsubscribe-Post': oneClick,
    });
    expect(email.body.text).toBe(
      `Your results are ready.\n\nDon't want these emails? Unsubscribe: ${url}\n`,
    );
    expect(email.body.html).toBeUndefined();
  });

  it("is written in the client's language", async () => {
    const email = await emailTo('bea', 'bea@example.org');

    expect(email.body.text).toMatch(/\n\n¿No desea recibir estos correos\? Darse de baja: \S+\n$/);
    expect(email.body.text).toContain(linkIn(email));
  });
});

describe('one click in the mail client', () => {
  it('opts the client out of email at once, answered 200 with no page', async () => {
    const url = linkIn(await emailTo('cal', 'cal@example.org'));

    const answer = await postForm(url, oneClick);
    expect(answer.status).toBe(200);
    expect(await answer.text()).toBe('');

    const consent = await emailConsent('cal');
    expect(consent.current).toEqual([expect.objectContaining({
      status: 'opted_out', source: 'email_unsubscribe',
    })]);
    expect(consent.history).toEqual([expect.objectContaining({
      status: 'opted_out', source: 'email_unsubscribe', detail: 'one_click',
    })]);
    await willowHost.until('consent.changed', (data) => data.recipient.ref === 'cal'
      && data.status === 'opted_out' && data.source === 'email_unsubscribe'
      && data.channels.join() === 'email');
  });

  it('suppresses later emails, and only emails', async () => {
    const email = await willow.untilStatus(await sendText('cal', 'email'), 'suppressed');
    expect(email.statusReason).toBe('unsubscribed');

    await willow.untilStatus(await sendText('cal', 'sms'), 'delivered');
  });

  it('changes nothing when the client clicks again', async () => {
    const url = linkIn(emailsTo('cal@example.org')[0]);

    expect((await postForm(url, oneClick)).status).toBe(200);
    expect((await emailConsent('cal')).history).toHaveLength(1);
  });
});

describe('the unsubscribe page', () => {
  it('only asks when opened, and opts out when its button posts', async () => {
    const url = linkIn(await emailTo('dee', 'dee@example.org'));

    const opened = await fetch(url);
    expect(opened.status).toBe(200);
    expect(opened.headers.get('cache-control')).toBe('no-store');
    const page = await opened.text();
    expect(page).toContain('<html lang="en">');
    expect(page).toContain('<h1>Unsubscribe</h1>');
    expect((await emailConsent('dee')).current).toEqual([]);

    const token = new URL(url).searchParams.get('token')!;
    const answered = await postForm(url, new URLSearchParams({ token }).toString());
    expect(answered.status).toBe(200);
    expect(await answered.text()).toContain('<h1>You are unsubscribed</h1>');
    expect((await emailConsent('dee')).history).toEqual([expect.objectContaining({
      status: 'opted_out', source: 'email_unsubscribe', detail: 'link',
    })]);
  });

  it('refuses a link whose token was changed, and changes nothing', async () => {
    const url = new URL(linkIn(emailsTo('ana@example.org')[0]));
    const token = url.searchParams.get('token')!;
    url.searchParams.set('token', `${token[0] === 'e' ? 'f' : 'e'}${token.slice(1)}`);
    const forged = url.toString();

    const opened = await fetch(forged);
    expect(opened.status).toBe(404);
    expect(await opened.text()).toContain('<h1>This link does not work</h1>');
    expect((await postForm(forged, oneClick)).status).toBe(404);
    expect((await emailConsent('ana')).current).toEqual([]);
  });
});

describe('notification emails to staff', () => {
  it('carry no unsubscribe link: what a user receives is set by the host', async () => {
    const staff = 'front-desk@willow.example';
    const user = await willow.call('PUT', '/users/u-1', {
      email: staff, notifications: { newMessages: { frequency: 'immediately' } },
    });
    expect(user.status).toBeLessThan(300);

    await willow.reply('ana', 'Thank you', 'email');
    const [notification] = await eventually(async () => {
      const sent = emailsTo(staff);
      return sent.length > 0 && sent;
    });
    expect(notification.headers).toEqual({});
    expect(notification.body.text).not.toMatch(/unsubscribe/i);
  });
});
