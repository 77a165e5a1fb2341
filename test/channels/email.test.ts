import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import { PDFDocument } from 'pdf-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attachments, messages, threads } from '../../core/db/schema.ts';
import { startHub } from '../../core/hub.ts';
import { eventWebhookSignature, startSimulator, type Simulator } from '../simulator/index.ts';
import { writeConfig } from '../support/config.ts';
import { templateFolder } from '../support/templates.ts';
import {
  adminKey, createAccount, eventually, logLines, startTestHub, type TestHub,
} from '../support/hub.ts';

const domain = 'parse.hub.example';
const inboundSecret = 'inbound-secret-0123456789abcdef';
const patient = { firstName: 'Marisol', lastName: 'Quintanilla', email: 'marisol@example.org' };
const letterText = 'Your lab letter is attached';

// The simulator signs Event Webhook batches with this key, so that tests can sign their own.
const { privateKey: eventKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });

let sim: Simulator;
let testHub: TestHub;
let account: { id: string; key: string };
let pdf: Buffer;

/** The email channel on SendGrid, pointed at the simulator. */
function sendgridSettings() {
  return {
    'channels.email.provider': 'sendgrid',
    'channels.email.apiKey': sim.credentials.sendgrid.apiKey,
    'channels.email.baseUrl': sim.url,
    'channels.email.from.address': 'reminders@hub.example',
    'channels.email.from.name': 'Riverside Clinic',
    'channels.email.webhookPublicKey': sim.sendgrid.publicKey,
    'channels.email.inbound.domain': domain,
    'channels.email.inbound.secret': inboundSecret,
  };
}

beforeAll(async () => {
  sim = await startSimulator({ sendgrid: { webhookPrivateKey: eventKey } });
  const configFile = await writeConfig('email-sendgrid.yaml', {
    ...sendgridSettings(),
    'templates.dir': await letterTemplates(),
    'queue.retryDelaySeconds': 0,
    'queue.pollingIntervalSeconds': 0.5,
  });
  testHub = await startTestHub({ configFile });
  sim.setWebhookUrls({
    sendgridEvents: `${testHub.url}/webhooks/sendgrid/events`,
    sendgridInboundParse: `${testHub.url}/webhooks/sendgrid/inbound/${inboundSecret}`,
  });

  account = await createAccount(testHub, 'riverside');
  await putClient(account, 'p-1', patient);
  pdf = Buffer.from(await onePagePdf());
});

afterAll(async () => {
  await sim?.stop();
});

/** A template with a subject, a text and an HTML part, in a templates folder of its own. */
async function letterTemplates(): Promise<string> {
  return templateFolder({ defaults: 'all', files: {
    'adhoc/letter.email.hbs': '---\nsubject: "A letter from {{practice.name}}"\n---\n' +
      'Hello {{recipient.firstName}}, your lab letter is attached.\n',
    'adhoc/letter.email.html.hbs':
      '<p>Hello <strong>{{recipient.firstName}}</strong>, your lab letter is attached.</p>\n',
  } });
}

async function onePagePdf(): Promise<Uint8Array> {
  const document = await PDFDocument.create();
  document.addPage([612, 792]);
  return document.save();
}

async function putClient(owner: { id: string; key: string }, ref: string, fields: object) {
  const put = await testHub.api(owner.key, 'PUT', `/v1/accounts/${owner.id}/clients/${ref}`, {
    ...fields, channel: 'email',
  });
  expect(put.status).toBeLessThan(300);
}

async function send(body: object, owner = account, ref = 'p-1') {
  const sent = await testHub.api(owner.key, 'POST', `/v1/accounts/${owner.id}/messages`, {
    recipient: { type: 'client', ref }, ...body,
  });
  expect(sent.status).toBe(202);
  return sent.body.id as string;
}

async function readMessage(id: string, owner = account) {
  const { body } = await testHub.api(owner.key, 'GET', `/v1/accounts/${owner.id}/messages/${id}`);
  return body;
}

async function untilStatus(id: string, status: string, owner = account) {
  return eventually(async () => {
    const message = await readMessage(id, owner);
    return message.status === status && message;
  });
}

interface SentMail {
  headers?: Record<string, string>;
  tracking_settings?: object;
  content: Array<{ type: string; value: string }>;
}

/** The link of a sent mail's `List-Unsubscribe: <…>` header. */
function unsubscribeUrl(mail: SentMail): string {
  return mail.headers?.['List-Unsubscribe']?.replace(/^<|>$/g, '') ?? '';
}

/** The Mail Send calls the hub made for one of its messages, with SendGrid's answers. */
function mailSends(messageId: string) {
  return sim.requests.filter((request) => {
    const json = request.json as { custom_args?: Record<string, string> } | undefined;
    return request.path === '/v3/mail/send' && json?.custom_args?.hub_message_id === messageId;
  });
}

function statuses(message: { history: Array<{ status: string }> }) {
  return message.history.map((event) => event.status);
}

describe('sending email through SendGrid', () => {
  it('sends subject, text, HTML and a PDF, then follows processed and delivered', async () => {
    const id = await send({
      template: 'letter',
      attachments: [{
        filename: 'lab-letter.pdf', contentType: 'application/pdf', content: pdf.toString('base64'),
      }],
    });

    const message = await untilStatus(id, 'delivered');
    expect(statuses(message)).toEqual(['scheduled', 'sending', 'sent', 'delivered']);

    const [request] = mailSends(id);
    expect(request.status).toBe(202);
    expect(request.headers.authorization).toBe(`Bearer ${sim.credentials.sendgrid.apiKey}`);
    expect(request.json).toMatchObject({
      personalizations: [{ to: [{ email: patient.email }] }],
      from: { email: 'reminders@hub.example', name: 'Riverside Clinic' },
      reply_to: { email: `reply+riverside@${domain}` },
      subject: 'A letter from Practice riverside',
      content: [
        { type: 'text/plain', value: expect.stringContaining('your lab letter is attached') },
        { type: 'text/html', value: expect.stringContaining('<strong>Marisol</strong>') },
      ],
      custom_args: { hub_message_id: id, hub_account_id: 'riverside' },
      attachments: [{
        filename: 'lab-letter.pdf', type: 'application/pdf', disposition: 'attachment',
        content: pdf.toString('base64'),
      }],
    });
    expect(sim.sendgrid.mails.has(message.providerId)).toBe(true);
  });

  it('ends text and HTML with the unsubscribe link, named in List-Unsubscribe', async () => {
    const id = await send({ template: 'letter' });
    await untilStatus(id, 'delivered');

    const mail = mailSends(id)[0].json as SentMail;
    const url = unsubscribeUrl(mail);
    expect(url.startsWith(`${testHub.url}/consent/unsubscribe?token=`)).toBe(true);
    expect(mail.headers).toEqual({
      'List-Unsubscribe': `<${url}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
    });
    expect(mail.tracking_settings).toEqual({ subscription_tracking: { enable: false } });
    const [text, html] = mail.content.map((part) => part.value);
    expect(text).toMatch(/attached\.\n\nDon't want these emails\? Unsubscribe: \S+\n$/);
    expect(text).toContain(url);
    expect(html).toMatch(/<\/p>\n<p [^>]*>Don't want these emails\? <a [^>]+>Unsubscribe<\/a>/);
    expect(html).toContain(`<a href="${url}">`);
  });

  it('sends from the account\'s own address when it has one, with its own reply-to', async () => {
    const lakeside = await createAccount(testHub, 'lakeside', {
      senders: { email: 'front-desk@lakeside.example' },
    });
    await putClient(lakeside, 'p-9', { firstName: 'Ana', email: 'ana@example.org' });

    const id = await send({ text: 'See you Tuesday', subject: 'Tuesday' }, lakeside, 'p-9');
    await untilStatus(id, 'delivered', lakeside);

    expect(mailSends(id)[0].json).toMatchObject({
      from: { email: 'front-desk@lakeside.example', name: 'Riverside Clinic' },
      reply_to: { email: `reply+lakeside@${domain}` },
      custom_args: { hub_account_id: 'lakeside' },
    });
  });

  it('fails a message with reason bounced when the mailbox bounces it', async () => {
    sim.sendgrid.setMailbox('gone@example.org', { outcome: 'bounce' });
    await putClient(account, 'p-gone', { firstName: 'Gone', email: 'gone@example.org' });

    const id = await send({ text: letterText, subject: 'Letter' }, account, 'p-gone');

    const message = await untilStatus(id, 'failed');
    expect(message.statusReason).toBe('bounced');
    expect(statuses(message)).toEqual(['scheduled', 'sending', 'sent', 'failed']);
  });

  it('fails a message with reason blocked when the receiving server refuses it', async () => {
    sim.sendgrid.setMailbox('strict@example.org', { outcome: 'blocked' });
    await putClient(account, 'p-strict', { firstName: 'Strict', email: 'strict@example.org' });

    const id = await send({ text: letterText, subject: 'Letter' }, account, 'p-strict');

    expect((await untilStatus(id, 'failed')).statusReason).toBe('blocked');
  });

  it('retries a send that SendGrid answered with 500 and delivers it once', async () => {
    sim.failNext({ provider: 'sendgrid', status: 500, path: '/v3/mail/send' });

    const id = await send({ text: letterText, subject: 'Letter' });

    const message = await untilStatus(id, 'delivered');
    expect(mailSends(id).map((request) => request.status)).toEqual([500, 202]);
    expect(statuses(message).filter((status) => status === 'sent')).toHaveLength(1);
  });

  it('fails a send that SendGrid refused with 400, without retrying it', async () => {
    sim.failNext({ provider: 'sendgrid', status: 400, path: '/v3/mail/send' });

    const id = await send({ text: letterText, subject: 'Letter' });

    const message = await untilStatus(id, 'failed');
    expect(message.statusReason).toBe('provider_error');
    expect(mailSends(id)).toHaveLength(1);
  });
});

/**
 * Sends a message whose events the simulator posts to a path the hub does not serve, so that
 * it stays `sent`; the test then posts signed batches of its own for it.
 */
async function sentButNotReported(ref = 'p-1') {
  const events = `${testHub.url}/webhooks/sendgrid/events`;
  sim.setWebhookUrls({ sendgridEvents: `${testHub.url}/webhooks/sendgrid/elsewhere` });
  try {
    const id = await send({ text: letterText, subject: 'Letter' }, account, ref);
    const message = await untilStatus(id, 'sent');
    await sim.settle();
    return { id, providerId: message.providerId as string };
  } finally {
    sim.setWebhookUrls({ sendgridEvents: events });
  }
}

function deliveredBatch(sent: { id: string; providerId: string }) {
  return JSON.stringify([{
    email: patient.email, timestamp: Math.floor(Date.now() / 1000), event: 'delivered',
    sg_event_id: randomBytes(16).toString('base64url'),
    sg_message_id: `${sent.providerId}.filter0001p1mdw1-4434-59E0C6FF-3.0`,
    response: '250 2.0.0 OK', hub_message_id: sent.id, hub_account_id: 'riverside',
  }]);
}

async function postEvents(body: string, headers: Record<string, string>) {
  const response = await fetch(`${testHub.url}/webhooks/sendgrid/events`, {
    method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body,
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null };
}

function signed(body: string, secondsAgo = 0) {
  const timestamp = String(Math.floor(Date.now() / 1000) - secondsAgo);
  return {
    'X-Twilio-Email-Event-Webhook-Signature': eventWebhookSignature(eventKey, timestamp, body),
    'X-Twilio-Email-Event-Webhook-Timestamp': timestamp,
  };
}

describe('the Event Webhook', () => {
  it('refuses a tampered batch with 403, changes nothing, then takes the genuine one', async () => {
    const sent = await sentButNotReported();
    const genuine = deliveredBatch(sent);
    const headers = signed(genuine);

    const tampered = genuine.replace('"delivered"', '"bounce"');
    const refused = await postEvents(tampered, headers);
    expect(refused.status).toBe(403);
    expect(refused.body.error).toMatchObject({ code: 'forbidden' });
    expect((await readMessage(sent.id)).status).toBe('sent');

    expect((await postEvents(genuine, headers)).status).toBe(204);
    await untilStatus(sent.id, 'delivered');
  });

  it('refuses batches signed too long ago, or in the future, or not signed', async () => {
    const sent = await sentButNotReported();
    const body = deliveredBatch(sent);

    expect((await postEvents(body, signed(body, 3600))).status).toBe(403);
    expect((await postEvents(body, signed(body, -3600))).status).toBe(403);
    expect((await postEvents(body, {})).status).toBe(403);
    expect((await readMessage(sent.id)).status).toBe('sent');
  });

  it.each(['spamreport', 'unsubscribe', 'group_unsubscribe'] as const)(
    'counts a %s as delivery and opts the client out of email',
    async (event) => {
      const ref = `p-${event}`;
      await putClient(account, ref, { firstName: 'Sam', email: `${event}@example.org` });
      const sent = await sentButNotReported(ref);

      await sim.sendgrid.sendEvents(sent.providerId, [{ event }]);

      const consent = await eventually(async () => {
        const { body } = await testHub.api(account.key, 'GET',
          `/v1/accounts/riverside/clients/${ref}/consent`);
        return body.history.length > 0 && body;
      });
      expect(consent.history).toEqual([expect.objectContaining({
        channel: 'email', status: 'opted_out', source: 'provider_report', detail: event,
      })]);
      const message = await readMessage(sent.id);
      expect([message.status, message.statusReason]).toEqual(['delivered', null]);

      const later = await send({ text: letterText, subject: 'Letter' }, account, ref);
      expect((await untilStatus(later, 'suppressed')).statusReason).toBe('unsubscribed');
      expect(mailSends(later)).toEqual([]);
    },
  );

  it('opts out on a report that comes after the delivery, once for a repeated batch', async () => {
    await putClient(account, 'p-late', { firstName: 'Lee', email: 'late@example.org' });
    const id = await send({ text: letterText, subject: 'Letter' }, account, 'p-late');
    const { providerId } = await untilStatus(id, 'delivered');

    const report = { event: 'spamreport', fields: { sg_event_id: 'report-1' } } as const;
    const twice = [0, 1].map(() => sim.sendgrid.sendEvents(providerId, [report]));
    const answers = await Promise.all(twice);
    expect(answers.map((answer) => answer.status)).toEqual([204, 204]);

    const history = await eventually(async () => {
      const { body } = await testHub.api(account.key, 'GET',
        '/v1/accounts/riverside/clients/p-late/consent');
      return body.history.length > 0 && body.history;
    });
    await sim.settle();
    expect(history).toHaveLength(1);
    expect((await readMessage(id)).status).toBe('delivered');
  });
});

describe('one-click unsubscribe from the mail client', () => {
  it('opts the client out when the client posts to the List-Unsubscribe link', async () => {
    await putClient(account, 'p-click', { firstName: 'Kim', email: 'click@example.org' });
    const id = await send({ text: letterText, subject: 'Letter' }, account, 'p-click');
    await untilStatus(id, 'delivered');

    // What a mail client does with the two headers (RFC 8058): a form post, no cookies.
    const mail = mailSends(id)[0].json as SentMail;
    const answer = await fetch(unsubscribeUrl(mail), {
      method: 'POST', body: mail.headers!['List-Unsubscribe-Post'],
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(answer.status).toBe(200);

    const { body } = await testHub.api(account.key, 'GET',
      '/v1/accounts/riverside/clients/p-click/consent');
    expect(body.history).toEqual([expect.objectContaining({
      channel: 'email', status: 'opted_out', source: 'email_unsubscribe', detail: 'one_click',
    })]);
    const later = await send({ text: letterText, subject: 'Letter' }, account, 'p-click');
    expect((await untilStatus(later, 'suppressed')).statusReason).toBe('unsubscribed');
  });
});

async function inboundRows(accountId: string) {
  const { db } = testHub.hub.services.database;
  return db.select().from(messages)
    .where(and(eq(messages.accountId, accountId), eq(messages.direction, 'inbound')));
}

describe('replies through Inbound Parse', () => {
  const reply = () => ({
    from: 'Marisol Quintanilla <Marisol@Example.org>',
    to: `Riverside Clinic <reply+riverside@${domain}>`,
    subject: 'Re: A letter from Practice riverside',
    text: 'Here is the signed form.',
    html: '<p>Here is the signed form.</p>',
    attachments: [{ filename: 'signed-form.pdf', contentType: 'application/pdf', content: pdf }],
  });

  it('stores a reply with its PDF in the client\'s thread', async () => {
    const answer = await sim.sendgrid.receive(reply());
    expect(answer.status).toBe(200);

    const [row] = await eventually(async () => {
      const rows = await inboundRows('riverside');
      return rows.length > 0 && rows;
    });
    expect(row).toMatchObject({ channel: 'email', status: 'received', address: patient.email });
    expect(row.content).toEqual({
      text: 'Here is the signed form.',
      subject: 'Re: A letter from Practice riverside',
      html: '<p>Here is the signed form.</p>',
    });

    const { db } = testHub.hub.services.database;
    const [thread] = await db.select().from(threads).where(eq(threads.id, row.threadId!));
    const listed = await testHub.api(account.key, 'GET',
      '/v1/accounts/riverside/messages?recipientRef=p-1&limit=200');
    const outbound = listed.body.messages.find((item: any) => item.direction === 'outbound');
    const [sentRow] = await db.select().from(messages).where(eq(messages.id, outbound.id));
    expect(sentRow.threadId).toBe(thread.id);

    const files = await db.select().from(attachments).where(eq(attachments.messageId, row.id));
    expect(files).toHaveLength(1);
    expect(files[0]).toMatchObject({ filename: 'signed-form.pdf', contentType: 'application/pdf' });
    expect(Buffer.from(files[0].data!).equals(pdf)).toBe(true);
  });

  it('stores an email that SendGrid posts twice only once', async () => {
    await sim.sendgrid.receive({ ...reply(), subject: 'Twice', text: 'Posted twice' });
    const [first] = sim.webhooks.filter((hook) => hook.kind === 'inbound-parse').slice(-1);

    // The same post again, field for field, as SendGrid retries it.
    const { files: _, ...fields } = first.payload as Record<string, string>;
    const form = new FormData();
    for (const [name, value] of Object.entries(fields)) form.append(name, value);
    const file = new Blob([new Uint8Array(pdf)], { type: 'application/pdf' });
    form.append('attachment1', file, 'signed-form.pdf');
    const again = await fetch(first.url, { method: 'POST', body: form });
    expect(again.status).toBe(200);

    const rows = await inboundRows('riverside');
    expect(rows.filter((row: any) => row.content.subject === 'Twice')).toHaveLength(1);
  });

  it('knows an email by its Message-ID header, whatever else differs', async () => {
    const post = (date: string) => {
      const form = new FormData();
      form.append('headers', `Message-ID: <a1b2c3@mail.example.org>\nDate: ${date}\n`);
      form.append('from', 'Marisol <marisol@example.org>');
      form.append('to', `reply+riverside@${domain}`);
      form.append('subject', 'Same Message-ID');
      form.append('text', 'Sent once, posted twice');
      const url = `${testHub.url}/webhooks/sendgrid/inbound/${inboundSecret}`;
      return fetch(url, { method: 'POST', body: form });
    };

    expect((await post('Mon, 1 Jun 2026 10:00:00 +0000')).status).toBe(200);
    expect((await post('Mon, 1 Jun 2026 10:05:00 +0000')).status).toBe(200);

    const rows = await inboundRows('riverside');
    const stored = rows.filter((row: any) => row.content.subject === 'Same Message-ID');
    expect(stored.map((row) => row.providerId)).toEqual(['a1b2c3@mail.example.org']);
  });

  it('routes a reply to the account named in the reply-to address', async () => {
    await sim.sendgrid.receive({
      from: 'Ana <ana@example.org>', to: `reply+lakeside@${domain}`,
      subject: 'Re: Tuesday', text: 'Running late',
    });

    const rows = await eventually(async () => {
      const found = await inboundRows('lakeside');
      return found.length > 0 && found;
    });
    expect(rows[0]).toMatchObject({ address: 'ana@example.org', status: 'received' });
    expect(rows[0].recipientId).not.toBeNull();
  });

  it('refuses a post to the wrong secret with 403 and stores nothing', async () => {
    const before = (await inboundRows('riverside')).length;

    const answer = await sim.sendgrid.receive({
      ...reply(), subject: 'Forged', url: `${testHub.url}/webhooks/sendgrid/inbound/guessed-secret`,
    });

    expect(answer.status).toBe(403);
    expect(JSON.parse(answer.body).error.code).toBe('forbidden');
    expect(await inboundRows('riverside')).toHaveLength(before);
  });
});

describe('configuration', () => {
  it('refuses to start with an Event Webhook key it cannot read, naming the setting', async () => {
    const configFile = await writeConfig('email-bad-key.yaml', {
      ...sendgridSettings(), 'channels.email.webhookPublicKey': 'not-a-key',
    });
    const env = { DATABASE_URL: testHub.database.url, HUB_ADMIN_KEY: adminKey };

    const start = startHub({ configFile, env, logDestination: { write: () => {} } });
    await expect(start).rejects.toThrow(/channel plugin "email".*webhookPublicKey/s);
  });
});

describe('logs', () => {
  it('keep email addresses, subjects and text out', async () => {
    await sim.settle();
    const logs = logLines.join('\n');
    for (const secret of [patient.email, 'Example.org', letterText, 'signed form', 'Tuesday']) {
      expect(logs).not.toContain(secret);
    }
  });
});
