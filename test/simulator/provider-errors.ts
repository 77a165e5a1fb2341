import type { Provider } from './options.ts';

// Texts follow what each provider answers; where the reference marks a code as belief, the text
// is a plausible one, since clients read the code and status, not the words.
const twilioErrors: Record<number, { status: number; message: string }> = {
  20003: { status: 401, message: 'Authenticate' },
  20404: { status: 404, message: 'The requested resource was not found' },
  20429: { status: 429, message: 'Too Many Requests' },
  20500: { status: 500, message: 'An internal server error has occurred' },
  21201: { status: 400, message: "No 'To' number is specified" },
  21205: { status: 400, message: "A 'Url', 'Twiml' or 'ApplicationSid' parameter is required." },
  21211: { status: 400, message: "The 'To' number is not a valid phone number." },
  21213: { status: 400, message: "No 'From' number is specified" },
  21408: { status: 400, message: 'Permission to send an SMS has not been enabled for the region.' },
  21602: { status: 400, message: 'Message body is required.' },
  21603: { status: 400, message: "A 'From' phone number is required." },
  21604: { status: 400, message: "A 'To' phone number is required." },
  21610: { status: 400, message: 'Attempt to send to unsubscribed recipient' },
  21614: { status: 400, message: "'To' number is not a valid mobile number" },
  21617: {
    status: 400,
    message: 'The concatenated message body exceeds the 1600 character limit.',
  },
  21635: { status: 400, message: "The 'To' number cannot be a landline." },
};

const twilioCodeForStatus: Record<number, number> = {
  401: 20003,
  404: 20404,
  429: 20429,
  500: 20500,
  503: 20500,
};

/**
 * Twilio's legacy error body. The RFC 9457 shape (`type`, `title`, …) would make twilio-node
 * throw a different exception class, so it is never used here.
 */
export function twilioError(code: number | undefined, status?: number, message?: string) {
  const known = code === undefined ? undefined : twilioErrors[code];
  const finalStatus = status ?? known?.status ?? 400;
  const finalCode = code ?? twilioCodeForStatus[finalStatus] ?? 20500;
  const body = {
    code: finalCode,
    message: message ?? known?.message ?? twilioErrors[finalCode]?.message ?? 'Error',
    more_info: `https://www.twilio.com/docs/errors/${finalCode}`,
    status: finalStatus,
  };
  return Response.json(body, { status: finalStatus });
}

const sendgridMessages: Record<number, string> = {
  400: 'Bad Request',
  401: 'The provided authorization grant is invalid, expired, or revoked',
  403: 'The from address does not match a verified Sender Identity.',
  413: 'The JSON payload you have included in your request is too large.',
  429: 'too many requests',
  500: 'internal server error',
};

export interface SendGridErrorItem {
  message: string;
  field?: string | null;
}

export function sendgridError(status: number, errors?: SendGridErrorItem[]) {
  const list = errors ?? [{ message: sendgridMessages[status] ?? 'error' }];
  const body = {
    errors: list.map((item) => ({ message: item.message, field: item.field ?? null, help: null })),
  };
  return Response.json(body, { status });
}

const phaxioMessages: Record<number, string> = {
  401: 'Invalid API credentials',
  404: 'Fax not found',
  422: 'Invalid parameters',
  429: 'Rate limit exceeded',
  500: 'Internal server error',
};

export function phaxioError(status: number, message?: string) {
  const text = message ?? phaxioMessages[status] ?? 'Error';
  return Response.json({ success: false, message: text }, { status });
}

/** The error a provider answers with when a test asks for a failure with this status and code. */
export function providerError(
  provider: Provider,
  status: number | undefined,
  code?: number,
  message?: string,
): Response {
  switch (provider) {
    case 'twilio':
      return twilioError(code, status, message);
    case 'sendgrid':
      return sendgridError(status ?? 400, message === undefined ? undefined : [{ message }]);
    case 'phaxio':
      return phaxioError(status ?? 422, message);
  }
}
