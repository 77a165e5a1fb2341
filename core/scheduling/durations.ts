import { z } from 'zod';

const units = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

const pattern = /^(\d{1,6})([smhd])$/;

/** A span of time as people write it in a config file: `90m`, `2h`, `7d`, `30s`. */
export const durationSchema = z
  .string()
  .regex(pattern, 'Expected a duration such as 30s, 90m, 2h or 7d');

/** Milliseconds in a duration that `durationSchema` accepted. */
export function parseDuration(text: string): number {
  const match = pattern.exec(text);
  if (!match) throw new Error(`Not a duration: ${text}`);
  return Number(match[1]) * units[match[2] as keyof typeof units];
}

/**
 * The same span however it was written (`48h` and `2d` alike), for message keys: changing how
 * an offset is spelled in the config must not plan a second reminder at the same moment.
 */
export function durationKey(text: string): string {
  return `${parseDuration(text) / 1000}s`;
}
