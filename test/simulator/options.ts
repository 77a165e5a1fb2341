import type { KeyObject } from 'node:crypto';

export type Provider = 'twilio' | 'sendgrid' | 'phaxio';

export interface TwilioCredentials {
  accountSid: string;
  authToken: string;
}

export interface SendGridCredentials {
  apiKey: string;
  /**
   * The Event Webhook signing key (PKCS#8 PEM or a KeyObject on P-256). Without it, each
   * simulator instance generates its own pair; read `sim.sendgrid.publicKey` to verify.
   */
  webhookPrivateKey?: string | KeyObject;
}

export interface PhaxioCredentials {
  apiKey: string;
  apiSecret: string;
  /** The account's callback token: the HMAC key of `X-Phaxio-Signature`. */
  callbackToken: string;
}

/**
 * Where the simulator sends the webhooks that a provider configures per account or per number,
 * not per request. Per-request URLs (`StatusCallback`, `Url`, `callback_url`) come with the call.
 */
export interface WebhookUrls {
  /** The Twilio number's "A message comes in" URL. */
  twilioInboundSms?: string;
  /** The SendGrid Event Webhook URL. */
  sendgridEvents?: string;
  /** The SendGrid Inbound Parse URL. */
  sendgridInboundParse?: string;
  /** The Phaxio account's send webhook, used when a fax is sent without `callback_url`. */
  phaxioSendCallback?: string;
  /** The Phaxio number's receive webhook. */
  phaxioReceive?: string;
}

export interface SimulatorOptions {
  /** Defaults to 127.0.0.1. */
  hostname?: string;
  /** Defaults to 0: a free port chosen by the system. */
  port?: number;
  twilio?: Partial<TwilioCredentials>;
  sendgrid?: Partial<SendGridCredentials>;
  phaxio?: Partial<PhaxioCredentials>;
  webhookUrls?: WebhookUrls;
  /**
   * Whether a successful send is followed by the provider's webhooks (status callbacks, events,
   * the fax completion) and the message's status moves on. Defaults to true.
   */
  autoWebhooks?: boolean;
  /** Pause before each automatic webhook, so that tests can act in between. Defaults to 0. */
  webhookDelayMs?: number;
  /** How long a webhook may take to answer before the simulator gives up. Defaults to 10 s. */
  webhookTimeoutMs?: number;
  /** Keep every API call in `sim.requests`. Defaults to true; benchmarks may turn it off. */
  recordRequests?: boolean;
}

/** Credentials used when a test passes none: fixed, so that hub configs can name them. */
export const defaultCredentials = {
  twilio: {
    accountSid: 'AC00000000000000000000000000000001',
    authToken: 'sim-twilio-auth-token',
  },
  sendgrid: { apiKey: 'SG.sim-sendgrid-api-key' },
  phaxio: {
    apiKey: 'sim-phaxio-key',
    apiSecret: 'sim-phaxio-secret',
    callbackToken: 'sim-phaxio-callback-token',
  },
} as const;

export interface ResolvedOptions {
  hostname: string;
  port: number;
  twilio: TwilioCredentials;
  sendgrid: SendGridCredentials;
  phaxio: PhaxioCredentials;
  autoWebhooks: boolean;
  webhookDelayMs: number;
  webhookTimeoutMs: number;
  recordRequests: boolean;
}

export function resolveOptions(options: SimulatorOptions): ResolvedOptions {
  return {
    hostname: options.hostname ?? '127.0.0.1',
    port: options.port ?? 0,
    twilio: { ...defaultCredentials.twilio, ...defined(options.twilio) },
    sendgrid: { ...defaultCredentials.sendgrid, ...defined(options.sendgrid) },
    phaxio: { ...defaultCredentials.phaxio, ...defined(options.phaxio) },
    autoWebhooks: options.autoWebhooks ?? true,
    webhookDelayMs: options.webhookDelayMs ?? 0,
    webhookTimeoutMs: options.webhookTimeoutMs ?? 10_000,
    recordRequests: options.recordRequests ?? true,
  };
}

/** Drops keys set to undefined, so that they fall back to the defaults instead of erasing them. */
function defined<T extends object>(values: T | undefined): Partial<T> {
  const entries = Object.entries(values ?? {}).filter(([, value]) => value !== undefined);
  return Object.fromEntries(entries) as Partial<T>;
}
