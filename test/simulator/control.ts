import type { Context } from 'hono';
import type { SimApp, SimEnv } from './context.ts';
import type { FailForSpec, FailNextSpec } from './faults.ts';
import type { Provider, WebhookUrls } from './options.ts';
import type { InboundEmail } from './sendgrid-inbound.ts';
import type { Simulator } from './server.ts';
import type { InboundSms } from './twilio-inbound.ts';

type Json = Record<string, any>;
type Trigger = (sim: Simulator, body: Json) => Promise<unknown>;

/** Webhooks a test in another process can fire: `POST /__sim/trigger/{provider}/{event}`. */
const triggers: Record<string, Trigger> = {
  'twilio/message-status': (sim, body) =>
    sim.twilio.messages.sendStatus(body.sid, body.status, body.errorCode),
  'twilio/inbound-sms': (sim, body) => sim.twilio.inbound.receive(body as InboundSms),
  'twilio/call-connect': (sim, body) => sim.twilio.calls.connect(body.sid),
  'twilio/gather': (sim, body) =>
    sim.twilio.calls.pressDigits(body.sid, body.digits, body.actionUrl),
  'twilio/call-status': (sim, body) =>
    sim.twilio.calls.hangUp(body.sid, body.status, body.durationSec),
  'sendgrid/events': (sim, body) =>
    body.messageId
      ? sim.sendgrid.sendEvents(body.messageId, body.events)
      : sim.sendgrid.postEvents(body.events),
  'sendgrid/inbound-parse': (sim, body) => sim.sendgrid.receive(body as InboundEmail),
  'phaxio/fax-completed': (sim, body) => sim.phaxio.complete(Number(body.id)),
  'phaxio/fax-received': (sim, body) => {
    const pdf = body.pdfBase64 ? Buffer.from(body.pdfBase64, 'base64') : undefined;
    const { from, to, pages, url } = body;
    return sim.phaxio.receive({ from, to, pages, url, pdf });
  },
};

/** How each kind of destination is told how to behave: `POST /__sim/destinations`. */
const destinations: Record<string, (sim: Simulator, address: string, behavior: Json) => void> = {
  sms: (sim, address, behavior) => sim.twilio.messages.setDestination(address, behavior),
  voice: (sim, address, behavior) => sim.twilio.calls.setBehavior(address, behavior),
  email: (sim, address, behavior) => sim.sendgrid.setMailbox(address, behavior),
  fax: (sim, address, behavior) => sim.phaxio.setLine(address, behavior),
};

async function readJson(c: Context<SimEnv>): Promise<Json> {
  const text = await c.req.text();
  return text === '' ? {} : (JSON.parse(text) as Json);
}

/** The simulator's own API, for tests and benchmarks that drive it over HTTP. */
export function mountControl(app: SimApp, sim: Simulator): void {
  app.get('/__sim/info', (c) => {
    const { url, credentials } = sim;
    return c.json({ url, credentials, sendgridPublicKey: sim.sendgrid.publicKey });
  });
  app.get('/__sim/requests', (c) => {
    const provider = c.req.query('provider') as Provider | undefined;
    return c.json(provider ? sim.requests.filter((r) => r.provider === provider) : sim.requests);
  });
  app.delete('/__sim/requests', (c) => {
    sim.clearRequests();
    return c.body(null, 204);
  });
  app.get('/__sim/webhooks', (c) => c.json({ sent: sim.webhooks, failures: sim.failures }));

  app.post('/__sim/fail-next', async (c) => {
    sim.failNext((await readJson(c)) as FailNextSpec);
    return c.body(null, 204);
  });
  app.post('/__sim/fail-for', async (c) => {
    sim.failFor((await readJson(c)) as FailForSpec);
    return c.body(null, 204);
  });
  app.delete('/__sim/faults', (c) => {
    sim.clearFaults();
    return c.body(null, 204);
  });

  app.put('/__sim/webhook-urls', async (c) => {
    sim.setWebhookUrls((await readJson(c)) as WebhookUrls);
    return c.body(null, 204);
  });
  app.post('/__sim/destinations', async (c) => {
    const { kind, address, behavior } = await readJson(c);
    const apply = destinations[kind];
    if (!apply) return c.json({ error: `Unknown destination kind ${kind}` }, 400);
    apply(sim, address, behavior ?? {});
    return c.body(null, 204);
  });

  app.post('/__sim/trigger/:provider/:event', async (c) => {
    const trigger = triggers[`${c.req.param('provider')}/${c.req.param('event')}`];
    if (!trigger) return c.json({ error: 'Unknown trigger' }, 404);
    try {
      return c.json({ result: (await trigger(sim, await readJson(c))) ?? null });
    } catch (error) {
      return c.json({ error: (error as Error).message }, 400);
    }
  });

  app.post('/__sim/settle', async (c) => {
    await sim.settle();
    return c.body(null, 204);
  });
  app.post('/__sim/reset', (c) => {
    sim.reset();
    return c.body(null, 204);
  });
}
