import { and } from 'drizzle-orm';
import { optOutReported } from '../consent/provider-reports.ts';
import { isAnyOf } from '../db/any-of.ts';
import { messages, providerEvents, type MessageStatus } from '../db/schema.ts';
import type { Logger } from '../log.ts';
import type { StatusUpdate } from '../plugins/channel.ts';
import type { HubServices } from '../services.ts';
import { changeStatuses } from './reported-changes.ts';
import { changeStatus, type Executor, type StatusChange } from './status-log.ts';

/**
 * Which statuses each reported status may follow. Providers call back out of order, so a
 * late `sent` never moves a message back from `delivered`.
 */
const allowedFrom: Record<StatusUpdate['status'], MessageStatus[]> = {
  sent: ['sending'],
  delivered: ['sending', 'sent'],
  failed: ['sending', 'sent'],
};

export type StatusOutcome = 'applied' | 'ignored' | 'unknown_message';

/**
 * What a status job carries: the reports that arrived together, in the order they came. A
 * job queued by an earlier version of the hub is a single report.
 */
export type StatusJob = { reports: StatusUpdate[] } | StatusUpdate;

export function reportsOf(job: StatusJob): StatusUpdate[] {
  return 'reports' in job ? job.reports : [job];
}

/**
 * Applies the reports of one job: those about one message in the order they came, so a
 * `sent` that arrived first is recorded before the `delivered` after it, and those about
 * different messages side by side. The usual reports, a send that went out or arrived, are
 * applied in rounds of one statement (`changeStatuses`): the first report of each message,
 * then the second, and so on. A message with a failure or an opt-out among its reports has
 * them applied one by one. A report that throws is logged and counted as `error`.
 */
export async function applyStatusUpdates(
  services: HubServices,
  updates: StatusUpdate[],
  known: ReportedMessages,
  log: Logger,
): Promise<(StatusOutcome | 'error')[]> {
  const byMessage = [...Map.groupBy(updates, (update) => reportKey(update)).values()];
  const usual = byMessage.filter((ofMessage) => ofMessage.every(isUsual));
  const others = byMessage.filter((ofMessage) => !ofMessage.every(isUsual));

  const oneByOne = Promise.all(others.map(async (ofMessage) => {
    const applied: (StatusOutcome | 'error')[] = [];
    for (const update of ofMessage) {
      applied.push(await applyStatusUpdate(services, update, known).catch((error: unknown) => {
        log.error({ err: error }, 'status update failed');
        return 'error' as const;
      }));
    }
    return applied;
  }));
  const inRounds = applyInRounds(services, usual, known).catch((error: unknown) => {
    log.error({ err: error }, 'status update failed');
    return usual.flat().map(() => 'error' as const);
  });
  return [...(await oneByOne).flat(), ...await inRounds];
}

/** A report that changes the status alone: it is not a failure and reports no opt-out. */
function isUsual(update: StatusUpdate): boolean {
  return update.status !== 'failed' && !update.optOut;
}

async function applyInRounds(
  services: HubServices,
  byMessage: StatusUpdate[][],
  known: ReportedMessages,
): Promise<StatusOutcome[]> {
  const outcomes: StatusOutcome[] = [];
  const rounds = Math.max(0, ...byMessage.map((ofMessage) => ofMessage.length));
  for (let round = 0; round < rounds; round++) {
    const reports = byMessage.flatMap((ofMessage) => ofMessage[round] ?? []);
    const found = reports.flatMap((update) => {
      const message = known.get(reportKey(update));
      return message ? [{ update, message }] : [];
    });
    const changes = found.map(reportedChange);
    const changed = await changeStatuses(services.database.db, changes, services.clock());

    outcomes.push(...reports.map((update): StatusOutcome => {
      const message = known.get(reportKey(update));
      if (!message) return 'unknown_message';
      return changed.has(message.id) ? 'applied' : 'ignored';
    }));
  }
  return outcomes;
}

function reportedChange(report: { update: StatusUpdate; message: ReportedMessage }) {
  const { update, message } = report;
  return {
    id: message.id,
    status: update.status,
    from: allowedFrom[update.status],
    units: update.units,
    providerEvent: providerEvent(update),
  };
}

/**
 * Applies a provider's delivery report to its message, once, and the opt-out it reports.
 * `known` holds the messages of a batch of reports, read together by `loadReportedMessages`:
 * a report whose message is not among them is for a send not recorded yet.
 */
export async function applyStatusUpdate(
  services: HubServices,
  update: StatusUpdate,
  known: ReportedMessages,
): Promise<StatusOutcome> {
  const { db } = services.database;
  const message = known.get(reportKey(update));
  if (!message) return 'unknown_message';

  const change: StatusChange = {
    status: update.status,
    reason: update.status === 'failed' ? update.reason ?? 'provider_error' : null,
    at: services.clock(),
    from: allowedFrom[update.status],
    set: update.units === undefined ? undefined : { units: update.units },
  };

  // The usual report, a send that went out or arrived, is one statement with its event id; a
  // failure (which raises an error) or a reported opt-out writes more, in one transaction.
  if (update.status === 'failed' || update.optOut) {
    return db.transaction((tx) => applyWithOthers(tx, services, { update, message, change }));
  }
  const changed = await changeStatus(db, message, {
    ...change, providerEvent: providerEvent(update),
  });
  return changed ? 'applied' : 'ignored';
}

const reportedColumns = {
  id: messages.id, accountId: messages.accountId, recipientId: messages.recipientId,
  channel: messages.channel, provider: messages.provider, providerId: messages.providerId,
};

/** The reported messages, by provider and provider id. */
export type ReportedMessages = Awaited<ReturnType<typeof loadReportedMessages>>;
type ReportedMessage = NonNullable<ReturnType<ReportedMessages['get']>>;

function reportKey(report: { provider: string | null; providerId: string | null }): string {
  return `${report.provider}\n${report.providerId}`;
}

/** The messages a batch of reports is about, in one query. */
export async function loadReportedMessages(services: HubServices, updates: StatusUpdate[]) {
  const providers = [...new Set(updates.map((update) => update.provider))];
  const ids = [...new Set(updates.map((update) => update.providerId))];
  const rows = await services.database.db.select(reportedColumns).from(messages).where(and(
    isAnyOf(messages.provider, providers, 'text'), isAnyOf(messages.providerId, ids, 'text'),
  ));
  return new Map(rows.map((row) => [reportKey(row), row]));
}

function providerEvent(update: StatusUpdate): StatusChange['providerEvent'] {
  return update.eventId ? { provider: update.provider, eventId: update.eventId } : undefined;
}

interface Report {
  update: StatusUpdate;
  message: ReportedMessage;
  change: StatusChange;
}

async function applyWithOthers(
  tx: Executor,
  services: HubServices,
  { update, message, change }: Report,
): Promise<StatusOutcome> {
  if (update.eventId) {
    const fresh = await tx.insert(providerEvents)
      .values({ provider: update.provider, eventId: update.eventId })
      .onConflictDoNothing()
      .returning({ eventId: providerEvents.eventId });
    if (fresh.length === 0) return 'ignored';
  }

  const changed = await changeStatus(tx, message, change);
  if (update.optOut) await optOutReported(tx, services, message, update.optOut.detail);
  return changed ? 'applied' : 'ignored';
}
