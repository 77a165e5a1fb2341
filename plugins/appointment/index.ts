import { createRoute, z } from '@hono/zod-openapi';
import {
  accountIdParam, bearerSecurity, commonErrors, jsonBody, jsonResponse, refSchema,
} from '../../core/http/schemas.ts';
import type { AcceptedMessage, TriggerPlugin } from '../../core/plugins/trigger.ts';
import {
  appointmentInputSchema, appointmentStatuses, toAppointment, type Appointment,
} from './appointment.ts';
import { configSchema, type AppointmentConfig } from './config.ts';
import { planAppointment } from './plan.ts';
import { interpretAppointmentReply } from './replies.ts';

const plannedSchema = z.object({
  id: z.string(),
  kind: z.string(),
  status: z.string(),
  sendAt: z.string().describe('When it goes out, after any move for quiet hours.'),
}).openapi('PlannedMessage');

const appointmentSchema = z.object({
  ref: z.string(),
  clientRef: z.string(),
  start: z.string(),
  end: z.string().nullable(),
  location: z.string().nullable(),
  practitioner: z.string().nullable(),
  status: z.enum(appointmentStatuses),
  bookedVia: z.string().nullable(),
  messages: z.array(plannedSchema)
    .describe('The reminders and notices now planned for it; messages already sent are listed ' +
      'by `GET .../messages`.'),
}).openapi('Appointment');

const putAppointment = createRoute({
  method: 'put', path: '/v1/accounts/{accountId}/appointments/{ref}', tags: ['Appointments'],
  security: bearerSecurity,
  summary: 'Create or update an appointment by your own reference',
  description:
    'Plans its reminders (before the start) and a notice of the booking, new time or ' +
    'cancellation (after a short delay). Sending the same appointment again changes nothing; ' +
    'a changed one replaces what is still pending.',
  request: {
    params: accountIdParam.extend({
      ref: refSchema.openapi({ param: { name: 'ref', in: 'path' } }),
    }),
    body: jsonBody(appointmentInputSchema),
  },
  responses: {
    200: jsonResponse(appointmentSchema, 'The appointment, updated.'),
    201: jsonResponse(appointmentSchema, 'The appointment, created.'),
    ...commonErrors,
  },
});

const visit = {
  start: '2026-03-10T13:30:00Z',
  end: '2026-03-10T14:00:00Z',
  location: 'Main Street office',
  practitioner: 'Dr. Lee',
};

/** Appointment reminders before the start, and notices when one is booked, moved or cancelled. */
const appointment: TriggerPlugin<AppointmentConfig> = {
  kind: 'trigger',
  id: 'appointment',
  configSchema,
  templates: {
    reminder: { sampleData: { appointment: visit } },
    booked: { sampleData: { appointment: visit } },
    rescheduled: {
      sampleData: {
        appointment: visit,
        previous: { start: '2026-03-09T15:00:00Z', location: null, practitioner: 'Dr. Lee' },
      },
    },
    cancelled: { sampleData: { appointment: visit } },
    // The answer to a client who confirmed by replying; a key pressed in a call gets none.
    confirmed: { sampleData: { appointment: visit }, channels: ['sms', 'email'] },
  },
  routes(app, context) {
    app.openapi(putAppointment, async (c) => {
      const { accountId, ref } = c.req.valid('param');
      const input = c.req.valid('json');
      const { bookedVia, consent } = input;
      await context.recordBookingConsent(accountId, input.clientRef, { bookedVia, consent });

      const [previous, settings] = await Promise.all([
        context.subject(accountId, 'appointment', ref),
        context.settings(accountId),
      ]);

      const state = toAppointment(input, previous?.state);
      const messages = planAppointment({
        ref, appointment: state, history: previous?.messages ?? [], now: context.clock(),
        config: context.config, offsets: settings.reminderOffsets ?? context.config.reminders,
      });
      const accepted = await context.accept({
        accountId, trigger: 'appointment',
        subject: { type: 'appointment', ref, state: { ...state } }, messages,
      });
      return c.json(present(ref, state, accepted), previous ? 200 : 201);
    });
  },
  interpretReply: interpretAppointmentReply,
};

function present(ref: string, state: Appointment, accepted: AcceptedMessage[]) {
  const { clientRef, start, end, location, practitioner, status, bookedVia } = state;
  return {
    ref, clientRef, start, end, location, practitioner, status, bookedVia,
    messages: accepted.map(({ id, kind, status: messageStatus, sendAt }) => ({
      id, kind, status: messageStatus, sendAt: sendAt.toISOString(),
    })),
  };
}

export default appointment;
