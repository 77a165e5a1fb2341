import { Agent } from 'node:http';
import twilio from 'twilio';

export interface TwilioClientOptions {
  accountSid: string;
  authToken: string;
  baseUrl: string;
  requestTimeoutSeconds: number;
}

export type TwilioClient = ReturnType<typeof twilio>;

/**
 * A Twilio REST client for the configured account and base URL. twilio-node has no base-URL
 * option: each product domain has a `baseUrl`, set after construction (lib/base/Domain.js).
 * Edge, region and log level are pinned, so `TWILIO_EDGE`/`TWILIO_REGION` cannot rewrite the
 * host and `TWILIO_LOG_LEVEL=debug` cannot print message bodies and numbers. The SDK's own 429
 * retry stays off: the hub's queue retries every transient failure.
 */
export function createTwilioClient(options: TwilioClientOptions): TwilioClient {
  const client = twilio(options.accountSid, options.authToken, {
    edge: '',
    region: '',
    logLevel: 'info',
    env: {},
    autoRetry: false,
    timeout: options.requestTimeoutSeconds * 1000,
  });
  client.api.baseUrl = options.baseUrl.replace(/\/+$/, '');
  // twilio-node keeps only its HTTPS connections alive; a plain-HTTP base URL (a gateway
  // inside the network, the simulator in tests) would open a connection for every request.
  client.httpClient.axios.defaults.httpAgent = new Agent({ keepAlive: true });
  return client;
}
