import { ProviderError } from '../../core/plugins/provider-error.ts';

/** What Phaxio answered, kept as the cause of the `ProviderError`. */
export class PhaxioApiError extends Error {
  readonly status: number;

  constructor(status: number, message: string) {
    super(message);
    this.name = 'PhaxioApiError';
    this.status = status;
  }
}

/**
 * Phaxio answers a bad number with 422 and a message naming the recipient or the number;
 * other 422s are about the request itself (the file, the header text).
 */
const invalidNumber = /recipient|number/i;

/**
 * Rate limits and Phaxio's own failures pass and are retried; refusals of credentials or of
 * the request are permanent. https://www.phaxio.com/docs/api/v2.1/intro/errors
 */
export function phaxioFailure(status: number, message: string): ProviderError {
  const cause = new PhaxioApiError(status, message);
  const transient = status === 408 || status === 429 || status >= 500;
  const reason = status === 422 && invalidNumber.test(message)
    ? 'invalid_address'
    : 'provider_error';

  return new ProviderError({
    provider: 'phaxio', permanent: !transient, reason, providerCode: status, cause,
  });
}
