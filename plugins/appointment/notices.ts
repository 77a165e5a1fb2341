import type { SubjectMessage } from '../../core/plugins/trigger.ts';
import { fingerprint } from '../../core/plugins/revision.ts';
import { visitOf, type Appointment } from './appointment.ts';
import { noticeKinds, type NoticeKind } from './config.ts';

type Visit = ReturnType<typeof visitOf>;

/** A notice that reached the client, and the visit it described. */
interface ToldNotice {
  kind: NoticeKind;
  visit: Visit;
}

/** Statuses of a notice that left the hub: the client may have read it. */
const toldStatuses = new Set(['sending', 'sent', 'delivered']);

/**
 * Which notice, if any, tells the client what changed since the last notice that reached
 * them: a booking they have not heard of, a new time or place, a cancellation.
 */
export function noticeToSend(
  appointment: Appointment,
  history: SubjectMessage[],
): { kind: NoticeKind; previous?: Visit } | undefined {
  const told = lastTold(appointment.clientRef, history);
  const known = told !== undefined && told.kind !== 'cancelled';

  switch (appointment.status) {
    case 'booked':
      if (!known) return { kind: 'booked' };
      return sameVisit(told.visit, visitOf(appointment))
        ? undefined
        : { kind: 'rescheduled', previous: told.visit };
    case 'cancelled':
      return known ? { kind: 'cancelled' } : undefined;
    case 'completed':
    case 'no_show':
      return undefined;
  }
}

function lastTold(clientRef: string, history: SubjectMessage[]): ToldNotice | undefined {
  const notices = history.filter((message) =>
    (noticeKinds as readonly string[]).includes(message.kind)
    && message.recipient.type === 'client' && message.recipient.ref === clientRef
    && toldStatuses.has(message.status));

  const last = notices.at(-1);
  if (!last) return undefined;
  const visit = (last.data.appointment ?? {}) as Visit;
  return { kind: last.kind as NoticeKind, visit: visitOf(visit) };
}

function sameVisit(a: Visit, b: Visit): boolean {
  return fingerprint(visitOf(a)) === fingerprint(visitOf(b));
}
