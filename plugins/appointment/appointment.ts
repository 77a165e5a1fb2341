import { z } from '@hono/zod-openapi';
import { bookingConsentSchema } from '../../core/consent/booking.ts';
import { refSchema } from '../../core/http/schemas.ts';
import { revise, type Revision } from '../../core/plugins/revision.ts';

export const appointmentStatuses = ['booked', 'cancelled', 'completed', 'no_show'] as const;

const moment = z.iso.datetime({ offset: true });

export const appointmentInputSchema = z.strictObject({
  clientRef: refSchema.describe('The client, created first with `PUT .../clients/{ref}`.'),
  start: moment.describe('When it starts, with an offset: `2026-03-10T08:30:00-05:00`.'),
  end: moment.optional(),
  location: z.string().min(1).max(200).optional()
    .describe('Where, as the client should read it; shown in messages.'),
  practitioner: z.string().min(1).max(200).optional()
    .describe('Who the client sees, as they should read it; shown in messages.'),
  status: z.enum(appointmentStatuses).default('booked'),
  bookedVia: z.string().regex(/^[a-z][a-z0-9_]{0,63}$/).optional()
    .describe('How it was booked: `staff`, `online_scheduler`, …'),
  channel: z.string().max(32).optional()
    .describe("The channel for its messages; the client's assigned channel when absent."),
  copyTo: z.array(refSchema).max(5).optional()
    .describe('Contacts (a guardian, a referring provider) copied on its reminders and notices.'),
  consent: bookingConsentSchema.optional()
    .describe("The client's opt-in and privacy-policy acceptance given with the booking; a " +
      "client's first booking through the online scheduler must carry the acceptance."),
}).refine((input) => !input.end || Date.parse(input.end) > Date.parse(input.start), {
  message: 'end must come after start', path: ['end'],
}).openapi('AppointmentInput');

export type AppointmentInput = z.infer<typeof appointmentInputSchema>;

/** An appointment as stored with its subject. Times are ISO 8601 in UTC. */
export interface Appointment extends Revision {
  clientRef: string;
  start: string;
  end: string | null;
  location: string | null;
  practitioner: string | null;
  status: (typeof appointmentStatuses)[number];
  bookedVia: string | null;
  channel: string | null;
  copyTo: string[];
  /** The revision the client confirmed by replying; a moved appointment is unconfirmed. */
  confirmedRevision?: number;
}

/** What the client is told about a visit; a change to any of it is worth a notice. */
export function visitOf(appointment: Pick<Appointment, 'start' | 'location' | 'practitioner'>) {
  const { start, location, practitioner } = appointment;
  return { start, location, practitioner };
}

export function toAppointment(
  input: AppointmentInput,
  previous: Record<string, unknown> | undefined,
): Appointment {
  const fields = {
    clientRef: input.clientRef,
    start: new Date(input.start).toISOString(),
    end: input.end ? new Date(input.end).toISOString() : null,
    location: input.location ?? null,
    practitioner: input.practitioner ?? null,
    status: input.status,
  };
  const { clientRef, status } = fields;
  return {
    ...fields,
    bookedVia: input.bookedVia ?? null,
    channel: input.channel ?? null,
    copyTo: input.copyTo ?? [],
    ...revise(previous, { clientRef, status, ...visitOf(fields) }),
    ...confirmation(previous),
  };
}

/** The host sending the appointment again keeps what the client confirmed. */
function confirmation(previous: Record<string, unknown> | undefined) {
  const confirmed = previous?.confirmedRevision;
  return typeof confirmed === 'number' ? { confirmedRevision: confirmed } : {};
}
