import { createHmac, timingSafeEqual } from 'node:crypto';
import { derivedKeys } from '../encryption/columns.ts';

/** What a link at the hub does for the recipient who opens it. */
export type LinkPurpose = 'opt-in' | 'unsubscribe';

export interface LinkClaims {
  purpose: LinkPurpose;
  accountId: string;
  recipientId: string;
  /** The channel the link was sent through, whose consent it changes. */
  channel: string;
  /** When the link stops working; unsubscribe links never do. */
  expiresAt?: Date;
}

export type LinkCheck =
  | { ok: true; claims: LinkClaims }
  | { ok: false; reason: 'expired'; claims: LinkClaims }
  | { ok: false; reason: 'invalid' };

/** Link keys are derived from the encryption keys, so they rotate with them. */
const keyPurpose = 'consent-links';

const paths: Record<LinkPurpose, string> = {
  'opt-in': '/consent/opt-in',
  unsubscribe: '/consent/unsubscribe',
};

/** The hub's page for a link: `<publicUrl>/consent/opt-in?token=…`. */
export function consentLink(publicUrl: string, claims: LinkClaims): string {
  const base = publicUrl.replace(/\/+$/, '');
  return `${base}${paths[claims.purpose]}?token=${signLink(claims)}`;
}

/** The claims in base64url JSON, a dot, and their HMAC-SHA256 under the current link key. */
export function signLink(claims: LinkClaims): string {
  const payload = Buffer.from(JSON.stringify({
    p: claims.purpose, a: claims.accountId, r: claims.recipientId, c: claims.channel,
    e: claims.expiresAt ? Math.floor(claims.expiresAt.getTime() / 1000) : undefined,
  })).toString('base64url');
  return `${payload}.${mac(derivedKeys(keyPurpose)[0], payload).toString('base64url')}`;
}

/** Checks a link's signature under every key, and its expiry. */
export function readLink(token: string, purpose: LinkPurpose, now: Date): LinkCheck {
  const [payload, signature, extra] = token.split('.');
  if (!payload || !signature || extra !== undefined) return { ok: false, reason: 'invalid' };

  const given = Buffer.from(signature, 'base64url');
  const signed = derivedKeys(keyPurpose).some((key) => {
    const expected = mac(key, payload);
    return expected.length === given.length && timingSafeEqual(expected, given);
  });
  if (!signed) return { ok: false, reason: 'invalid' };

  const claims = parseClaims(payload);
  if (!claims || claims.purpose !== purpose) return { ok: false, reason: 'invalid' };
  if (claims.expiresAt && claims.expiresAt <= now) return { ok: false, reason: 'expired', claims };
  return { ok: true, claims };
}

function mac(key: Buffer, payload: string): Buffer {
  return createHmac('sha256', key).update(payload).digest();
}

function parseClaims(payload: string): LinkClaims | undefined {
  try {
    const raw = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    if (typeof raw.a !== 'string' || typeof raw.r !== 'string' || typeof raw.c !== 'string') {
      return undefined;
    }
    return {
      purpose: raw.p, accountId: raw.a, recipientId: raw.r, channel: raw.c,
      expiresAt: typeof raw.e === 'number' ? new Date(raw.e * 1000) : undefined,
    };
  } catch {
    return undefined;
  }
}

/** The link that opts a message's recipient out of its channel, for the channel to show. */
export function unsubscribeLink(
  publicUrl: string,
  message: { accountId: string; recipientId: string | null; channel: string },
): string | undefined {
  if (!message.recipientId) return undefined;
  const { accountId, recipientId, channel } = message;
  return consentLink(publicUrl, { purpose: 'unsubscribe', accountId, recipientId, channel });
}
