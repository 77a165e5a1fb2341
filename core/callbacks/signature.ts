import { createHmac, createSecretKey, randomBytes, type KeyObject } from 'node:crypto';

const secretPrefix = 'whsec_';

/** A new signing secret in the Standard Webhooks form: `whsec_` and a base64 key. */
export function generateSecret(): string {
  return `${secretPrefix}${randomBytes(32).toString('base64')}`;
}

export interface SignedHeaders {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
}

/**
 * The headers of a Standard Webhooks request: an HMAC-SHA256 over `id.timestamp.body` with
 * the base64-decoded secret, so any Standard Webhooks library can verify it.
 * https://github.com/standard-webhooks/standard-webhooks/blob/main/spec/standard-webhooks.md
 */
export function signedHeaders(secret: string, id: string, at: Date, body: string): SignedHeaders {
  const timestamp = String(Math.floor(at.getTime() / 1000));
  const signature = createHmac('sha256', signingKey(secret))
    .update(`${id}.${timestamp}.${body}`)
    .digest('base64');
  return {
    'webhook-id': id,
    'webhook-timestamp': timestamp,
    'webhook-signature': `v1,${signature}`,
  };
}

/**
 * The keys of the secrets in use, made once each: turning a secret into a key for every
 * callback took more of a worker's time than the HMAC itself. A rotated secret's key is
 * dropped when the cache is full, which only a hub with that many endpoints reaches.
 */
const keys = new Map<string, KeyObject>();
const mostKeys = 1000;

function signingKey(secret: string): KeyObject {
  let key = keys.get(secret);
  if (key) return key;

  if (keys.size >= mostKeys) keys.clear();
  key = createSecretKey(Buffer.from(secret.slice(secretPrefix.length), 'base64'));
  keys.set(secret, key);
  return key;
}
