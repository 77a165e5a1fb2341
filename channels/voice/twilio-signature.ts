import type { Context } from 'hono';
import twilio from 'twilio';
import { HubError } from '../../core/errors.ts';

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
  authToken: string,
  publicUrl: string,
): Promise<TwilioParams> {
  const params = formParams(await c.req.text());
  const url = publicUrl.replace(/\/+$/, '') + c.req.path + new URL(c.req.url).search;

  const signature = c.req.header('x-twilio-signature');
  if (!isSignedByTwilio(authToken, signature, url, params)) {
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
