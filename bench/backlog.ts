import { randomUUID } from 'node:crypto';
import { PgBoss } from 'pg-boss';
import type postgres from 'postgres';
import { duePriority } from '../core/queue/due-order.ts';

const chunk = 10_000;
const jobBatch = 1_000;
const day = 86_400_000;

/**
 * Fills the tables with `count` messages due two to nine days from now, as a week of
 * reminders would: rows in `messages` and `message_events` by set-based SQL, and their
 * dispatch jobs through pg-boss's `insert()` in batches of 1,000, with the priority the hub
 * gives them. Each copies the encrypted content of a message the API accepted, so the rows
 * look like the hub's own.
 */
export async function fillBacklog(sql: postgres.Sql, url: string, count: number) {
  const people = await sql<{ recipient_id: string; account_id: string; thread_id: string }[]>`
    select r.id as recipient_id, r.account_id, t.id as thread_id
      from recipients r join threads t on t.recipient_id = r.id`;
  const [model] = await sql<{ id: string }[]>`
    select id from messages where status = 'scheduled' and direction = 'outbound' limit 1`;
  if (!model || people.length === 0) throw new Error('backlog: accept some messages first');

  const boss = new PgBoss({
    connectionString: url, schema: 'pgboss', max: 2, supervise: false, schedule: false,
    migrate: false,
  });
  boss.on('error', () => undefined);
  await boss.start();
  try {
    for (let done = 0; done < count; done += chunk) {
      const size = Math.min(chunk, count - done);
      const rows = planRows(people, size, done);
      await insertMessages(sql, model.id, rows);
      await queueJobs(boss, rows);
    }
  } finally {
    await boss.stop({ graceful: false, timeout: 1_000 });
  }
  await sql`analyze messages, message_events`;
  await sql`analyze pgboss.job`;
}

interface Row {
  id: string;
  person: { recipient_id: string; account_id: string; thread_id: string };
  sendAt: Date;
}

function planRows(people: Row['person'][], size: number, offset: number): Row[] {
  const now = Date.now();
  return Array.from({ length: size }, (_, index) => ({
    id: randomUUID(),
    person: people[(offset + index) % people.length],
    sendAt: new Date(now + 2 * day + Math.floor(Math.random() * 7 * day)),
  }));
}

async function insertMessages(sql: postgres.Sql, modelId: string, rows: Row[]) {
  const ids = rows.map((row) => row.id);
  const accounts = rows.map((row) => row.person.account_id);
  const recipients = rows.map((row) => row.person.recipient_id);
  const threads = rows.map((row) => row.person.thread_id);
  const sendAts = rows.map((row) => row.sendAt.toISOString());

  await sql.begin(async (tx) => {
    await tx`
      insert into messages (id, account_id, recipient_id, thread_id, direction, trigger, kind,
                            manual, key, channel, status, send_at, language, data, content)
      select n.id, n.account_id, n.recipient_id, n.thread_id, m.direction, m.trigger, m.kind,
             m.manual, 'backlog:' || n.id, m.channel, 'scheduled', n.send_at, m.language,
             m.data, m.content
        from unnest(${ids}::uuid[], ${accounts}::text[], ${recipients}::uuid[],
                    ${threads}::uuid[], ${sendAts}::timestamptz[])
               as n(id, account_id, recipient_id, thread_id, send_at)
       cross join (select * from messages where id = ${modelId}) m`;
    await tx`
      insert into message_events (message_id, status, at)
      select id, 'scheduled', now() from unnest(${ids}::uuid[]) as n(id)`;
  });
}

async function queueJobs(boss: PgBoss, rows: Row[]) {
  for (let start = 0; start < rows.length; start += jobBatch) {
    const jobs = rows.slice(start, start + jobBatch).map((row) => ({
      data: { messageId: row.id }, startAfter: row.sendAt,
      priority: duePriority(row.sendAt, Date.now()),
    }));
    await boss.insert('dispatch', jobs);
  }
}
