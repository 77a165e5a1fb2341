import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createEventVerifier } from '../../channels/email/sendgrid/signature.ts';

const body = '[{"email":"pat@example.org","event":"delivered","sg_event_id":"e1"}]';
const now = 1_700_000_000_000;
const timestamp = String(now / 1000);

/** A fresh P-256 pair with the public key as SendGrid's settings page shows it. */
function freshKeys() {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const shown = publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
  return { privateKey, shown, pem: publicKey.export({ type: 'spki', format: 'pem' }).toString() };
}

/** ECDSA with SHA-256 over the timestamp followed by the body, DER, base64: SendGrid's way. */
function signature(key: KeyObject, signedAt: string, payload: string): string {
  return sign('sha256', Buffer.from(signedAt + payload), { key, dsaEncoding: 'der' })
    .toString('base64');
}

describe('the Event Webhook verifier', () => {
  const { privateKey, shown, pem } = freshKeys();
  const verify = createEventVerifier(shown, 300);
  const signed = signature(privateKey, timestamp, body);

  it('accepts a batch signed with the key, with the key given as base64 or as PEM', () => {
    expect(verify({ payload: body, signature: signed, timestamp }, now)).toBe('valid');
    const fromPem = createEventVerifier(pem, 300);
    expect(fromPem({ payload: body, signature: signed, timestamp }, now)).toBe('valid');
  });

  it('refuses a changed body, a changed timestamp and another key\'s signature', () => {
    const changed = body.replace('delivered', 'bounce');
    expect(verify({ payload: changed, signature: signed, timestamp }, now)).toBe('invalid');

    const later = String(Number(timestamp) + 1);
    expect(verify({ payload: body, signature: signed, timestamp: later }, now)).toBe('invalid');

    const other = signature(freshKeys().privateKey, timestamp, body);
    expect(verify({ payload: body, signature: other, timestamp }, now)).toBe('invalid');
  });

  it('refuses a signature that is not base64 DER without throwing', () => {
    expect(verify({ payload: body, signature: 'not a signature', timestamp }, now)).toBe('invalid');
    expect(verify({ payload: body, signature: signed, timestamp: 'yesterday' }, now))
      .toBe('invalid');
  });

  it('refuses timestamps beyond the tolerance either way, and missing headers', () => {
    const request = { payload: body, signature: signed, timestamp };
    expect(verify(request, now + 300_000)).toBe('valid');
    expect(verify(request, now + 301_000)).toBe('stale');
    expect(verify(request, now - 301_000)).toBe('stale');
    expect(verify({ payload: body, timestamp }, now)).toBe('missing');
    expect(verify({ payload: body, signature: signed }, now)).toBe('missing');
  });
});
