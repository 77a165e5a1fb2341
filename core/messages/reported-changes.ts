import { sql, type SQL } from 'drizzle-orm';
import type { MessageStatus } from '../db/schema.ts';
import { StatementCache } from '../db/statement-cache.ts';
import { countStatus, type Executor } from './status-log.ts';

/** One message's change among many: a provider's report that it was sent or delivered. */
export interface ReportedChange {
  id: string;
  status: MessageStatus;
  from: MessageStatus[];
  /** Billed units, when the provider reported them. */
  units?: number;
  providerEvent?: { provider: string; eventId: string };
}

/**
 * Moves many messages, one change each, in one statement: what `changeStatus` does for one,
 * for the reports a status job carries, which made most of a worker's statements when each
 * was a statement of its own. A change whose provider event was recorded before, or whose
 * message has left its `from` statuses, changes nothing. Returns the ids of the messages
 * changed. Failures, which raise an error each, go through `changeStatus` instead.
 */
export async function changeStatuses(
  tx: Executor,
  changes: ReportedChange[],
  at: Date,
): Promise<Set<string>> {
  if (changes.length === 0) return new Set();

  const input = JSON.stringify(changes.map((change) => ({
    id: change.id,
    status: change.status,
    from: change.from,
    units: change.units ?? null,
    provider: change.providerEvent?.provider ?? null,
    event_id: change.providerEvent?.eventId ?? null,
  })));
  const rows = await tx.execute<{ id: string; channel: string; trigger: string; status: string }>(
    reportedChanges.bind('reported', reportedChangesStatement, { input, at: at.toISOString() }),
  );

  for (const row of rows) countStatus(row, { status: row.status as MessageStatus });
  return new Set(rows.map((row) => row.id));
}

const reportedChanges = new StatementCache();

function reportedChangesStatement(): SQL {
  const at = sql`${sql.placeholder('at')}::timestamptz`;
  return sql`
    with input as (
      select * from jsonb_to_recordset(${sql.placeholder('input')}::jsonb)
        as i(id uuid, status text, "from" text[], units int, provider text, event_id text)),
    fresh as (
      insert into provider_events (provider, event_id)
      select provider, event_id from input where event_id is not null
      on conflict do nothing
      returning provider, event_id),
    changed as (
      update messages m
         set status = i.status, status_reason = null, units = coalesce(i.units, m.units),
             updated_at = ${at}
        from input i
       where m.id = i.id and m.status = any(i."from")
         and (i.event_id is null or exists (
           select 1 from fresh f where f.provider = i.provider and f.event_id = i.event_id))
      returning m.id, m.account_id, m.channel, m.trigger, m.status),
    history as (
      insert into message_events (message_id, status, reason, at)
      select id, status, null, ${at} from changed),
    event as (
      insert into outbox (account_id, type, data, created_at)
      select account_id, 'message.status',
             jsonb_build_object('messageId', id, 'status', status, 'reason', null), ${at}
        from changed
      returning id),
    relay as (insert into event_relay (outbox_id) select id from event)
    select id, channel, trigger, status from changed`;
}
