import type { ContentfulStatusCode } from 'hono/utils/http-status';

/**
 * Every error the hub reports to a caller, with its stable code and HTTP status. Handlers throw
 * a `HubError` built from one of these; the HTTP error handler turns it into
 * `{ error: { code, message, details } }`.
 */
export const hubErrors = {
  bad_request: { status: 400, message: 'The request is malformed.' },
  validation_failed: { status: 400, message: 'The request does not match the schema.' },
  unauthorized: { status: 401, message: 'A valid bearer key is required.' },
  forbidden: { status: 403, message: 'This key may not do that.' },
  not_found: { status: 404, message: 'No such resource.' },
  conflict: { status: 409, message: 'The request conflicts with the current state.' },
  idempotency_conflict: {
    status: 409,
    message: 'This Idempotency-Key was used with a different request.',
  },
  idempotency_in_progress: {
    status: 409,
    message: 'A request with this Idempotency-Key is still being processed.',
  },
  payload_too_large: { status: 413, message: 'The request body is too large.' },
  unsupported_media_type: { status: 415, message: 'The request body must be JSON.' },
  unprocessable: { status: 422, message: 'The request cannot be carried out.' },
  invalid_address: { status: 422, message: 'The recipient has no valid address for the channel.' },
  unknown_channel: { status: 422, message: 'No such channel is enabled.' },
  unknown_template: { status: 422, message: 'No such template.' },
  template_error: { status: 422, message: 'The template could not be rendered.' },
  privacy_policy_required: {
    status: 422,
    message: "A client's first booking through the online scheduler needs their acceptance of " +
      "the practice's privacy policy: consent.privacyPolicy with version and acceptedAt.",
  },
  rate_limited: { status: 429, message: 'Too many requests.' },
  internal: { status: 500, message: 'Something went wrong inside the hub.' },
  unavailable: { status: 503, message: 'The hub is not ready.' },
} as const satisfies Record<string, { status: ContentfulStatusCode; message: string }>;

export type HubErrorCode = keyof typeof hubErrors;

export interface ErrorDetail {
  /** Where the problem is, as a path into the request: `body.phone`, `query.limit`. */
  path?: string;
  message: string;
}

export class HubError extends Error {
  readonly code: HubErrorCode;
  readonly status: ContentfulStatusCode;
  readonly details: ErrorDetail[];

  constructor(
    code: HubErrorCode,
    options: { message?: string; details?: ErrorDetail[]; cause?: unknown } = {},
  ) {
    super(options.message ?? hubErrors[code].message, { cause: options.cause });
    this.name = 'HubError';
    this.code = code;
    this.status = hubErrors[code].status;
    this.details = options.details ?? [];
  }
}

/** A failure at start: bad config, a missing template, a misconfigured plugin. */
export class StartupError extends Error {
  readonly problems: string[];

  constructor(message: string, problems: string[] = []) {
    super(problems.length ? `${message}\n  ${problems.join('\n  ')}` : message);
    this.name = 'StartupError';
    this.problems = problems;
  }
}
