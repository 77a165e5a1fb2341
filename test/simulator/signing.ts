import {
  createHash,
  createHmac,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  sign,
  type KeyObject,
} from 'node:crypto';
import type { Params } from './parse-body.ts';

/**
 * `X-Twilio-Signature`: base64 HMAC-SHA1, keyed with the auth token, over the full URL followed
 * by every parameter name and value, names in code-unit order. A repeated parameter adds its
 * distinct values in sorted order, as twilio-node's verifier expects.
 * https://www.twilio.com/docs/usage/security#validating-requests
 */
export function twilioSignature(authToken: string, url: string, params: Params): string {
  let data = url;
  for (const name of Object.keys(params).sort()) {
    const value = params[name];
    const values = Array.isArray(value) ? [...new Set(value)].sort() : [value];
    for (const item of values) data += name + item;
  }
  return createHmac('sha1', authToken).update(data, 'utf8').digest('base64');
}

export interface SignedFile {
  name: string;
  content: Uint8Array;
}

/**
 * `X-Phaxio-Signature`: hex HMAC-SHA1, keyed with the callback token, over the callback URL as
 * it was given, then the text fields sorted by name (name + value), then the file parts sorted
 * by part name (name + hex SHA-1 of the bytes).
 * https://www.phaxio.com/docs/security/callbacks
 */
export function phaxioSignature(
  token: string,
  url: string,
  params: Record<string, string>,
  files: SignedFile[] = [],
): string {
  let data = url;
  for (const name of Object.keys(params).sort()) data += name + params[name];

  const sorted = [...files].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const file of sorted) {
    data += file.name + createHash('sha1').update(file.content).digest('hex');
  }
  return createHmac('sha1', token).update(data, 'utf8').digest('hex');
}

/** The Event Webhook key pair, with the public key as SendGrid's settings page shows it. */
export interface EventWebhookKeys {
  privateKey: KeyObject;
  /** Base64 DER SubjectPublicKeyInfo (`MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE…`). */
  publicKey: string;
}

export function eventWebhookKeys(privateKey?: string | KeyObject): EventWebhookKeys {
  const key = privateKey
    ? typeof privateKey === 'string'
      ? createPrivateKey(privateKey)
      : privateKey
    : generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey;
  const der = createPublicKey(key).export({ type: 'spki', format: 'der' });
  return { privateKey: key, publicKey: der.toString('base64') };
}

/**
 * `X-Twilio-Email-Event-Webhook-Signature`: ECDSA P-256 with SHA-256 over the timestamp header
 * followed by the raw body, DER-encoded, base64.
 * (SendGrid's "Event Webhook security features", under tracking-events in its docs).
 */
export function eventWebhookSignature(key: KeyObject, timestamp: string, body: string): string {
  const data = Buffer.from(timestamp + body, 'utf8');
  return sign('sha256', data, { key, dsaEncoding: 'der' }).toString('base64');
}
