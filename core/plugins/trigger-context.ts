import { and, asc, eq } from 'drizzle-orm';
import { recordBookingConsent } from '../consent/booking.ts';
import { messages, recipients, subjects } from '../db/schema.ts';
import { HubError } from '../errors.ts';
import { acceptPlan } from '../messages/accept.ts';
import type { HubServices } from '../services.ts';
import type { RecipientType, StoredSubject, TriggerContext } from './trigger.ts';

/** The core's services as one trigger plugin sees them. */
export function createTriggerContext(
  services: HubServices,
  id: string,
  config: unknown,
): TriggerContext<unknown> {
  return {
    config,
    log: services.log.child({ plugin: id }),
    clock: services.clock,
    accept: async (request) => {
      const account = await services.accounts.get(request.accountId);
      return acceptPlan(services, account, request);
    },
    settings: async (accountId) => (await services.accounts.get(accountId)).settings,
    subject: (accountId, type, ref) => readSubject(services, accountId, type, ref),
    timeZone: (accountId, recipient) => recipientZone(services, accountId, recipient),
    recordBookingConsent: (accountId, clientRef, booking) =>
      recordBookingConsent(services, accountId, clientRef, booking),
  };
}

async function readSubject(
  services: HubServices,
  accountId: string,
  type: string,
  ref: string,
): Promise<StoredSubject | undefined> {
  const { db } = services.database;
  const [subject] = await db.select({ id: subjects.id, state: subjects.state }).from(subjects)
    .where(and(eq(subjects.accountId, accountId), eq(subjects.type, type), eq(subjects.ref, ref)));
  if (!subject) return undefined;

  const rows = await db.select({
    key: messages.key, kind: messages.kind, status: messages.status, sendAt: messages.sendAt,
    createdAt: messages.createdAt, data: messages.data,
    recipientType: recipients.type, recipientRef: recipients.ref,
  }).from(messages)
    .innerJoin(recipients, eq(recipients.id, messages.recipientId))
    .where(eq(messages.subjectId, subject.id))
    .orderBy(asc(messages.createdAt));

  return {
    state: subject.state,
    messages: rows.map(({ recipientType, recipientRef, data, ...message }) => ({
      ...message, data: data ?? {}, recipient: { type: recipientType, ref: recipientRef },
    })),
  };
}

async function recipientZone(
  services: HubServices,
  accountId: string,
  recipient: { type: RecipientType; ref: string },
): Promise<string> {
  const [row] = await services.database.db.select({ timeZone: recipients.timeZone })
    .from(recipients)
    .where(and(
      eq(recipients.accountId, accountId),
      eq(recipients.type, recipient.type),
      eq(recipients.ref, recipient.ref),
    ));
  if (!row) {
    throw new HubError('unprocessable', {
      message: `No ${recipient.type} with ref "${recipient.ref}"; create it first.`,
    });
  }
  return row.timeZone ?? (await services.accounts.get(accountId)).settings.timeZone;
}
