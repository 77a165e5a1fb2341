import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ZodError } from 'zod';
import { HubError, type ErrorDetail, type HubErrorCode } from '../errors.ts';
import type { HubEnv } from './env.ts';

/** The one place where errors become responses: `{ error: { code, message, details } }`. */
export function handleError(error: Error, c: Context<HubEnv>): Response {
  const hubError = toHubError(error);

  if (hubError.status >= 500) {
    c.get('log')?.error({ err: error }, 'request failed');
  }

  const body = {
    error: { code: hubError.code, message: hubError.message, details: hubError.details },
  };
  return c.json(body, hubError.status);
}

function toHubError(error: Error): HubError {
  if (error instanceof HubError) return error;
  if (error instanceof HTTPException) return fromHttpException(error);
  if (isDataException(error)) {
    return new HubError('bad_request', { message: unstorableValue, cause: error });
  }
  return new HubError('internal', { cause: error });
}

const unstorableValue = 'The request holds a value the hub cannot store.';

/**
 * PostgreSQL refuses some values that a schema let through, such as a NUL character in text
 * or an out-of-range number: its error class 22, data exception, is the request's fault.
 * https://www.postgresql.org/docs/current/errcodes-appendix.html
 */
function isDataException(error: unknown): boolean {
  for (let cause = error; cause instanceof Error; cause = cause.cause) {
    if (cause.name !== 'PostgresError') continue;
    return String((cause as { code?: unknown }).code).startsWith('22');
  }
  return false;
}

const codeByStatus: Record<number, HubErrorCode> = {
  400: 'bad_request',
  401: 'unauthorized',
  404: 'not_found',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
};

/** Hono's own validators and the body limit throw these; their messages hold no request data. */
function fromHttpException(error: HTTPException): HubError {
  const code = codeByStatus[error.status] ?? 'bad_request';
  const message = error.status === 400 ? error.message || undefined : undefined;
  return new HubError(code, { message, cause: error });
}

/** Turns a zod failure of one request part into a 400 naming each wrong field. */
export function validationError(target: string, error: ZodError): HubError {
  const details: ErrorDetail[] = error.issues.map((issue) => ({
    path: [target, ...issue.path.map(String)].join('.'),
    message: issue.message,
  }));
  return new HubError('validation_failed', { details });
}

/** Where the hook names the request part; `json` reads better to a caller as `body`. */
export function targetName(target: string): string {
  return target === 'json' || target === 'form' ? 'body' : target;
}
