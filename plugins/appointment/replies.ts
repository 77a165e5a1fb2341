import type {
  InboundReply, PlannedMessage, ReplyResult, StoredSubject, TriggerContext,
} from '../../core/plugins/trigger.ts';
import { toAppointment, visitOf, type Appointment } from './appointment.ts';
import type { AppointmentConfig } from './config.ts';
import { planAppointment } from './plan.ts';

type Context = TriggerContext<AppointmentConfig>;

interface Answering {
  reply: InboundReply;
  context: Context;
  ref: string;
  appointment: Appointment;
  stored: StoredSubject;
  now: Date;
}

/**
 * A client's answer to the latest reminder or notice of an appointment: confirm or cancel,
 * while the appointment is booked and still ahead. Confirming twice changes nothing the
 * second time; anything else (no answer, an appointment past or cancelled) is for a person.
 */
export async function interpretAppointmentReply(
  reply: InboundReply,
  context: Context,
): Promise<ReplyResult> {
  const subject = reply.inReplyTo.subject;
  if (!reply.answer || subject?.type !== 'appointment') return 'unclear';

  const stored = await context.subject(reply.accountId, 'appointment', subject.ref);
  if (!stored) return 'unclear';
  const appointment = stored.state as unknown as Appointment;
  const now = context.clock();
  if (Date.parse(appointment.start) <= now.getTime()) return 'unclear';

  const answering = { reply, context, ref: subject.ref, appointment, stored, now };
  if (reply.answer === 'cancel') {
    if (appointment.status === 'cancelled') return 'unchanged';
    return appointment.status === 'booked' ? cancel(answering) : 'unclear';
  }
  if (appointment.status !== 'booked') return 'unclear';
  if (appointment.confirmedRevision === appointment.revision) return 'unchanged';
  return confirm(answering);
}

async function confirm(answering: Answering): Promise<ReplyResult> {
  const { reply, context, ref, appointment } = answering;
  const state: Appointment = { ...appointment, confirmedRevision: appointment.revision };
  const messages = [...await replan(answering, state), ...acknowledgement(answering, state)];

  await context.accept({
    accountId: reply.accountId, trigger: 'appointment',
    subject: { type: 'appointment', ref, state: { ...state } }, messages,
    events: [{ type: 'appointment.confirmed', data: eventData(answering) }],
  });
  return 'handled';
}

/**
 * Cancels as the host would by sending the appointment with status `cancelled`, so that the
 * host doing so after it hears of the cancellation changes nothing more. The cancellation
 * notice is the acknowledgement: sent at once, through the channel the client answered on.
 */
async function cancel(answering: Answering): Promise<ReplyResult> {
  const { reply, context, ref, appointment } = answering;
  const state = toAppointment({
    clientRef: appointment.clientRef, start: appointment.start,
    end: appointment.end ?? undefined, location: appointment.location ?? undefined,
    practitioner: appointment.practitioner ?? undefined, status: 'cancelled',
    bookedVia: appointment.bookedVia ?? undefined, channel: appointment.channel ?? undefined,
    copyTo: appointment.copyTo,
  }, appointment as unknown as Record<string, unknown>);

  const planned = await replan(answering, state);
  const notice = acknowledgement(answering, state)[0];
  const messages = notice
    ? [...planned.filter((message) => message.key !== notice.key), notice]
    : planned;

  await context.accept({
    accountId: reply.accountId, trigger: 'appointment',
    subject: { type: 'appointment', ref, state: { ...state } }, messages,
    events: [{ type: 'appointment.cancelled', data: eventData(answering) }],
  });
  return 'handled';
}

/** What should stay planned for the appointment in its new state, as a host update plans it. */
async function replan(answering: Answering, appointment: Appointment): Promise<PlannedMessage[]> {
  const { reply, context, ref, stored, now } = answering;
  const settings = await context.settings(reply.accountId);
  return planAppointment({
    ref, appointment, history: stored.messages, now, config: context.config,
    offsets: settings.reminderOffsets ?? context.config.reminders,
  });
}

/**
 * The short answer to the client, through the channel they replied on, keyed like the notice
 * of the same kind so it is sent once per revision. A key pressed during a call was answered
 * by the call itself, so it gets none.
 */
function acknowledgement(answering: Answering, appointment: Appointment): PlannedMessage[] {
  const { reply, ref, now } = answering;
  if (reply.channel === 'voice') return [];

  const kind = appointment.status === 'cancelled' ? 'cancelled' : 'confirmed';
  const { clientRef, revision } = appointment;
  return [{
    // The key planAppointment gives this revision's notice of the same kind.
    key: `appointment:${ref}:r${revision}:${kind}:client:${clientRef}`,
    kind,
    recipient: { type: 'client', ref: clientRef },
    channel: reply.channel,
    sendAt: now,
    expiresAt: new Date(appointment.start),
    data: { appointment: { ...visitOf(appointment), end: appointment.end } },
    copyTo: appointment.copyTo,
  }];
}

function eventData(answering: Answering) {
  const { reply, ref, appointment } = answering;
  return {
    appointment: { ref },
    client: { type: 'client', ref: appointment.clientRef },
    messageId: reply.messageId,
    channel: reply.channel,
    at: reply.receivedAt.toISOString(),
  };
}
