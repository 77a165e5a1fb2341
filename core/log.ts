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
 * message, a row in a constraint violation), so only the type, code and stack are logged.
 */
function serializeError(error: unknown): Record<string, unknown> {
  if (!(error instanceof Error)) return { type: typeof error };

  const coded = error as Error & { code?: unknown; status?: unknown };
  return {
    type: error.name,
    code: typeof coded.code === 'string' || typeof coded.code === 'number' ? coded.code : undefined,
    status: typeof coded.status === 'number' ? coded.status : undefined,
    stack: callSites(error.stack),
  };
}

/** The stack without its message, which can span lines (drizzle quotes query parameters). */
function callSites(stack: string | undefined): string | undefined {
  const frames = stack?.split('\n').filter((line) => line.startsWith('    at '));
  return frames?.slice(0, 6).join('\n');
}
