import { createHash } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import { PDFDocument } from 'pdf-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import efax from '../../channels/efax/index.ts';
import { createPhaxioClient } from '../../channels/efax/phaxio-client.ts';
import { attachments, messages, recipients, threads } from '../../core/db/schema.ts';
import { ProviderError } from '../../core/plugins/provider-error.ts';
import {
  defaultCredentials, faxFailures, phaxioSignature, startSimulator, type Simulator,
} from '../simulator/index.ts';
import { writeConfig } from '../support/config.ts';
import {
  createAccount, eventually, logLines, startTestHub, type TestHub,
} from '../support/hub.ts';

const { apiKey, apiSecret, callbackToken } = defaultCredentials.phaxio;
const practiceFax = '+12025550100';
const cardiology = { ref: 'cardiology', fax: '+12025550161' };
const busyClinic = { ref: 'busy-clinic', fax: '+12025550162' };
const referralText = 'Referral for Ms. Okonkwo: echocardiogram requested';

let sim: Simulator;
let testHub: TestHub;
let account: { id: string; key: string };
let publicUrl: string;
let letter: Uint8Array;

beforeAll(async () => {
  // Faxes finish only when a test says so, so that each test sees every step.
  sim = await startSimulator({ autoWebhooks: false });
  const configFile = await writeConfig('efax.yaml', {
    'channels.efax.provider': 'phaxio',
    'channels.efax.apiKey': apiKey,
    'channels.efax.apiSecret': apiSecret,
    'channels.efax.callbackToken': callbackToken,
    'channels.efax.baseUrl': `${sim.url}/v2.1`,
    'queue.retryDelaySeconds': 0,
    'queue.pollingIntervalSeconds': 0.5,
  });
  testHub = await startTestHub({ configFile });
  publicUrl = testHub.hub.services.config.server.publicUrl;
  sim.setWebhookUrls({ phaxioReceive: `${publicUrl}/webhooks/phaxio/receive` });

  account = await createAccount(testHub, 'lakeside', { senders: { efax: practiceFax } });
  for (const contact of [cardiology, busyClinic]) {
    const path = `/v1/accounts/lakeside/contacts/${contact.ref}`;
    const put = await testHub.api(account.key, 'PUT', path, { fax: contact.fax, channel: 'efax' });
    expect(put.status).toBe(201);
  }
  letter = await pdfOfPages(2);
});

afterAll(async () => {
  await sim.stop();
});

async function pdfOfPages(pages: number): Promise<Uint8Array> {
  const document = await PDFDocument.create();
  for (let page = 0; page < pages; page++) document.addPage([612, 792]);
  return document.save();
}

async function sendFax(ref: string, body: object) {
  const sent = await testHub.api(account.key, 'POST', '/v1/accounts/lakeside/messages', {
    recipient: { type: 'contact', ref }, ...body,
  });
  expect(sent.status).toBe(202);
  return sent.body.id as string;
}

async function readMessage(id: string) {
  const { body } = await testHub.api(account.key, 'GET', `/v1/accounts/lakeside/messages/${id}`);
  return body;
}

function untilStatus(id: string, status: string) {
  return eventually(async () => {
    const message = await readMessage(id);
    return message.status === status && message;
  });
}

function faxRequests(messageId: string) {
  return sim.requests.filter((request) =>
    request.path === '/v2.1/faxes' && request.params['tag[hub_message_id]'] === messageId);
}

/** Posts a Phaxio webhook as the simulator signs it; `tamper` changes the form afterwards. */
async function postWebhook(
  path: string,
  fax: object,
  options: { file?: Uint8Array; tamper?: (form: FormData) => void; signature?: string } = {},
) {
  const url = `${publicUrl}/webhooks/phaxio${path}`;
  const params = { event_type: 'fax_completed', fax: JSON.stringify(fax) };
  const files = options.file ? [{ name: 'file', content: options.file }] : [];
  const signature = options.signature ?? phaxioSignature(callbackToken, url, params, files);

  const form = new FormData();
  for (const [name, value] of Object.entries(params)) form.append(name, value);
  if (options.file) form.append('file', new Blob([options.file as BlobPart]), 'fax.pdf');
  options.tamper?.(form);
  const headers = signature ? { 'X-Phaxio-Signature': signature } : undefined;
  return fetch(url, { method: 'POST', body: form, headers });
}

describe('the efax config', () => {
  it('keeps the sandbox by default and reads Phaxio settings as the environment gives them', () => {
    expect(efax.configSchema.parse({})).toEqual({ provider: 'sandbox' });

    const phaxio = efax.configSchema.parse({
      provider: 'phaxio', apiKey: 'key', apiSecret: 'secret', callbackToken: 'token',
      from: '', requestTimeoutSeconds: '12',
    });
    expect(phaxio).toEqual({
      provider: 'phaxio', apiKey: 'key', apiSecret: 'secret', callbackToken: 'token',
      baseUrl: 'https://api.phaxio.com/v2.1', from: undefined, requestTimeoutSeconds: 12,
    });
  });

  it('names the missing Phaxio credentials', () => {
    const result = efax.configSchema.safeParse({ provider: 'phaxio', apiKey: 'key' });
    const paths = result.error?.issues.map((issue) => issue.path.join('.'));
    expect(paths).toEqual(['apiSecret', 'callbackToken']);
  });
});

describe('sending a fax through Phaxio', () => {
  it('faxes the text as a cover page with the PDF behind it, billed per page', async () => {
    const id = await sendFax(cardiology.ref, {
      subject: 'Referral', text: referralText,
      attachments: [{
        filename: 'history.pdf', contentType: 'application/pdf',
        content: Buffer.from(letter).toString('base64'),
      }],
    });
    const sent = await untilStatus(id, 'sent');
    expect(sent).toMatchObject({ provider: 'phaxio', units: 3 });

    const [request] = faxRequests(id);
    const basic = Buffer.from(`${apiKey}:${apiSecret}`).toString('base64');
    expect(request.headers.authorization).toBe(`Basic ${basic}`);
    expect(request.params).toMatchObject({
      to: cardiology.fax,
      caller_id: practiceFax,
      callback_url: `${publicUrl}/webhooks/phaxio/fax`,
    });
    const sha1 = createHash('sha1').update(letter).digest('hex');
    expect(request.files).toEqual([
      expect.objectContaining({ field: 'file[]', filename: 'message.pdf' }),
      expect.objectContaining({ field: 'file[]', filename: 'history.pdf', sha1 }),
    ]);

    const fax = sim.phaxio.faxes.get(Number(sent.providerId))!;
    const cover = await PDFDocument.load(fax.file!.content);
    expect(cover.getPageCount()).toBe(1);

    await sim.phaxio.complete(Number(sent.providerId));
    const delivered = await untilStatus(id, 'delivered');
    expect(delivered.units).toBe(3);
    expect(delivered.history.map((event: { status: string }) => event.status))
      .toEqual(['scheduled', 'sending', 'sent', 'delivered']);
  });

  it('runs a long text over as many cover pages as it needs', async () => {
    const text = Array.from({ length: 120 }, (_, line) => `Line ${line + 1} of the report.`)
      .join('\n');
    const id = await sendFax(cardiology.ref, { text });

    const sent = await untilStatus(id, 'sent');
    expect(sent.units).toBe(3);
    await sim.phaxio.complete(Number(sent.providerId));
    expect((await untilStatus(id, 'delivered')).units).toBe(3);
  });

  it('fails a fax to a busy line with the reason busy', async () => {
    sim.phaxio.setLine(busyClinic.fax, faxFailures.busy);
    const id = await sendFax(busyClinic.ref, { text: 'Lab results attached' });

    const sent = await untilStatus(id, 'sent');
    await sim.phaxio.complete(Number(sent.providerId));
    const failed = await untilStatus(id, 'failed');
    expect(failed.statusReason).toBe('busy');
  });

  it('refuses a callback with a tampered or missing signature and changes nothing', async () => {
    const id = await sendFax(cardiology.ref, { text: 'Discharge summary follows' });
    const sent = await untilStatus(id, 'sent');
    const faxId = Number(sent.providerId);
    const failure = { id: faxId, direction: 'sent', status: 'failure', num_pages: 1 };

    const tampered = await postWebhook('/fax', { ...failure, status: 'success' }, {
      tamper: (form) => form.set('fax', JSON.stringify(failure)),
    });
    expect(tampered.status).toBe(403);
    expect((await tampered.json()).error.code).toBe('forbidden');

    const unsigned = await postWebhook('/fax', failure, { signature: '' });
    expect(unsigned.status).toBe(403);

    const forgedUrl = await postWebhook('/fax', failure, {
      signature: phaxioSignature(callbackToken, `${testHub.url}/elsewhere`, {
        event_type: 'fax_completed', fax: JSON.stringify(failure),
      }),
    });
    expect(forgedUrl.status).toBe(403);

    expect(await readMessage(id)).toMatchObject({ status: 'sent', history: sent.history });
    await sim.phaxio.complete(faxId);
    await untilStatus(id, 'delivered');
  });

  it('retries a send that Phaxio answered with 500, and faxes it once', async () => {
    sim.failNext({ provider: 'phaxio', status: 500, path: '/faxes' });
    const id = await sendFax(cardiology.ref, { text: 'Prior authorization' });

    const sent = await untilStatus(id, 'sent');
    const attempts = faxRequests(id);
    expect(attempts.map((request) => request.status)).toEqual([500, 200]);
    expect([...sim.phaxio.faxes.values()]
      .filter((fax) => fax.resource.tags.hub_message_id === id)).toHaveLength(1);

    await sim.phaxio.complete(Number(sent.providerId));
    const delivered = await untilStatus(id, 'delivered');
    const statuses = delivered.history.map((event: { status: string }) => event.status);
    expect(statuses.filter((status: string) => status === 'sent')).toHaveLength(1);
    expect(statuses.filter((status: string) => status === 'delivered')).toHaveLength(1);
  });

  it('fails for good when Phaxio refuses the number or the credentials', async () => {
    sim.failNext({ provider: 'phaxio', status: 422, message: 'Invalid recipient number' });
    const refusedNumber = await sendFax(cardiology.ref, { text: 'Consult notes' });
    expect((await untilStatus(refusedNumber, 'failed')).statusReason).toBe('invalid_address');

    sim.failNext({ provider: 'phaxio', status: 401 });
    const refusedKey = await sendFax(cardiology.ref, { text: 'Consult notes' });
    expect((await untilStatus(refusedKey, 'failed')).statusReason).toBe('provider_error');
    expect(faxRequests(refusedKey)).toHaveLength(1);
  });

  it('fails a fax whose attachment is not a readable PDF without calling Phaxio', async () => {
    const id = await sendFax(cardiology.ref, {
      text: 'Scan attached',
      attachments: [{
        filename: 'scan.pdf', contentType: 'application/pdf',
        content: Buffer.from('not a pdf').toString('base64'),
      }],
    });
    expect((await untilStatus(id, 'failed')).statusReason).toBe('fax_failed');
    expect(faxRequests(id)).toHaveLength(0);
  });
});

describe('the Phaxio client', () => {
  const client = (timeoutMs = 5000) => createPhaxioClient({
    apiKey, apiSecret, baseUrl: `${sim.url}/v2.1`, timeoutMs,
  });
  const files = () => [{ filename: 'a.pdf', contentType: 'application/pdf', data: letter }];
  const request = () => ({ to: cardiology.fax, files: files(), callbackUrl: 'http://hub/fax' });

  it('reads back a fax it sent, and its file', async () => {
    const { id } = await client().sendFax({ ...request(), tags: { hub_message_id: 'm-1' } });

    expect(await client().getFax(id)).toMatchObject({
      id, direction: 'sent', status: 'queued', num_pages: 2, tags: { hub_message_id: 'm-1' },
    });
    expect(new Uint8Array(await client().downloadFile(id))).toEqual(letter);
  });

  it('treats a slow answer and a rate limit as passing, a missing fax as permanent', async () => {
    sim.failNext({ provider: 'phaxio', delayMs: 1000 });
    const slow = await client(100).sendFax(request()).catch((error: unknown) => error);
    expect(slow).toBeInstanceOf(ProviderError);
    expect(slow).toMatchObject({ permanent: false, reason: 'provider_error' });

    sim.failNext({ provider: 'phaxio', status: 429 });
    const limited = await client().sendFax(request()).catch((error: unknown) => error);
    expect(limited).toMatchObject({ permanent: false, providerCode: 429 });

    const missing = await client().getFax(1).catch((error: unknown) => error);
    expect(missing).toMatchObject({ permanent: true, providerCode: 404 });
  });
});

describe('receiving a fax through Phaxio', () => {
  async function inboundFrom(ref: string) {
    const { body } = await testHub.api(account.key, 'GET',
      `/v1/accounts/lakeside/messages?recipientType=contact&recipientRef=${ref}`);
    return body.messages.filter((message: { direction: string }) =>
      message.direction === 'inbound');
  }

  async function storedFax(providerId: string) {
    const { db } = testHub.hub.services.database;
    const [message] = await db.select().from(messages)
      .where(and(eq(messages.provider, 'phaxio'), eq(messages.providerId, providerId)));
    const files = await db.select().from(attachments).where(eq(attachments.messageId, message.id));
    return { message, files };
  }

  it('stores a fax from a known contact in their thread, with its PDF', async () => {
    const document = await pdfOfPages(3);
    const incoming = { from: cardiology.fax, to: practiceFax, pdf: document };
    const reply = await sim.phaxio.receive(incoming);
    expect(reply.status).toBe(200);

    const [inbound] = await inboundFrom(cardiology.ref);
    expect(inbound).toMatchObject({ status: 'received', channel: 'efax', units: 3 });

    const { message, files } = await storedFax(inbound.providerId);
    expect(files).toEqual([expect.objectContaining({
      filename: `fax-${inbound.providerId}.pdf`,
      contentType: 'application/pdf',
      size: document.length,
    })]);
    expect(new Uint8Array(files[0].data!)).toEqual(document);

    const { db } = testHub.hub.services.database;
    const [thread] = await db.select({ id: threads.id }).from(threads)
      .innerJoin(recipients, eq(recipients.id, threads.recipientId))
      .where(and(eq(recipients.accountId, 'lakeside'), eq(recipients.ref, cardiology.ref)));
    expect(message.threadId).toBe(thread.id);
  });

  it('stores a callback that arrives twice once', async () => {
    const document = await pdfOfPages(1);
    const fax = {
      id: 777_000_001, direction: 'received', status: 'success', num_pages: 1,
      from_number: busyClinic.fax, to_number: practiceFax,
    };

    const first = await postWebhook('/receive', fax, { file: document });
    const again = await postWebhook('/receive', fax, { file: document });
    expect([first.status, again.status]).toEqual([200, 200]);

    expect(await inboundFrom(busyClinic.ref)).toHaveLength(1);
    expect((await storedFax(String(fax.id))).files).toHaveLength(1);
  });

  it('fetches the document from Phaxio when the callback carries no file', async () => {
    const document = await pdfOfPages(2);
    const elsewhere = `${publicUrl}/webhooks/phaxio/not-here`;
    const incoming = { from: '+12025550177', to: practiceFax, pdf: document, url: elsewhere };
    await sim.phaxio.receive(incoming);
    const [fax] = [...sim.phaxio.faxes.values()].filter((stored) =>
      stored.resource.from_number === '+12025550177');

    const reply = await postWebhook('/receive', fax.resource);
    expect(reply.status).toBe(200);
    const { message, files } = await storedFax(String(fax.resource.id));
    expect(message).toMatchObject({ recipientId: null, address: '+12025550177' });
    expect(new Uint8Array(files[0].data!)).toEqual(document);
  });

  it('refuses an inbound fax whose file was swapped after signing', async () => {
    const fax = {
      id: 777_000_002, direction: 'received', status: 'success', num_pages: 1,
      from_number: cardiology.fax, to_number: practiceFax,
    };
    const reply = await postWebhook('/receive', fax, {
      file: await pdfOfPages(1),
      tamper: (form) => form.set('file', new Blob([letter as BlobPart]), 'fax.pdf'),
    });
    expect(reply.status).toBe(403);
    const { db } = testHub.hub.services.database;
    const stored = await db.select().from(messages).where(eq(messages.providerId, String(fax.id)));
    expect(stored).toHaveLength(0);
  });
});

describe('what Phaxio traffic leaves in the logs', () => {
  it('never writes fax numbers or text', async () => {
    await sim.settle();
    const log = logLines.join('\n');
    expect(log).toContain('fax queued at phaxio');
    for (const secret of [referralText, cardiology.fax, busyClinic.fax, practiceFax]) {
      expect(log).not.toContain(secret);
    }
  });
});
