import { eq } from 'drizzle-orm';
import { messages, recipients, subjects } from '../db/schema.ts';
import type { StatusReason } from '../messages/reasons.ts';
import type { Executor, StatusChange } from '../messages/status-log.ts';
import { emitEvent } from './events.ts';

/** A host's reference to something the hub holds: a recipient, an appointment, an invoice. */
export interface Reference {
  type: string;
  ref: string;
}

export interface MessagingError {
  accountId: string;
  reason: StatusReason;
  messageId: string | null;
  channel?: string | null;
  recipient: Reference | null;
  /** What the message was about (an appointment, an invoice), when a trigger planned it. */
  subject: Reference | null;
  at?: Date;
}

/**
 * Tells the host and the account's users that something could not be done, in the caller's
 * transaction. Carries references and a reason code, never content or addresses.
 */
export async function raiseError(tx: Executor, error: MessagingError): Promise<void> {
  const { accountId, at, ...data } = error;
  await emitEvent(tx, accountId, 'messaging.error', data, at);
}

/**
 * Whether a status is a failure the host and the staff should hear of: anything that failed
 * or expired, and messages held because the account ran out of credit. Holds that wait for an
 * opt-in are the normal course and are not errors.
 */
function isError(change: Pick<StatusChange, 'status' | 'reason'>): boolean {
  if (change.status === 'failed' || change.status === 'expired') return true;
  return change.status === 'held' && change.reason === 'insufficient_credit';
}

/** Raises `messaging.error` for a status change that is a failure; see `isError`. */
export async function raiseStatusError(
  tx: Executor,
  message: { id: string; accountId: string },
  change: Pick<StatusChange, 'status' | 'reason' | 'at'>,
): Promise<void> {
  if (!isError(change)) return;

  const [row] = await tx.select({
    channel: messages.channel,
    recipientType: recipients.type, recipientRef: recipients.ref,
    subjectType: subjects.type, subjectRef: subjects.ref,
  })
    .from(messages)
    .leftJoin(recipients, eq(recipients.id, messages.recipientId))
    .leftJoin(subjects, eq(subjects.id, messages.subjectId))
    .where(eq(messages.id, message.id));

  await raiseError(tx, {
    accountId: message.accountId,
    reason: change.reason ?? (change.status === 'expired' ? 'expired' : 'provider_error'),
    messageId: message.id,
    channel: row?.channel ?? null,
    recipient: reference(row?.recipientType, row?.recipientRef),
    subject: reference(row?.subjectType, row?.subjectRef),
    at: change.at,
  });
}

function reference(type: string | null | undefined, ref: string | null | undefined) {
  return type && ref ? { type, ref } : null;
}
