import { EventWebhook } from '@sendgrid/eventwebhook';
import twilio from 'twilio';
import { describe, expect, it } from 'vitest';
import { countSegments } from './segments.ts';
import {
  eventWebhookKeys,
  eventWebhookSignature,
  phaxioSignature,
  twilioSignature,
} from './signing.ts';

describe('Twilio request signature', () => {
  const url = 'https://mycompany.com/myapp.php?foo=1&bar=2';
  const params = {
    CallSid: 'CA1234567890ABCDE',
    Caller: '+12349013030',
    Digits: '1234',
    From: '+12349013030',
    To: '+18005551212',
  };

  it("reproduces Twilio's published example", () => {
    expect(twilioSignature('12345', url, params)).toBe('0/KCTR6DLpKmkAf8muzZqo1nDgQ=');
  });

  it("passes twilio-node's validateRequest, repeated parameters included", () => {
    const withList = { ...params, MediaUrl: ['https://b/2', 'https://a/1', 'https://a/1'] };
    const signature = twilioSignature('s3cret', url, withList);
    expect(twilio.validateRequest('s3cret', signature, url, withList)).toBe(true);
    expect(twilio.validateRequest('other', signature, url, withList)).toBe(false);
  });
});

describe('Phaxio callback signature', () => {
  it('matches the vectors of phaxio-ruby', () => {
    const params = { test: 'true' };
    expect(phaxioSignature('test-webhook-token', 'example.com', params)).toBe(
      '64a735ef0c47a0ae671e381c046648f0966deb29',
    );
    expect(phaxioSignature('test-callback-token', 'example.com', params)).toBe(
      '663099785e5eff09f0cd6f2bd5d78c852f3b670d',
    );
  });

  it('covers each file part by name and SHA-1 of its bytes', () => {
    const empty = new Uint8Array();
    const files = [
      { name: 'file', content: empty },
      { name: 'file', content: empty },
    ];
    expect(phaxioSignature('test-webhook-token', 'example.com', { test: 'true' }, files)).toBe(
      '1d2426c242a8c5de7eb1d9b662b7fda1d0b6edab',
    );
  });
});

describe('SendGrid Event Webhook signature', () => {
  it('verifies with @sendgrid/eventwebhook using the exported public key', () => {
    const keys = eventWebhookKeys();
    const body = JSON.stringify([{ email: 'a@example.org', event: 'delivered' }]);
    const timestamp = '1700000000';
    const signature = eventWebhookSignature(keys.privateKey, timestamp, body);

    const verifier = new EventWebhook();
    const publicKey = verifier.convertPublicKeyToECDSA(keys.publicKey);
    expect(keys.publicKey.startsWith('MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE')).toBe(true);
    expect(verifier.verifySignature(publicKey, body, signature, timestamp)).toBe(true);
    expect(verifier.verifySignature(publicKey, body + ' ', signature, timestamp)).toBe(false);
    expect(verifier.verifySignature(publicKey, body, signature, '1700000001')).toBe(false);
  });
});

describe('SMS segments', () => {
  it('counts GSM-7 at 160 per message and 153 per part', () => {
    expect(countSegments('')).toEqual({ encoding: 'GSM-7', segments: 1 });
    expect(countSegments('a'.repeat(160)).segments).toBe(1);
    expect(countSegments('a'.repeat(161)).segments).toBe(2);
    expect(countSegments('a'.repeat(306)).segments).toBe(2);
    expect(countSegments('a'.repeat(307)).segments).toBe(3);
  });

  it('counts extension characters twice and never splits their escape', () => {
    expect(countSegments('€'.repeat(80)).segments).toBe(1);
    expect(countSegments('€'.repeat(81)).segments).toBe(2);
    expect(countSegments('a'.repeat(159) + '€').segments).toBe(2);
    expect(countSegments('a'.repeat(152) + '€' + 'a'.repeat(152)).segments).toBe(3);
  });

  it('counts UCS-2 at 70 per message and 67 per part', () => {
    expect(countSegments('ü'.repeat(160)).encoding).toBe('GSM-7');
    expect(countSegments('ł'.repeat(70))).toEqual({ encoding: 'UCS-2', segments: 1 });
    expect(countSegments('ł'.repeat(71)).segments).toBe(2);
    expect(countSegments('😀'.repeat(35)).segments).toBe(1);
    expect(countSegments('😀'.repeat(36)).segments).toBe(2);
  });
});
