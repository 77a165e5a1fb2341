import type Handlebars from 'handlebars';
import parsePhoneNumber from 'libphonenumber-js';
import { DateTime } from 'luxon';

/**
 * The `@timeZone` and `@language` data variables. They travel in the Handlebars data frame, not
 * the context, so nothing in the host's data can change how dates are shown.
 */
export interface HelperFrame {
  timeZone: string;
  language: string;
}

/** What Handlebars passes as a helper's last argument, as far as the helpers here use it. */
interface CallOptions {
  hash: Record<string, unknown>;
  data: HelperFrame;
  loc?: { start: { line: number } };
}

export interface HelperSpec {
  /** How many values the helper takes before its options. */
  params: number;
  /** The hash options it accepts, each with its allowed values. */
  hash?: Record<string, readonly string[]>;
  run(params: unknown[], hash: Record<string, unknown>, frame: HelperFrame): unknown;
}

/** A helper given something it cannot use. The message never quotes the value. */
export class HelperError extends Error {
  readonly helper: string;
  /** The line in the compiled program (a body, a subject or a partial). */
  readonly line?: number;

  constructor(helper: string, problem: string, line?: number) {
    super(`{{${helper}}} ${problem}`);
    this.name = 'HelperError';
    this.helper = helper;
    this.line = line;
  }
}

const styles = ['short', 'medium', 'long'] as const;

const dateStyles: Record<string, Intl.DateTimeFormatOptions> = {
  default: { weekday: 'long', month: 'long', day: 'numeric' },
  short: DateTime.DATE_SHORT,
  medium: DateTime.DATE_MED,
  long: DateTime.DATE_HUGE,
};

const clock: Intl.DateTimeFormatOptions = { hour: 'numeric', minute: '2-digit' };

const timeStyles: Record<string, Intl.DateTimeFormatOptions> = {
  default: clock,
  short: clock,
  medium: clock,
  long: { ...clock, timeZoneName: 'short' },
};

const dateTimeStyles: Record<string, Intl.DateTimeFormatOptions> = {
  default: { ...dateStyles.default, ...clock },
  short: { ...dateStyles.short, ...clock },
  medium: { ...dateStyles.medium, ...clock },
  long: { ...dateStyles.long, ...clock, timeZoneName: 'short' },
};

/** The helpers the hub adds to Handlebars' own. */
export const hubHelpers: Record<string, HelperSpec> = {
  date: {
    params: 1,
    hash: { format: styles },
    run: ([value], hash, frame) => formatDateTime(value, dateStyles, hash, frame),
  },
  time: {
    params: 1,
    hash: { format: styles },
    run: ([value], hash, frame) => formatDateTime(value, timeStyles, hash, frame),
  },
  datetime: {
    params: 1,
    hash: { format: styles },
    run: ([value], hash, frame) => formatDateTime(value, dateTimeStyles, hash, frame),
  },
  money: {
    params: 2,
    run: ([amount, currency], _hash, frame) => formatMoney(amount, currency, frame.language),
  },
  phone: {
    params: 1,
    hash: { format: ['national', 'international'] },
    run: ([value], hash) => formatPhone(value, hash.format === 'international'),
  },
  upper: {
    params: 1,
    run: ([value], _hash, frame) => asText(value).toLocaleUpperCase(frame.language),
  },
  lower: {
    params: 1,
    run: ([value], _hash, frame) => asText(value).toLocaleLowerCase(frame.language),
  },
  eq: {
    params: 2,
    run: ([left, right]) => left === right,
  },
};

/** Handlebars' own helpers, which templates may call as well. */
export const builtInHelpers = new Set(['if', 'unless', 'each', 'with', 'lookup']);

export function registerHelpers(env: typeof Handlebars): void {
  // `{{log client.name}}` would print patient data to the console, past the redacting logger.
  env.unregisterHelper('log');

  for (const [name, spec] of Object.entries(hubHelpers)) {
    env.registerHelper(name, (...args: unknown[]) => {
      const options = args.pop() as CallOptions;
      const line = options.loc?.start.line;

      const problem = findCallProblem(spec, args.length, options.hash);
      if (problem) throw new HelperError(name, problem, line);

      try {
        return spec.run(args, options.hash, options.data);
      } catch (error) {
        if (error instanceof HelperFault) throw new HelperError(name, error.message, line);
        throw error;
      }
    });
  }
}

/** Stands for a hash value that is only known when rendering. */
export const notYetKnown = Symbol('not yet known');

/** Checks a call's arguments: at load, with what the source shows, and again when rendering. */
export function findCallProblem(
  spec: HelperSpec,
  paramCount: number,
  hash: Record<string, unknown>,
): string | undefined {
  if (paramCount !== spec.params) {
    return spec.params === 1 ? 'takes one value' : `takes ${spec.params} values`;
  }

  for (const [key, value] of Object.entries(hash)) {
    const allowed = spec.hash?.[key];
    if (!allowed) return `has no option "${key}"`;
    if (value === notYetKnown) continue;
    if (typeof value !== 'string' || !allowed.includes(value)) {
      return `${key} must be one of ${allowed.map((option) => `"${option}"`).join(', ')}`;
    }
  }
  return undefined;
}

/** Thrown inside a helper's `run`; the registered wrapper adds the helper name and line. */
class HelperFault extends Error {}

function formatDateTime(
  value: unknown,
  formats: Record<string, Intl.DateTimeFormatOptions>,
  hash: Record<string, unknown>,
  frame: HelperFrame,
): string {
  const moment = toDateTime(value, frame.timeZone);
  const format = formats[typeof hash.format === 'string' ? hash.format : 'default'];
  return plainSpaces(moment.toLocaleString(format, { locale: frame.language }));
}

/**
 * A value with an offset (`2026-03-10T18:30:00Z`) is an instant shown in the recipient's
 * zone; one without (`2026-03-10`, `2026-03-10T09:00`) is already local to the recipient,
 * so a due date never moves to the day before.
 */
function toDateTime(value: unknown, zone: string): DateTime {
  let moment: DateTime | undefined;
  if (typeof value === 'string') moment = DateTime.fromISO(value, { zone });
  else if (typeof value === 'number') moment = DateTime.fromMillis(value, { zone });
  else if (value instanceof Date) moment = DateTime.fromJSDate(value, { zone });

  if (moment?.invalidReason === 'unsupported zone') {
    throw new HelperFault('was given a time zone that is not an IANA zone name');
  }
  if (!moment?.isValid) {
    throw new HelperFault('needs an ISO 8601 date or date-time, a Date or epoch milliseconds');
  }
  return moment;
}

const currencyFormats = new Map<string, Intl.NumberFormat>();

/** Amounts are integer minor units (cents), as invoices store them, so no rounding creeps in. */
function formatMoney(amount: unknown, currency: unknown, language: string): string {
  const minor = typeof amount === 'string' && /^-?\d+$/.test(amount) ? Number(amount) : amount;
  if (typeof minor !== 'number' || !Number.isSafeInteger(minor)) {
    throw new HelperFault('needs an amount in minor units (cents), as a whole number');
  }
  if (typeof currency !== 'string' || !/^[A-Za-z]{3}$/.test(currency)) {
    throw new HelperFault('needs an ISO 4217 currency code such as "USD"');
  }

  const format = currencyFormat(language, currency.toUpperCase());
  const digits = format.resolvedOptions().maximumFractionDigits ?? 2;
  return plainSpaces(format.format(minor / 10 ** digits));
}

/** Building a NumberFormat costs far more than using one, and renders repeat the same few. */
function currencyFormat(language: string, currency: string): Intl.NumberFormat {
  const key = `${language}|${currency}`;
  let format = currencyFormats.get(key);
  if (format) return format;

  if (currencyFormats.size >= 500) currencyFormats.clear();
  format = new Intl.NumberFormat(language, { style: 'currency', currency });
  currencyFormats.set(key, format);
  return format;
}

/** A number that cannot be parsed is shown as given: the helper is for display only. */
function formatPhone(value: unknown, international: boolean): string {
  const text = asText(value);
  const parsed = parsePhoneNumber(text);
  if (!parsed) return text;
  return international ? parsed.formatInternational() : parsed.formatNational();
}

function asText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  throw new HelperFault('needs text or a number');
}

/**
 * Intl puts narrow and no-break spaces in times ("2:30 PM") and amounts ("120,50 US$").
 * Neither is in the GSM-7 alphabet, so one would turn a whole SMS into UCS-2 and triple its
 * segment count; an ordinary space reads the same.
 */
function plainSpaces(text: string): string {
  return text.replace(/[\u00A0\u202F]/g, ' ');
}
