import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import { Hono } from 'hono';
import type { SimContext, SimEnv } from './context.ts';
import { mountControl } from './control.ts';
import { Faults, type FailForSpec, type FailNextSpec } from './faults.ts';
import { providerGate } from './gate.ts';
import {
  resolveOptions,
  type PhaxioCredentials,
  type Provider,
  type SendGridCredentials,
  type SimulatorOptions,
  type TwilioCredentials,
  type WebhookUrls,
} from './options.ts';
import { authorizePhaxio, PhaxioFaxes } from './phaxio.ts';
import { providerError } from './provider-errors.ts';
import { Recorder, type RecordedRequest } from './recorder.ts';
import { authorizeSendGrid, SendGridMail } from './sendgrid.ts';
import { TwilioCalls } from './twilio-calls.ts';
import { authorizeTwilio } from './twilio-common.ts';
import { TwilioInbound } from './twilio-inbound.ts';
import { TwilioMessages } from './twilio-messages.ts';
import { WebhookSender, type BackgroundFailure, type SentWebhook } from './webhooks.ts';

/**
 * A loopback stand-in for Twilio, SendGrid and Phaxio: it answers their REST APIs as they do,
 * records every call, fails on demand, and sends their webhooks back, signed as they sign them.
 */
export class Simulator {
  readonly twilio: { messages: TwilioMessages; calls: TwilioCalls; inbound: TwilioInbound };
  readonly sendgrid: SendGridMail;
  readonly phaxio: PhaxioFaxes;
  private readonly ctx: SimContext;
  private readonly faults = new Faults();
  private server?: ServerType;

  constructor(options: SimulatorOptions = {}) {
    const resolved = resolveOptions(options);
    this.ctx = {
      options: resolved,
      urls: { ...options.webhookUrls },
      baseUrl: '',
      recorder: new Recorder(resolved.recordRequests),
      webhooks: new WebhookSender({
        delayMs: resolved.webhookDelayMs,
        timeoutMs: resolved.webhookTimeoutMs,
      }),
    };
    const messages = new TwilioMessages(this.ctx);
    this.twilio = {
      messages,
      calls: new TwilioCalls(this.ctx),
      inbound: new TwilioInbound(this.ctx, messages),
    };
    this.sendgrid = new SendGridMail(this.ctx);
    this.phaxio = new PhaxioFaxes(this.ctx);
  }

  /** The origin to give the SDKs as their base URL, e.g. `http://127.0.0.1:40123`. */
  get url(): string {
    return this.ctx.baseUrl;
  }

  get credentials(): {
    twilio: TwilioCredentials;
    sendgrid: Omit<SendGridCredentials, 'webhookPrivateKey'>;
    phaxio: PhaxioCredentials;
  } {
    const { twilio, sendgrid, phaxio } = this.ctx.options;
    return { twilio, sendgrid: { apiKey: sendgrid.apiKey }, phaxio };
  }

  /** Every provider API call so far, oldest first; also at `GET /__sim/requests`. */
  get requests(): readonly RecordedRequest[] {
    return this.ctx.recorder.requests;
  }

  /** Every webhook sent so far, with the receiver's answer. */
  get webhooks(): readonly SentWebhook[] {
    return this.ctx.webhooks.sent;
  }

  /** Background sequences that failed, e.g. because the hub did not answer. */
  get failures(): readonly BackgroundFailure[] {
    return this.ctx.webhooks.failures;
  }

  async start(): Promise<this> {
    if (this.server) return this;
    const app = this.buildApp();
    const { hostname, port } = this.ctx.options;
    const server = await new Promise<ServerType>((resolve) => {
      const listening: ServerType = serve({ fetch: app.fetch, hostname, port }, () =>
        resolve(listening),
      );
    });
    // Node's default of five seconds lets a client's reuse of an idle connection race the
    // close; the request is then reset before the simulator sees it. Providers' front ends
    // keep idle connections far longer.
    if ('keepAliveTimeout' in server) server.keepAliveTimeout = 65_000;
    this.server = server;

    const address = server.address() as AddressInfo;
    this.ctx.baseUrl = `http://${hostname}:${address.port}`;
    return this;
  }

  /** Stops sending webhooks and closes the server, dropping open keep-alive connections. */
  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    this.ctx.webhooks.stop();
    await this.ctx.webhooks.settle();
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      if ('closeAllConnections' in server) server.closeAllConnections();
    });
  }

  /** The next `count` matching calls (default 1) answer with this error or delay. */
  failNext(spec: FailNextSpec): void {
    this.faults.failNext(spec);
  }

  /** Every matching call fails until `durationMs` has passed. */
  failFor(spec: FailForSpec): void {
    this.faults.failFor(spec);
  }

  clearFaults(): void {
    this.faults.clear();
  }

  /** Sets account-level webhook URLs, typically once the hub under test knows its port. */
  setWebhookUrls(urls: WebhookUrls): void {
    Object.assign(this.ctx.urls, urls);
  }

  /** Resolves when every webhook the simulator has started to send has been answered. */
  settle(): Promise<void> {
    return this.ctx.webhooks.settle();
  }

  clearRequests(): void {
    this.ctx.recorder.clear();
  }

  /** Forgets recorded calls, sent webhooks, faults, resources and destination behaviours. */
  reset(): void {
    this.ctx.recorder.clear();
    this.ctx.webhooks.clear();
    this.faults.clear();
    this.twilio.messages.clear();
    this.twilio.calls.clear();
    this.twilio.inbound.clear();
    this.sendgrid.clear();
    this.phaxio.clear();
  }

  private buildApp(): Hono<SimEnv> {
    const app = new Hono<SimEnv>();
    const { ctx, faults } = this;
    const { sendgrid, phaxio } = ctx.options;
    app.use('/2010-04-01/*', providerGate('twilio', ctx, faults, authorizeTwilio(ctx)));
    app.use('/v3/*', providerGate('sendgrid', ctx, faults, authorizeSendGrid(sendgrid.apiKey)));
    const phaxioAuth = authorizePhaxio(phaxio.apiKey, phaxio.apiSecret);
    app.use('/v2.1/*', providerGate('phaxio', ctx, faults, phaxioAuth));

    this.twilio.messages.mount(app);
    this.twilio.inbound.mount(app);
    this.twilio.calls.mount(app);
    this.sendgrid.mount(app);
    this.phaxio.mount(app);
    mountControl(app, this);

    app.notFound((c) => {
      const provider = providerOf(c.req.path);
      return provider ? providerError(provider, 404) : c.json({ error: 'Not found' }, 404);
    });
    app.onError((error, c) => c.json({ error: error.message }, 500));
    return app;
  }
}

function providerOf(path: string): Provider | undefined {
  if (path.startsWith('/2010-04-01/')) return 'twilio';
  if (path.startsWith('/v3/')) return 'sendgrid';
  if (path.startsWith('/v2.1/')) return 'phaxio';
  return undefined;
}

/** Starts a simulator on a free loopback port. */
export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  return new Simulator(options).start();
}
