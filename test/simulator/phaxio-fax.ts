export type FaxStatus =
  | 'queued'
  | 'pendingbatch'
  | 'inprogress'
  | 'success'
  | 'failure'
  | 'partialsuccess';

export interface FaxRecipient {
  phone_number: string;
  status: 'queued' | 'inprogress' | 'success' | 'failure';
  retry_count: number;
  completed_at: string | null;
  bitrate: number | null;
  resolution: number | null;
  error_type: string | null;
  error_id: number | null;
  error_message: string | null;
}

/** Phaxio's Fax object, as `GET /v2.1/faxes/:id` and the webhooks carry it. */
export interface FaxResource {
  id: number;
  direction: 'sent' | 'received';
  num_pages: number;
  status: FaxStatus;
  is_test: boolean;
  created_at: string;
  caller_id: string | null;
  from_number: string | null;
  completed_at: string | null;
  caller_name: string | null;
  /** In cents. */
  cost: number;
  tags: Record<string, string>;
  recipients: FaxRecipient[];
  to_number: string | null;
  error_id: number | null;
  error_type: string | null;
  error_message: string | null;
  barcodes: unknown[];
}

/** How the simulated fax line at one number answers. */
export interface FaxLineBehavior {
  outcome?: 'success' | 'failure';
  errorType?: string;
  errorId?: number;
  errorMessage?: string;
}

/** Failures from Phaxio's error list, ready for `setLine()`. */
export const faxFailures = {
  busy: { outcome: 'failure', errorType: 'lineError', errorId: 17, errorMessage: 'Busy' },
  noAnswer: { outcome: 'failure', errorType: 'lineError', errorId: 30, errorMessage: 'No answer' },
  notOperational: {
    outcome: 'failure',
    errorType: 'lineError',
    errorId: 34,
    errorMessage: 'Number not operational',
  },
  faxError: {
    outcome: 'failure',
    errorType: 'faxError',
    errorId: 6,
    errorMessage: 'Fax transmission error',
  },
} as const satisfies Record<string, FaxLineBehavior>;

/** What a page costs per recipient, in cents. */
const pagePrice = 7;

/** Phaxio's timestamps carry a zone offset: `2021-11-04T16:28:30.000-05:00`. */
export function phaxioTime(date = new Date()): string {
  return date.toISOString().replace('Z', '+00:00');
}

export function newFax(id: number, fields: Partial<FaxResource>): FaxResource {
  return {
    id,
    direction: 'sent',
    num_pages: 0,
    status: 'queued',
    is_test: true,
    created_at: phaxioTime(),
    caller_id: null,
    from_number: null,
    completed_at: null,
    caller_name: null,
    cost: 0,
    tags: {},
    recipients: [],
    to_number: null,
    error_id: null,
    error_type: null,
    error_message: null,
    barcodes: [],
    ...fields,
  };
}

export function newRecipient(phoneNumber: string): FaxRecipient {
  return {
    phone_number: phoneNumber,
    status: 'queued',
    retry_count: 0,
    completed_at: null,
    bitrate: null,
    resolution: null,
    error_type: null,
    error_id: null,
    error_message: null,
  };
}

/** Ends a sent fax: each recipient per its line, the fax's status from all of them. */
export function finishFax(fax: FaxResource, lineFor: (number: string) => FaxLineBehavior): void {
  const now = phaxioTime();
  for (const recipient of fax.recipients) {
    const line = lineFor(recipient.phone_number);
    const failed = line.outcome === 'failure';
    recipient.status = failed ? 'failure' : 'success';
    recipient.completed_at = now;
    if (failed) {
      recipient.error_type = line.errorType ?? 'lineError';
      recipient.error_id = line.errorId ?? 17;
      recipient.error_message = line.errorMessage ?? 'Busy';
    } else {
      recipient.bitrate = 14400;
      recipient.resolution = 7700;
    }
  }

  const failures = fax.recipients.filter((recipient) => recipient.status === 'failure');
  const successes = fax.recipients.length - failures.length;
  fax.status = failures.length === 0 ? 'success' : successes === 0 ? 'failure' : 'partialsuccess';
  fax.completed_at = now;
  fax.cost = fax.num_pages * pagePrice * successes;
  if (failures[0]) {
    fax.error_type = failures[0].error_type;
    fax.error_id = failures[0].error_id;
    fax.error_message = failures[0].error_message;
  }
}

/** A fax canceled before it finished fails every recipient that had not finished. */
export function cancelFax(fax: FaxResource): void {
  finishFax(fax, () => ({
    outcome: 'failure',
    errorType: 'generalError',
    errorId: 0,
    errorMessage: 'Fax canceled',
  }));
}
