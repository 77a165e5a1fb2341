import type { StatusReason } from '../messages/reasons.ts';

/**
 * A provider refused or failed a send. Permanent errors fail the message with their reason;
 * transient ones (timeouts, 429, 5xx) are retried with backoff.
 */
export class ProviderError extends Error {
  readonly provider: string;
  readonly permanent: boolean;
  readonly reason: StatusReason;
  /** The provider's own error code, when it gave one. */
  readonly providerCode?: string | number;

  constructor(options: {
    provider: string;
    permanent: boolean;
    reason: StatusReason;
    providerCode?: string | number;
    cause?: unknown;
  }) {
    super(`${options.provider} ${options.permanent ? 'rejected' : 'failed'} the send`, {
      cause: options.cause,
    });
    this.name = 'ProviderError';
    this.provider = options.provider;
    this.permanent = options.permanent;
    this.reason = options.reason;
    this.providerCode = options.providerCode;
  }
}
