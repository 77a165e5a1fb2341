import { EventWebhook, EventWebhookHeader } from '@sendgrid/eventwebhook';

export const signatureHeader = EventWebhookHeader.SIGNATURE();
export const timestampHeader = EventWebhookHeader.TIMESTAMP();

/** An Event Webhook request as it arrived: the exact body text and the two headers. */
export interface SignedRequest {
  payload: string;
  signature?: string;
  timestamp?: string;
}

export type SignatureCheck = 'valid' | 'missing' | 'stale' | 'invalid';

/**
 * Checks Event Webhook requests: ECDSA P-256 over the timestamp header followed by the raw
 * body. SendGrid's verifier does not look at the time, so a timestamp further than the
 * tolerance from now, either way, is refused here: a captured request cannot be replayed.
 * https://www.twilio.com/docs/sendgrid/for-developers/tracking-events/event (security features)
 */
export function createEventVerifier(publicKey: string, toleranceSeconds: number) {
  const webhook = new EventWebhook();
  const key = webhook.convertPublicKeyToECDSA(publicKey);

  return (request: SignedRequest, now = Date.now()): SignatureCheck => {
    const { payload, signature, timestamp } = request;
    if (!signature || !timestamp) return 'missing';
    if (!/^\d{1,12}$/.test(timestamp)) return 'invalid';
    if (Math.abs(now / 1000 - Number(timestamp)) > toleranceSeconds) return 'stale';

    try {
      return webhook.verifySignature(key, payload, signature, timestamp) ? 'valid' : 'invalid';
    } catch {
      // A signature that is not base64 DER makes the verifier throw rather than answer false.
      return 'invalid';
    }
  };
}

export type EventVerifier = ReturnType<typeof createEventVerifier>;
