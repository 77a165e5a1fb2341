import { pino, type Logger, type LoggerOptions } from 'pino';

export type { Logger };

/**
 * Keys whose values are patient data. Call sites never log them on purpose; redaction is the
 * second line of defence for objects logged whole (provider errors, request bodies).
 */
const patientDataPaths = [
  'body', 'text', 'subject', 'html', 'name', 'firstName', 'lastName', 'phone', 'email', 'fax',
  'address', 'to', 'from', 'data', 'attachments',
].flatMap((key) => [key, `*.${key}`, `*.*.${key}`]);

export interface LogSettings {
  level: string;
  pretty?: boolean;
}

export function createLogger(settings: LogSettings, destination?: pino.DestinationStream): Logger {
  const options: LoggerOptions = {
    level: settings.level,
    base: undefined,
    redact: { paths: patientDataPaths, censor: '[redacted]' },
    serializers: { err: serializeError },
  };
  return destination ? pino(options, destination) : pino(options);
}

/**
 * Errors from providers and the database can quote what was sent (a phone number in a Twilio
 * message, a row in a constraint violation), so only the type, codes and stack are logged, and
 * the same of the error's causes: what a provider answered, or why no answer came.
 */
function serializeError(error: unknown, depth = 0): Record<string, unknown> {
  if (!(error instanceof Error)) return { type: typeof error };

  const coded = error as Error & { code?: unknown; status?: unknown; providerCode?: unknown };
  return {
    type: error.name,
    code: codeOf(coded.code),
    status: typeof coded.status === 'number' ? coded.status : undefined,
    providerCode: codeOf(coded.providerCode),
    stack: depth === 0 ? callSites(error.stack) : undefined,
    cause: error.cause !== undefined && depth < maxCauses
      ? serializeError(error.cause, depth + 1)
      : undefined,
  };
}

/** How many causes deep an error is logged. */
const maxCauses = 3;

function codeOf(value: unknown): string | number | undefined {
  return typeof value === 'string' || typeof value === 'number' ? value : undefined;
}

/** The stack without its message, which can span lines (drizzle quotes query parameters). */
function callSites(stack: string | undefined): string | undefined {
  const frames = stack?.split('\n').filter((line) => line.startsWith('    at '));
  return frames?.slice(0, 6).join('\n');
}
