import { PDFDocument } from 'pdf-lib';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { faxFailures, startSimulator, type Simulator } from './index.ts';
import { phaxioSignature } from './signing.ts';
import { WebhookReceiver, type ReceivedWebhook } from './webhook-receiver.ts';

const apiKey = 'phaxio-key';
const apiSecret = 'phaxio-secret';
const callbackToken = 'phaxio-callback-token';
const faxNumber = '+18475551234';

let sim: Simulator;
let hub: WebhookReceiver;
let pdf: Uint8Array;

/** The hub's Phaxio client in miniature: fetch, FormData and Basic credentials. */
function phaxio(path: string, init: RequestInit = {}, at = sim, secret = apiSecret) {
  const auth = Buffer.from(`${apiKey}:${secret}`).toString('base64');
  const headers = { Authorization: `Basic ${auth}` };
  return fetch(`${at.url}/v2.1${path}`, { ...init, headers });
}

function sendForm(fields: Record<string, string>, file = pdf): FormData {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) form.append(name, value);
  form.append('file', new Blob([file as BlobPart], { type: 'application/pdf' }), 'letter.pdf');
  return form;
}

/** Recomputes `X-Phaxio-Signature` from what arrived and returns the parsed `fax` field. */
async function verifiedFax(hook: ReceivedWebhook, url: string): Promise<Record<string, any>> {
  const form = await hook.form();
  const params: Record<string, string> = {};
  const files = [];
  for (const [name, value] of form) {
    if (typeof value === 'string') params[name] = value;
    else files.push({ name, content: new Uint8Array(await value.arrayBuffer()) });
  }
  const expected = phaxioSignature(callbackToken, url, params, files);
  expect(hook.headers['x-phaxio-signature']).toBe(expected);
  return JSON.parse(params.fax);
}

beforeAll(async () => {
  const document = await PDFDocument.create();
  for (let page = 0; page < 3; page++) document.addPage();
  pdf = await document.save();

  hub = await new WebhookReceiver().start();
  sim = await startSimulator({ phaxio: { apiKey, apiSecret, callbackToken } });
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

describe('Phaxio faxes API', () => {
  it('queues a fax, records the upload and posts a signed fax_completed', async () => {
    const callbackUrl = `${hub.url}/phaxio/sent?x=1`;
    const form = sendForm({ to: faxNumber, callback_url: callbackUrl, 'tag[hub_id]': 'f_1' });
    const response = await phaxio('/faxes', { method: 'POST', body: form });
    const body = await response.json();
    expect(response.status).toBe(200);
    expect(body).toMatchObject({ success: true, message: 'Fax queued for sending' });
    expect(body.data.id).toEqual(expect.any(Number));

    const [request] = sim.requests;
    expect(request.params).toMatchObject({ to: faxNumber, 'tag[hub_id]': 'f_1' });
    expect(request.files).toEqual([
      expect.objectContaining({ field: 'file', filename: 'letter.pdf', size: pdf.byteLength }),
    ]);
    await sim.settle();

    const [hook] = hub.on('/phaxio/sent');
    const fax = await verifiedFax(hook, callbackUrl);
    expect(fax).toMatchObject({ id: body.data.id, status: 'success', num_pages: 3 });
    expect(fax.tags).toEqual({ hub_id: 'f_1' });
    expect((await hook.form()).get('event_type')).toBe('fax_completed');

    const metadata = await (await phaxio(`/faxes/${body.data.id}`)).json();
    expect(metadata.data).toMatchObject({ status: 'success', cost: 21 });
    const file = await phaxio(`/faxes/${body.data.id}/file`);
    expect(new Uint8Array(await file.arrayBuffer())).toEqual(pdf);
  });

  it('reports a busy line as a failure with lineError 17', async () => {
    sim.phaxio.setLine(faxNumber, faxFailures.busy);
    const callbackUrl = `${hub.url}/phaxio/sent`;
    const form = sendForm({ to: faxNumber, callback_url: callbackUrl });
    await phaxio('/faxes', { method: 'POST', body: form });
    await sim.settle();

    const fax = await verifiedFax(hub.on('/phaxio/sent')[0], callbackUrl);
    expect(fax).toMatchObject({ status: 'failure', error_type: 'lineError', error_id: 17 });
    expect(fax.recipients[0]).toMatchObject({ phone_number: faxNumber, status: 'failure' });
  });

  it('refuses wrong credentials and a fax without a document', async () => {
    const body = sendForm({ to: faxNumber });
    const denied = await phaxio('/faxes', { method: 'POST', body }, sim, 'wrong');
    expect(denied.status).toBe(401);
    expect(await denied.json()).toMatchObject({ success: false });

    const form = new FormData();
    form.append('to', faxNumber);
    const invalid = await phaxio('/faxes', { method: 'POST', body: form });
    expect(invalid.status).toBe(422);
  });

  it('posts a received fax with its PDF, signed over the file too', async () => {
    const receiveUrl = `${hub.url}/phaxio/received`;
    sim.setWebhookUrls({ phaxioReceive: receiveUrl });
    await sim.phaxio.receive({ from: '+12125550100', to: faxNumber, pdf });

    const [hook] = hub.on('/phaxio/received');
    const fax = await verifiedFax(hook, receiveUrl);
    expect(fax).toMatchObject({ direction: 'received', num_pages: 3, from_number: '+12125550100' });
    const file = (await hook.form()).get('file') as File;
    expect(new Uint8Array(await file.arrayBuffer())).toEqual(pdf);
  });
});

describe('Phaxio cancel', () => {
  it('cancels a queued fax and reports it failed', async () => {
    const phaxioOptions = { apiKey, apiSecret, callbackToken };
    const manual = await startSimulator({ autoWebhooks: false, phaxio: phaxioOptions });
    try {
      const callbackUrl = `${hub.url}/phaxio/canceled`;
      const form = sendForm({ to: faxNumber, callback_url: callbackUrl });
      const sent = await phaxio('/faxes', { method: 'POST', body: form }, manual);
      const { data } = await sent.json();
      expect(manual.phaxio.faxes.get(data.id)?.resource.status).toBe('queued');

      const cancel = await phaxio(`/faxes/${data.id}/cancel`, { method: 'POST' }, manual);
      expect(await cancel.json()).toMatchObject({ success: true });
      await manual.settle();
      const fax = await verifiedFax(hub.on('/phaxio/canceled')[0], callbackUrl);
      expect(fax).toMatchObject({ id: data.id, status: 'failure' });

      const again = await phaxio(`/faxes/${data.id}/cancel`, { method: 'POST' }, manual);
      expect(again.status).toBe(422);
    } finally {
      await manual.stop();
    }
  });
});
