import type { StatusReason } from '../../core/messages/reasons.ts';
import { ProviderError } from '../../core/plugins/provider-error.ts';

/**
 * The Twilio error codes that refuse a call for a reason the hub records; any other 4xx
 * refuses it as `provider_error`. https://www.twilio.com/docs/api/errors
 */
const refusals = {
  /** Invalid 'To' phone number. */
  21211: 'invalid_address',
  /** Invalid phone number. */
  21401: 'invalid_address',
  /** The number is on Twilio's list of high-risk destinations. */
  21216: 'blocked',
} as const satisfies Record<number, StatusReason>;

type RefusalCode = keyof typeof refusals;

/**
 * What a failed `calls.create` means for the message. A refusal comes at once as a 4xx, which
 * no retry changes; 429, 5xx, timeouts and network errors pass, so the core retries them.
 */
export function callSendError(error: unknown): ProviderError {
  const failure = apiFailure(error);
  const transient = !failure || failure.status === 429 || failure.status >= 500;
  if (transient) {
    return new ProviderError({
      provider: 'twilio', permanent: false, reason: 'provider_error',
      providerCode: failure?.code ?? failure?.status, cause: error,
    });
  }

  const reason = isRefusal(failure.code) ? refusals[failure.code] : 'provider_error';
  return new ProviderError({
    provider: 'twilio', permanent: true, reason, providerCode: failure.code, cause: error,
  });
}

function isRefusal(code: number | undefined): code is RefusalCode {
  return code !== undefined && Object.hasOwn(refusals, code);
}

/**
 * The HTTP status and Twilio code of an error the API answered with: twilio-node throws
 * `RestException` (or `TwilioServiceException` for RFC 9457 bodies), both with a numeric
 * `status`. Timeouts and network errors have none.
 */
function apiFailure(error: unknown): { status: number; code?: number } | undefined {
  if (!(error instanceof Error)) return undefined;

  const { status, code } = error as { status?: unknown; code?: unknown };
  if (typeof status !== 'number') return undefined;
  return { status, code: typeof code === 'number' ? code : undefined };
}
