import { describe, expect, it } from 'vitest';
import {
  isValidPhaxioSignature, phaxioSignature,
} from '../../channels/efax/phaxio-signature.ts';

// The vectors of phaxio-ruby's webhook specs; its file parts are read after being written,
// so both hash empty content.
const url = 'example.com';
const params = { test: 'true' };
const emptyFiles = [
  { name: 'file', content: new Uint8Array() },
  { name: 'file', content: new Uint8Array() },
];

describe('X-Phaxio-Signature', () => {
  it('matches Phaxio\'s vector for text fields', () => {
    const signature = '64a735ef0c47a0ae671e381c046648f0966deb29';
    expect(phaxioSignature('test-webhook-token', url, params)).toBe(signature);
    expect(isValidPhaxioSignature('test-webhook-token', url, params, [], signature)).toBe(true);
  });

  it('depends on the token', () => {
    expect(phaxioSignature('test-callback-token', url, params))
      .toBe('663099785e5eff09f0cd6f2bd5d78c852f3b670d');
  });

  it('matches Phaxio\'s vector with file parts', () => {
    const signature = '1d2426c242a8c5de7eb1d9b662b7fda1d0b6edab';
    expect(phaxioSignature('test-webhook-token', url, params, emptyFiles)).toBe(signature);
    expect(isValidPhaxioSignature('test-webhook-token', url, params, emptyFiles, signature))
      .toBe(true);
  });

  it('refuses a missing, altered or mis-sized signature', () => {
    const signature = '64a735ef0c47a0ae671e381c046648f0966deb29';
    const check = (given: string | undefined, fields = params) =>
      isValidPhaxioSignature('test-webhook-token', url, fields, [], given);

    expect(check(undefined)).toBe(false);
    expect(check('')).toBe(false);
    expect(check(signature.slice(0, -1))).toBe(false);
    expect(check(signature, { test: 'false' })).toBe(false);
    expect(check(signature.replace('6', '7'))).toBe(false);
  });

  it('covers the bytes of each file', () => {
    const token = 'test-webhook-token';
    const files = [{ name: 'file', content: new TextEncoder().encode('%PDF-1.7') }];
    const signature = phaxioSignature(token, url, params, files);

    expect(isValidPhaxioSignature(token, url, params, files, signature)).toBe(true);
    expect(isValidPhaxioSignature(token, url, params, emptyFiles.slice(1), signature)).toBe(false);
  });
});
