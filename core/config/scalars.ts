import { z } from 'zod';

/**
 * Settings whose value may come from `${VAR}` although they are not strings. Interpolation
 * always yields a string, so these accept numeric and boolean text, and the JSON Schema lets
 * editors accept a `${...}` reference in their place.
 */
export const interpolatable = new WeakSet<object>();

const numericText = /^\s*[+-]?(\d+\.?\d*|\.\d+)\s*$/;
const booleanText: Record<string, boolean> = { true: true, false: false };

/** A number that may be written as text, for example `port: ${PORT:-3000}`. */
export function envNumber<T extends z.ZodNumber>(schema: T) {
  const parsed = z.preprocess(
    (value) => (typeof value === 'string' && numericText.test(value) ? Number(value) : value),
    schema,
  );
  interpolatable.add(parsed);
  return parsed;
}

/** A boolean that may be written as `true` or `false` text, for `${LOG_PRETTY:-false}`. */
export function envBoolean() {
  const parsed = z.preprocess(
    (value) => (typeof value === 'string' ? (booleanText[value.trim()] ?? value) : value),
    z.boolean(),
  );
  interpolatable.add(parsed);
  return parsed;
}

/** One of a fixed set of words, which editors should also accept as a `${...}` reference. */
export function envEnum<const T extends readonly [string, ...string[]]>(values: T) {
  return allowReference(z.enum(values));
}

/** Lets editors accept a `${...}` reference for a string setting with a format or pattern. */
export function allowReference<T extends z.ZodType>(schema: T): T {
  interpolatable.add(schema);
  return schema;
}

/**
 * A secret or address that is often `${VAR:-}`: the empty string means "not set", so the
 * caller sees `undefined` rather than having to test for both.
 */
export function optionalText<T extends z.ZodType<string, string>>(schema: T) {
  return z
    .string()
    .optional()
    .transform((value) => (value === '' ? undefined : value))
    .pipe(schema.optional());
}
