import type { PlannedMessage, SubjectMessage } from '../../core/plugins/trigger.ts';
import { durationKey, parseDuration } from '../../core/scheduling/durations.ts';
import { visitOf, type Appointment } from './appointment.ts';
import type { AppointmentConfig, NoticeKind } from './config.ts';
import { noticeToSend } from './notices.ts';

export interface AppointmentPlan {
  ref: string;
  appointment: Appointment;
  /** The messages planned for the appointment before, oldest first. */
  history: SubjectMessage[];
  now: Date;
  config: AppointmentConfig;
  /** The account's reminder offsets, or the config's. */
  offsets: string[];
}

/** Everything that should be pending for the appointment now. */
export function planAppointment(plan: AppointmentPlan): PlannedMessage[] {
  const start = new Date(plan.appointment.start);
  if (start <= plan.now) return [];

  const notice = planNotice(plan, start);
  return [...(notice ? [notice] : []), ...planReminders(plan, start)];
}

/**
 * One reminder per offset, for a booked appointment. A reminder whose moment has passed is
 * not planned; one that quiet hours would push past the minimum lead is skipped by the core.
 */
function planReminders(plan: AppointmentPlan, start: Date): PlannedMessage[] {
  const { appointment, now, config } = plan;
  if (appointment.status !== 'booked') return [];

  const latestAt = new Date(start.getTime() - parseDuration(config.minimumLead));
  return plan.offsets.flatMap((offset) => {
    const sendAt = new Date(start.getTime() - parseDuration(offset));
    if (sendAt <= now) return [];
    return [{
      ...common(plan, 'reminder', `reminder:${durationKey(offset)}`),
      sendAt, latestAt, expiresAt: start,
      data: { appointment: view(appointment) },
    }];
  });
}

/**
 * The notice of what changed since the client was last told, after the notice delay. The
 * pending notice of an earlier change is left out of the plan, so the core cancels it: a
 * change undone within the delay tells the client nothing.
 */
function planNotice(plan: AppointmentPlan, start: Date): PlannedMessage | undefined {
  const { appointment, now, config } = plan;
  const notice = noticeToSend(appointment, plan.history);
  if (!notice || !config.notices.includes(notice.kind)) return undefined;

  const sendAt = new Date(now.getTime() + parseDuration(config.noticeDelay));
  const data = notice.kind === 'rescheduled'
    ? { appointment: view(appointment), previous: notice.previous }
    : { appointment: view(appointment) };
  return { ...common(plan, notice.kind, notice.kind), sendAt, expiresAt: start, data };
}

/** Keys carry the appointment's revision: what a changed appointment plans is new. */
function common(plan: AppointmentPlan, kind: 'reminder' | NoticeKind, name: string) {
  const { ref, appointment } = plan;
  const { clientRef, revision } = appointment;
  return {
    key: `appointment:${ref}:r${revision}:${name}:client:${clientRef}`,
    kind,
    recipient: { type: 'client' as const, ref: clientRef },
    channel: appointment.channel ?? undefined,
    copyTo: appointment.copyTo,
  };
}

/** What templates see of the appointment: no more than the client needs. */
function view(appointment: Appointment) {
  return { ...visitOf(appointment), end: appointment.end };
}
