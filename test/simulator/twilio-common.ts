import { randomBytes, randomUUID } from 'node:crypto';
import type { SimContext } from './context.ts';
import { hasBasicAuth, type Authorize } from './gate.ts';
import type { Params } from './parse-body.ts';
import { twilioError } from './provider-errors.ts';
import { twilioSignature } from './signing.ts';
import type { WebhookReply } from './webhooks.ts';

export const apiVersion = '2010-04-01';

/** A Twilio resource id: a two-letter prefix (`SM`, `MM`, `CA`, `ME`) and 32 hex digits. */
export function newSid(prefix: string): string {
  return prefix + randomBytes(16).toString('hex');
}

/** Twilio's resource dates are RFC 2822 with a numeric zone: `Thu, 24 Aug 2023 05:01:45 +0000`. */
export function twilioDate(date = new Date()): string {
  return date.toUTCString().replace('GMT', '+0000');
}

export function accountPath(accountSid: string): string {
  return `/${apiVersion}/Accounts/${accountSid}`;
}

/**
 * Twilio's REST API takes the account's SID and auth token as Basic credentials, and the SID in
 * the path must be that account. Media files stay readable without credentials, as Twilio serves
 * them unless an account turns on HTTP authentication for media.
 */
export function authorizeTwilio(ctx: SimContext): Authorize {
  const { accountSid, authToken } = ctx.options.twilio;
  return (request) => {
    const path = new URL(request.url).pathname;
    if (request.method === 'GET' && path.includes('/Media/')) return undefined;
    if (!hasBasicAuth(request, accountSid, authToken)) return twilioError(20003);
    if (!path.startsWith(`${accountPath(accountSid)}/`)) return twilioError(20404);
    return undefined;
  };
}

/**
 * Sends a Twilio webhook signed with the account's auth token. A POST carries the params as a
 * form; a GET carries them in the query string, and then the URL alone is signed.
 */
export async function sendTwilioWebhook(
  ctx: SimContext,
  kind: string,
  url: string,
  params: Record<string, string>,
  method = 'POST',
): Promise<WebhookReply> {
  const form = new URLSearchParams(params);
  const get = method.toUpperCase() === 'GET';
  const target = get ? appendQuery(url, form) : url;
  const signed: Params = get ? {} : params;

  const headers: Record<string, string> = {
    'X-Twilio-Signature': twilioSignature(ctx.options.twilio.authToken, target, signed),
    'I-Twilio-Idempotency-Token': randomUUID(),
    'User-Agent': 'TwilioProxy/1.1',
  };
  if (!get) headers['Content-Type'] = 'application/x-www-form-urlencoded';

  const body = get ? undefined : form.toString();
  return ctx.webhooks.send({
    provider: 'twilio',
    kind,
    url: target,
    method: get ? 'GET' : 'POST',
    headers,
    body,
    payload: params,
  });
}

function appendQuery(url: string, form: URLSearchParams): string {
  const separator = url.includes('?') ? '&' : '?';
  return url + separator + form.toString();
}
