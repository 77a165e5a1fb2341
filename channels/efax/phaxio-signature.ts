import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/** A file part of a Phaxio webhook, as it counts in the signature. */
export interface SignedFile {
  /** The multipart part name (`file`), not the file's own name. */
  name: string;
  content: Uint8Array;
}

/**
 * `X-Phaxio-Signature`: hex HMAC-SHA1 keyed with the callback token, over the callback URL
 * exactly as it was given to Phaxio, then each text field sorted by name (name + value, no
 * delimiters), then each file part sorted by part name (name + hex SHA-1 of its bytes).
 * https://www.phaxio.com/docs/security/callbacks
 */
export function phaxioSignature(
  token: string,
  url: string,
  params: Record<string, string>,
  files: SignedFile[] = [],
): string {
  let signed = url;
  for (const name of Object.keys(params).sort(byCodeUnit)) signed += name + params[name];

  const sortedFiles = [...files].sort((a, b) => byCodeUnit(a.name, b.name));
  for (const file of sortedFiles) {
    signed += file.name + createHash('sha1').update(file.content).digest('hex');
  }
  return createHmac('sha1', token).update(signed, 'utf8').digest('hex');
}

/** Whether a webhook carries the signature Phaxio would have made, compared in constant time. */
export function isValidPhaxioSignature(
  token: string,
  url: string,
  params: Record<string, string>,
  files: SignedFile[],
  signature: string | undefined,
): boolean {
  if (!signature) return false;

  const expected = Buffer.from(phaxioSignature(token, url, params, files), 'utf8');
  const given = Buffer.from(signature.trim().toLowerCase(), 'utf8');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

function byCodeUnit(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
