import twilio from 'twilio';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from './index.ts';
import { WebhookReceiver } from './webhook-receiver.ts';

const accountSid = 'AC' + 'a'.repeat(32);
const authToken = 'test-auth-token';
const hubNumber = '+15017122661';
const patient = '+15558675310';

let sim: Simulator;
let hub: WebhookReceiver;

/**
 * twilio-node has no base-URL option. `edge` and `region` only rewrite the `api.twilio.com`
 * host name (and garble an IP address), and a custom `httpClient` would bypass the SDK's own
 * encoding. Each product is a Domain whose `baseUrl` prefixes every request URL
 * (lib/base/Domain.js, `absoluteUrl`), so setting it on `client.api` sends Messages and Calls to
 * the simulator over plain http. TWILIO_EDGE and TWILIO_REGION must be unset.
 */
function twilioClient(token = authToken) {
  const client = twilio(accountSid, token);
  client.api.baseUrl = sim.url;
  return client;
}

beforeAll(async () => {
  hub = await new WebhookReceiver().start();
  sim = await startSimulator({ twilio: { accountSid, authToken } });
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

describe('Twilio Messages API', () => {
  it('accepts a send from the SDK, records it and answers as Twilio does', async () => {
    const statusCallback = `${hub.url}/twilio/status`;
    const message = await twilioClient().messages.create({
      to: patient,
      from: hubNumber,
      body: 'Hello ünï, your appointment is at 10:00',
      statusCallback,
    });

    expect(message.sid).toMatch(/^SM[0-9a-f]{32}$/);
    expect(message.status).toBe('queued');
    expect(message.numSegments).toBe('1');
    expect(message.accountSid).toBe(accountSid);

    const [request] = sim.requests;
    expect(request).toMatchObject({
      provider: 'twilio',
      method: 'POST',
      path: `/2010-04-01/Accounts/${accountSid}/Messages.json`,
      params: { To: patient, From: hubNumber, StatusCallback: statusCallback },
      status: 201,
    });
    expect(request.params.Body).toBe('Hello ünï, your appointment is at 10:00');
  });

  it('counts UCS-2 segments and marks media messages as MMS', async () => {
    const message = await twilioClient().messages.create({
      to: patient,
      from: hubNumber,
      body: 'Łódź '.repeat(20),
      mediaUrl: ['https://example.org/a.jpg', 'https://example.org/b.jpg'],
    });
    expect(message.sid).toMatch(/^MM/);
    expect(message.numSegments).toBe('2');
    expect(message.numMedia).toBe('2');
    expect(sim.requests[0].params.MediaUrl).toHaveLength(2);
  });

  it('refuses wrong credentials with 20003', async () => {
    const client = twilioClient('wrong');
    const send = client.messages.create({ to: patient, from: hubNumber, body: 'x' });
    await expect(send).rejects.toMatchObject({ status: 401, code: 20003 });
  });

  it('answers 404 with 20404 for an unknown message', async () => {
    const fetchUnknown = twilioClient().messages('SM' + '0'.repeat(32)).fetch();
    await expect(fetchUnknown).rejects.toMatchObject({ status: 404, code: 20404 });
  });

  it('refuses an invalid number with 21211', async () => {
    const send = twilioClient().messages.create({ to: '+1555', from: hubNumber, body: 'x' });
    await expect(send).rejects.toMatchObject({ status: 400, code: 21211 });
  });

  it('posts signed sent and delivered callbacks, and the message reads delivered', async () => {
    const url = `${hub.url}/twilio/status?account=1`;
    const client = twilioClient();
    const sent = await client.messages.create({
      to: patient,
      from: hubNumber,
      body: 'Hi',
      statusCallback: url,
    });
    await sim.settle();

    const hooks = hub.received.filter((hook) => hook.path === '/twilio/status');
    const statuses: string[] = [];
    for (const hook of hooks) {
      const params = Object.fromEntries(new URLSearchParams(hook.text));
      const signature = hook.headers['x-twilio-signature'];
      expect(twilio.validateRequest(authToken, signature, hook.url, params)).toBe(true);
      expect(params).toMatchObject({ MessageSid: sent.sid, AccountSid: accountSid, To: patient });
      statuses.push(params.MessageStatus);
    }
    expect(statuses).toEqual(['sent', 'delivered']);

    const fetched = await client.messages(sent.sid).fetch();
    expect(fetched.status).toBe('delivered');
    expect(Number(fetched.price)).toBeLessThan(0);
  });

  it('reports a landline as undelivered with 30006', async () => {
    const landline = '+15555550123';
    sim.twilio.messages.markLandline(landline);
    await twilioClient().messages.create({
      to: landline,
      from: hubNumber,
      body: 'Hi',
      statusCallback: `${hub.url}/landline`,
    });
    await sim.settle();

    const params = hub.on('/landline').map((hook) => new URLSearchParams(hook.text));
    expect(params.map((p) => p.get('MessageStatus'))).toEqual(['sent', 'undelivered']);
    expect(params[1].get('ErrorCode')).toBe('30006');
    expect(params[0].has('ErrorCode')).toBe(false);
  });
});

describe('Twilio inbound SMS', () => {
  it('posts a signed inbound message with media and returns the TwiML replies', async () => {
    const twiml = '<Response><Message>Thanks &amp; bye</Message></Response>';
    hub.answer('/twilio/inbound', () =>
      new Response(twiml, { headers: { 'Content-Type': 'text/xml' } }),
    );
    sim.setWebhookUrls({ twilioInboundSms: `${hub.url}/twilio/inbound` });

    const result = await sim.twilio.inbound.receive({
      from: patient,
      to: hubNumber,
      body: 'Running late',
      media: [{ contentType: 'image/png', content: 'png-bytes' }],
    });
    expect(result.replies).toEqual(['Thanks & bye']);

    const [hook] = hub.on('/twilio/inbound');
    const params = Object.fromEntries(new URLSearchParams(hook.text));
    const signature = hook.headers['x-twilio-signature'];
    expect(twilio.validateRequest(authToken, signature, hook.url, params)).toBe(true);
    expect(params).toMatchObject({ From: patient, To: hubNumber, NumMedia: '1' });
    expect(params.Body).toBe('Running late');
    expect(params.MessageSid).toBe(result.messageSid);

    const media = await fetch(params.MediaUrl0);
    expect(media.headers.get('content-type')).toBe('image/png');
    expect(await media.text()).toBe('png-bytes');
  });

  it('refuses sends with 21610 after the patient texts STOP, until START', async () => {
    sim.setWebhookUrls({ twilioInboundSms: `${hub.url}/twilio/inbound` });
    await sim.twilio.inbound.receive({ from: patient, to: hubNumber, body: ' stop ' });

    const client = twilioClient();
    const send = () => client.messages.create({ to: patient, from: hubNumber, body: 'Hi' });
    await expect(send()).rejects.toMatchObject({ code: 21610 });

    await sim.twilio.inbound.receive({ from: patient, to: hubNumber, body: 'START' });
    await expect(send()).resolves.toMatchObject({ status: 'queued' });
  });
});
