import type { Context } from 'hono';
import twilio from 'twilio';
import { HubError } from '../../core/errors.ts';
import type { Logger } from '../../core/log.ts';

/** The form parameters of a Twilio webhook; a repeated name keeps all its values. */
export type TwilioParams = Record<string, string | string[]>;

/**
 * Whether Twilio signed this URL and these parameters with the auth token: HMAC-SHA1 over the
 * URL followed by every parameter name and value, in name order.
 * https://www.twilio.com/docs/usage/webhooks/webhooks-security
 */
export function isSignedByTwilio(
  authToken: string,
  signature: string | undefined,
  url: string,
  params: TwilioParams,
): boolean {
  if (!signature) return false;
  return twilio.validateRequest(authToken, signature, url, params);
}

/**
 * Reads a Twilio webhook's form and checks its `X-Twilio-Signature`, or throws `forbidden`.
 * The URL checked is the one Twilio was given, the hub's public URL and the path (and query),
 * never the Host header, which a proxy in front of the hub changes.
 */
export async function readSignedParams(
  c: Context,
  options: { authToken: string; publicUrl: string; log?: Logger },
): Promise<TwilioParams> {
  const params = formParams(await c.req.text());
  const url = options.publicUrl.replace(/\/+$/, '') + c.req.path + new URL(c.req.url).search;

  const signature = c.req.header('x-twilio-signature');
  if (!isSignedByTwilio(options.authToken, signature, url, params)) {
    // A wrong auth token in the config refuses every webhook, so it should show in the logs.
    options.log?.warn({ path: c.req.path, signed: Boolean(signature) }, 'Twilio signature refused');
    throw new HubError('forbidden', { message: 'The Twilio signature does not match.' });
  }
  return params;
}

function formParams(body: string): TwilioParams {
  const params: TwilioParams = {};
  for (const [name, value] of new URLSearchParams(body)) {
    const seen = params[name];
    if (seen === undefined) params[name] = value;
    else params[name] = Array.isArray(seen) ? [...seen, value] : [seen, value];
  }
  return params;
}

/** One parameter's value; the first, if Twilio sent several. */
export function param(params: TwilioParams, name: string): string | undefined {
  const value = params[name];
  return Array.isArray(value) ? value[0] : value;
}
