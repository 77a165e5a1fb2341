import { and, desc, eq, gte, like, lt, or, sql, type SQL } from 'drizzle-orm';
import type { Database } from '../db/client.ts';
import { auditLog } from './tables.ts';

export type AuditEntry = typeof auditLog.$inferSelect;
export type NewAuditEntry = typeof auditLog.$inferInsert;

export interface AuditQuery {
  action?: string;
  /** The subject, and everything below it: `messages/<id>` also finds its attachments. */
  subject?: string;
  keyId?: string;
  from?: Date;
  to?: Date;
  /** Only entries older than this one: the last id of the page before. */
  before?: number;
  limit: number;
}

const recordedColumns = [
  'accountId', 'targetAccountId', 'keyId', 'action', 'subject', 'route', 'status', 'requestId',
] as const satisfies (keyof NewAuditEntry)[];

/** What a request's row records; its id and time are the database's. */
export type NewAuditRecord = Pick<NewAuditEntry, (typeof recordedColumns)[number]>;

/** The audit log: one row per audited request, newest first when read. */
export class AuditLog {
  readonly #db: Database;
  /** Every audited request's insert, built once rather than for each request. */
  readonly #insert;

  constructor(db: Database) {
    this.#db = db;
    const values = Object.fromEntries(recordedColumns.map((name) => [name, sql.placeholder(name)]));
    // drizzle takes placeholders for values, though its types do not say so.
    this.#insert = db.insert(auditLog).values(values as unknown as NewAuditEntry)
      .prepare('audit_record');
  }

  async record(entry: NewAuditRecord): Promise<void> {
    await this.#insert.execute(
      Object.fromEntries(recordedColumns.map((name) => [name, entry[name] ?? null])),
    );
  }

  async list(accountId: string, query: AuditQuery): Promise<AuditEntry[]> {
    return this.#db.select().from(auditLog)
      .where(and(eq(auditLog.accountId, accountId), ...filters(query)))
      .orderBy(desc(auditLog.id))
      .limit(query.limit);
  }
}

function filters(query: AuditQuery): SQL[] {
  const where: SQL[] = [];
  if (query.action) where.push(eq(auditLog.action, query.action));
  if (query.subject) where.push(underSubject(query.subject));
  if (query.keyId) where.push(eq(auditLog.keyId, query.keyId));
  if (query.from) where.push(gte(auditLog.at, query.from));
  if (query.to) where.push(lt(auditLog.at, query.to));
  if (query.before) where.push(lt(auditLog.id, query.before));
  return where;
}

function underSubject(subject: string): SQL {
  const escaped = subject.replace(/[\\%_]/g, (character) => `\\${character}`);
  return or(eq(auditLog.subject, subject), like(auditLog.subject, `${escaped}/%`))!;
}
