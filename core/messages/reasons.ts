/** Reason codes kept with status changes and sent to the host. */
export const statusReasons = [
  'messaging_disabled',
  'invalid_address',
  'landline',
  'unsubscribed',
  'bounced',
  'blocked',
  'busy',
  'no_answer',
  'carrier_filtered',
  'fax_failed',
  'provider_error',
  'opt_in_expired',
  'awaiting_opt_in',
  'insufficient_credit',
  'template_error',
  'expired',
  'superseded',
  'quiet_hours',
  'cancelled_by_host',
] as const;

export type StatusReason = (typeof statusReasons)[number];
