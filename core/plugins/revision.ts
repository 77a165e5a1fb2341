import { createHash } from 'node:crypto';

/** A short, stable digest of a JSON value: equal values give equal digests. */
export function fingerprint(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('base64url').slice(0, 12);
}

/** Where a subject's state keeps its revision. */
export interface Revision {
  revision: number;
  fingerprint: string;
}

/**
 * The revision of a subject whose messages say `content`: the previous one when the content
 * is unchanged (a host's retry), the next one when it changed. Message keys carry it, so a
 * subject changed back to an earlier version (cancelled, then booked again) plans anew
 * rather than finding the messages it cancelled on the way.
 */
export function revise(previous: Record<string, unknown> | undefined, content: unknown): Revision {
  const print = fingerprint(content);
  const last = Number(previous?.revision ?? 0);
  if (previous?.fingerprint === print) return { revision: last, fingerprint: print };
  return { revision: last + 1, fingerprint: print };
}
