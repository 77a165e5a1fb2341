import fc from 'fast-check';

/** Text that tries to break out of SQL, templates, markup, headers or the text encoding. */
export const hostileStrings = [
  "'; drop table messages;--",
  "' or '1'='1",
  '1); select pg_sleep(5);--',
  "{{constructor.constructor('return process')()}}",
  '{{#each this}}{{@key}}={{this}} {{/each}}',
  '{{> ../../config/hub}}',
  '${process.env.HUB_ADMIN_KEY}',
  '<script>alert(1)</script>',
  '../../../../etc/passwd',
  'nul\u0000byte',
  'lone \ud800 surrogate',
  'line\r\nX-Injected: yes',
  '\u202eevil\u200b',
  '%00%ff%',
  '🩺'.repeat(500),
  'x'.repeat(20_000),
];

export const hostileText: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(...hostileStrings),
  fc.string({ unit: 'binary', maxLength: 60 }),
);

const scalar = fc.oneof(
  hostileText,
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.constantFrom(-1, 0, 1e308, 2 ** 63, '', []),
);

/** Any JSON value, hostile text inside, a few levels deep. */
export const anyValue: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    scalar,
    fc.array(tie('value'), { maxLength: 3 }),
    fc.dictionary(hostileText, tie('value'), { maxKeys: 3 }),
  ),
})).value;

/** Keys no request schema knows, some of which name parts of JavaScript objects. */
export const unknownKey = fc.constantFrom(
  'unexpected', '__proto__', 'constructor', 'prototype', 'isAdmin', '$where', 'accountId',
);

const invalidUtf8 = [
  [0xff, 0xfe], [0xc3, 0x28], [0xed, 0xa0, 0x80], [0xf8, 0x88, 0x80, 0x80, 0x80], [0xc0, 0xaf],
];

/** Bodies that are not a JSON object at all, or not valid text. */
export const malformedBody: fc.Arbitrary<Uint8Array | string> = fc.oneof(
  fc.constantFrom(
    '', '{', '{"a":}', "{'a':1}", '[1,2', 'nul', '{"a":1}x', '\ufeff{}', 'null', '[]', '42',
    '"text"', '1e999999', '{"a":1,"a":2', '{"__proto__":{"polluted":true}}',
    `${'['.repeat(20_000)}${']'.repeat(20_000)}`,
    `{"a":${'{"a":'.repeat(5_000)}1${'}'.repeat(5_001)}`,
  ),
  fc.constantFrom(...invalidUtf8).map((bytes) => Buffer.concat([
    Buffer.from('{"firstName":"'), Buffer.from(bytes), Buffer.from('","text":"hi"}'),
  ])),
  fc.uint8Array({ maxLength: 200 }),
);

export const contentTypes = [
  'application/json', 'text/plain', 'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=xyz', 'application/json; charset=latin1', 'application/xml',
];

/** A path segment that is hostile, wrongly encoded, or far too long. */
export const hostileSegment: fc.Arbitrary<string> = fc.oneof(
  hostileText.map((text) => encodeURIComponent(text.slice(0, 3000).toWellFormed())),
  fc.constantFrom('%ff', '%00', '%2F', '%', '%zz', '..', '%c0%af', 'a'.repeat(5000), '-1', '0'),
);

/** Bearer headers that name no key, or are not bearer headers at all. */
export const forgedAuthorization = fc.constantFrom(
  'Bearer hub_forged0000000000000000000000000000',
  'Bearer ', 'Basic YWRtaW46YWRtaW4=', 'Bearer a b', `Bearer ${'k'.repeat(5000)}`,
  "Bearer ' or 1=1--", 'Bearer caf\u00e9',
);

/** Twilio, SendGrid and Phaxio signature headers, all of them wrong. */
export const forgedSignatures = fc.record({
  'x-twilio-signature': fc.base64String({ maxLength: 44 }),
  'x-twilio-email-event-webhook-signature': fc.base64String({ maxLength: 100 }),
  'x-twilio-email-event-webhook-timestamp': fc.constantFrom('0', '1700000000', 'x', '-1'),
  'x-phaxio-signature': fc.stringMatching(/^[0-9a-f]{0,64}$/),
}, { requiredKeys: [] });

/** Fields the providers' webhooks carry, with hostile values, in the encoding they use. */
export const webhookBody: fc.Arbitrary<{ contentType: string; body: string | Uint8Array }> =
  fc.oneof(
    fc.dictionary(
      fc.constantFrom('MessageSid', 'MessageStatus', 'From', 'To', 'Body', 'ErrorCode',
        'CallSid', 'CallStatus', 'Digits', 'NumMedia', 'MediaUrl0', 'AccountSid'),
      hostileText, { maxKeys: 6 },
    ).map((fields) => ({
      contentType: 'application/x-www-form-urlencoded',
      body: new URLSearchParams(fields).toString(),
    })),
    fc.array(fc.dictionary(
      fc.constantFrom('event', 'sg_message_id', 'email', 'timestamp', 'sg_event_id', 'reason'),
      anyValue, { maxKeys: 5 },
    ), { maxLength: 3 }).map((events) => ({
      contentType: 'application/json', body: JSON.stringify(events),
    })),
    fc.dictionary(
      fc.constantFrom('fax', 'success', 'is_test', 'direction', 'to', 'from', 'text',
        'envelope', 'attachments', 'attachment1', 'attachment-info'),
      hostileText, { maxKeys: 5 },
    ).map((fields) => multipart(fields)),
    malformedBody.map((body) => ({ contentType: 'application/json', body })),
  );

function multipart(fields: Record<string, string>) {
  const boundary = 'fuzzboundary';
  const parts = Object.entries(fields).map(([name, value]) =>
    `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`);
  return {
    contentType: `multipart/form-data; boundary=${boundary}`,
    body: `${parts.join('')}--${boundary}--\r\n`,
  };
}
