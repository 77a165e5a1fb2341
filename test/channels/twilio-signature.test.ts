import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import * as verifier from '../../channels/twilio/signature.ts';
import { HubError } from '../../core/errors.ts';

// Twilio's published example (providers.md §1.6 and §7), reproduced against twilio-node.
const authToken = '12345';
const url = 'https://mycompany.com/myapp.php?foo=1&bar=2';
const params = {
  CallSid: 'CA1234567890ABCDE',
  Caller: '+12349013030',
  Digits: '1234',
  From: '+12349013030',
  To: '+18005551212',
};
const signature = '0/KCTR6DLpKmkAf8muzZqo1nDgQ=';

describe('the Twilio signature check of the sms and voice channels', () => {
  it('accepts Twilio\'s published example', () => {
    expect(verifier.isSignedByTwilio(authToken, signature, url, params)).toBe(true);
  });

  it('refuses the example with a parameter, the URL or the token changed', () => {
    const changed = { ...params, Digits: '1235' };
    expect(verifier.isSignedByTwilio(authToken, signature, url, changed)).toBe(false);
    expect(verifier.isSignedByTwilio(authToken, signature, `${url}&baz=3`, params)).toBe(false);
    expect(verifier.isSignedByTwilio('54321', signature, url, params)).toBe(false);
  });

  it('refuses a request without a signature', () => {
    expect(verifier.isSignedByTwilio(authToken, undefined, url, params)).toBe(false);
    expect(verifier.isSignedByTwilio(authToken, '', url, params)).toBe(false);
  });

  it('checks a webhook against the public URL, path and query, not the Host', async () => {
    const app = new Hono();
    app.post('/myapp.php', async (c) => {
      const publicUrl = 'https://mycompany.com/';
      const read = await verifier.readSignedParams(c, { authToken, publicUrl });
      return c.json(read);
    });
    app.onError((error, c) => c.text(error.message, error instanceof HubError ? 403 : 500));

    const post = (headers: Record<string, string>) =>
      app.request('http://10.0.0.7:3000/myapp.php?foo=1&bar=2', {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...headers },
        body: new URLSearchParams(params),
      });

    const signed = await post({ 'X-Twilio-Signature': signature });
    expect(signed.status).toBe(200);
    expect(await signed.json()).toEqual(params);
    expect((await post({})).status).toBe(403);
    expect((await post({ 'X-Twilio-Signature': 'AAAA' + signature.slice(4) })).status).toBe(403);
  });
});
