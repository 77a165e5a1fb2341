import { EventWebhook, EventWebhookHeader } from '@sendgrid/eventwebhook';
import { Client } from '@sendgrid/client';
import sgMail from '@sendgrid/mail';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from './index.ts';
import { WebhookReceiver, type ReceivedWebhook } from './webhook-receiver.ts';

const apiKey = 'SG.test-key';

let sim: Simulator;
let hub: WebhookReceiver;

/**
 * `@sendgrid/mail` sends through a `@sendgrid/client` Client, whose `baseUrl` default request
 * setting is the API origin. `setApiKey` resets it to the region's host, so the simulator's URL
 * is set after it; the trailing slash matters, as axios joins `v3/mail/send` onto it.
 */
function mailer(key = apiKey) {
  const client = new Client();
  client.setApiKey(key);
  client.setDefaultRequest('baseUrl', `${sim.url}/`);
  sgMail.setClient(client);
  return sgMail;
}

const message = {
  to: 'patient@example.org',
  from: { email: 'noreply@hub.example', name: 'Hub' },
  subject: 'Your appointment',
  text: 'See you at 10:00',
  html: '<p>See you at 10:00</p>',
  customArgs: { hub_message_id: 'msg_123', tenant: 't1' },
  categories: ['reminder'],
};

/** Checks the signature with SendGrid's own verifier and returns the events. */
function verifiedEvents(hook: ReceivedWebhook): Array<Record<string, unknown>> {
  const verifier = new EventWebhook();
  const key = verifier.convertPublicKeyToECDSA(sim.sendgrid.publicKey);
  const signature = hook.headers[EventWebhookHeader.SIGNATURE().toLowerCase()];
  const timestamp = hook.headers[EventWebhookHeader.TIMESTAMP().toLowerCase()];
  expect(verifier.verifySignature(key, hook.text, signature, timestamp)).toBe(true);
  return JSON.parse(hook.text);
}

beforeAll(async () => {
  hub = await new WebhookReceiver().start();
  sim = await startSimulator({ sendgrid: { apiKey } });
  sim.setWebhookUrls({
    sendgridEvents: `${hub.url}/sendgrid/events`,
    sendgridInboundParse: `${hub.url}/sendgrid/inbound`,
  });
});

afterAll(async () => {
  await sim.stop();
  await hub.stop();
});

beforeEach(async () => {
  await sim.settle();
  sim.reset();
  hub.clear();
});

describe('SendGrid Mail Send', () => {
  it('accepts a send with 202 and an X-Message-Id, and records the body', async () => {
    const [response] = await mailer().send(message);
    expect(response.statusCode).toBe(202);
    const messageId = response.headers['x-message-id'];
    expect(messageId).toMatch(/^[A-Za-z0-9_-]{22}$/);

    const [request] = sim.requests;
    expect(request).toMatchObject({ provider: 'sendgrid', path: '/v3/mail/send', status: 202 });
    expect(request.headers.authorization).toBe(`Bearer ${apiKey}`);
    expect(request.json).toMatchObject({
      personalizations: [{ to: [{ email: 'patient@example.org' }] }],
      custom_args: { hub_message_id: 'msg_123' },
    });
  });

  it('answers 401 to a wrong key and 400 with field errors to a bad message', async () => {
    await expect(mailer('SG.wrong').send(message)).rejects.toMatchObject({ code: 401 });

    const bad = { ...message, to: 'not-an-address', subject: '' };
    const failure = mailer().send(bad);
    await expect(failure).rejects.toMatchObject({ code: 400 });
    const error = await failure.catch((caught) => caught);
    const fields = error.response.body.errors.map((item: { field: string }) => item.field);
    expect(fields).toEqual(['personalizations.0.to.0.email', 'subject']);
  });

  it('posts processed then delivered, signed, with custom args on each event', async () => {
    const [response] = await mailer().send(message);
    await sim.settle();

    const batches = hub.on('/sendgrid/events').map(verifiedEvents);
    expect(batches.map((batch) => batch.map((event) => event.event))).toEqual([
      ['processed'],
      ['delivered'],
    ]);
    for (const [event] of batches) {
      expect(event).toMatchObject({ email: 'patient@example.org', hub_message_id: 'msg_123' });
      expect(event.category).toEqual(['reminder']);
      const messageId = String(event.sg_message_id).split('.')[0];
      expect(messageId).toBe(response.headers['x-message-id']);
    }
  });

  it('bounces a configured address, then drops later mail to it', async () => {
    sim.sendgrid.setMailbox('patient@example.org', { outcome: 'bounce' });
    await mailer().send(message);
    await sim.settle();
    await mailer().send(message);
    await sim.settle();

    const events = hub.on('/sendgrid/events').flatMap(verifiedEvents);
    expect(events.map((event) => event.event)).toEqual(['processed', 'bounce', 'dropped']);
    expect(events[1]).toMatchObject({ type: 'bounce', status: '5.1.1' });
    expect(events[2]).toMatchObject({ reason: 'Bounced Address', tenant: 't1' });
  });

  it('sends events on demand for an accepted message', async () => {
    const [response] = await mailer().send(message);
    await sim.settle();
    hub.clear();

    const messageId = response.headers['x-message-id'];
    await sim.sendgrid.sendEvents(messageId, [{ event: 'spamreport' }, { event: 'unsubscribe' }]);
    const events = verifiedEvents(hub.on('/sendgrid/events')[0]);
    expect(events.map((event) => event.event)).toEqual(['spamreport', 'unsubscribe']);
  });

  it('answers 200 in sandbox mode and sends no events', async () => {
    const sandboxed = { ...message, mailSettings: { sandboxMode: { enable: true } } };
    const [response] = await mailer().send(sandboxed);
    expect(response.statusCode).toBe(200);
    await sim.settle();
    expect(hub.on('/sendgrid/events')).toHaveLength(0);
  });
});

describe('SendGrid Inbound Parse', () => {
  it('posts a multipart email with attachment details and file parts', async () => {
    const reply = await sim.sendgrid.receive({
      from: 'Pat Doe <pat@example.org>',
      to: 'replies@parse.hub.example',
      subject: 'Re: Your appointment',
      text: 'Can we move it?',
      html: '<p>Can we move it?</p>',
      attachments: [{ filename: 'card.pdf', contentType: 'application/pdf', content: '%PDF-1.4' }],
    });
    expect(reply.status).toBe(200);

    const form = await hub.on('/sendgrid/inbound')[0].form();
    expect(form.get('from')).toBe('Pat Doe <pat@example.org>');
    expect(form.get('subject')).toBe('Re: Your appointment');
    expect(form.get('attachments')).toBe('1');
    expect(JSON.parse(String(form.get('envelope')))).toEqual({
      to: ['replies@parse.hub.example'],
      from: 'pat@example.org',
    });
    const info = JSON.parse(String(form.get('attachment-info')));
    expect(info.attachment1).toMatchObject({ filename: 'card.pdf', type: 'application/pdf' });
    const file = form.get('attachment1') as File;
    expect(file.name).toBe('card.pdf');
    expect(await file.text()).toBe('%PDF-1.4');
  });
});
