import { z } from 'zod';

/** https://www.phaxio.com/docs/statuses */
const faxStatuses = [
  'queued', 'pendingbatch', 'inprogress', 'success', 'failure', 'partialsuccess',
] as const;

export type FaxStatus = (typeof faxStatuses)[number];

const faxError = {
  error_type: z.string().nullish(),
  error_id: z.number().nullish(),
};

/**
 * The parts of Phaxio's Fax object the hub reads. Webhooks carry it as a JSON string in the
 * `fax` field, in v2.1 webhooks and legacy v2 callbacks alike.
 * https://www.phaxio.com/docs/api/v2.1/faxes/get_fax
 */
export const phaxioFaxSchema = z.looseObject({
  id: z.number().int(),
  direction: z.enum(['sent', 'received']),
  num_pages: z.number().int().nonnegative().nullish(),
  status: z.enum(faxStatuses),
  from_number: z.string().nullish(),
  to_number: z.string().nullish(),
  ...faxError,
  recipients: z.array(z.looseObject({ phone_number: z.string(), ...faxError })).nullish(),
});

export type PhaxioFax = z.infer<typeof phaxioFaxSchema>;

/** Reads the `fax` field of a webhook; undefined when it is missing or not a Fax object. */
export function parseFaxField(value: string | undefined): PhaxioFax | undefined {
  if (value === undefined) return undefined;

  try {
    const parsed = phaxioFaxSchema.safeParse(JSON.parse(value));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
