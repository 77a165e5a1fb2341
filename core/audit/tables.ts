import { bigserial, index, integer, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

/**
 * Who reached which data through the API, and what the hub answered. A row names the data
 * (`messages/<id>`, `clients/<ref>`) but never holds any of it. Rows are only ever added.
 */
export const auditLog = pgTable('audit_log', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
  /** The account whose log holds the row: the caller's own, or the target for the admin key. */
  accountId: text('account_id').notNull(),
  /** The account named in the path; another account's when a key reached beyond its own. */
  targetAccountId: text('target_account_id').notNull(),
  /** The account key used, or `admin`. */
  keyId: text('key_id').notNull(),
  action: text('action').notNull(),
  /** What was reached, as a path inside the account: `messages/<id>`, `clients/<ref>`. */
  subject: text('subject'),
  /** The method and route pattern, such as `GET /v1/accounts/:accountId/messages`. */
  route: text('route').notNull(),
  status: integer('status').notNull(),
  requestId: text('request_id').notNull(),
}, (t) => [
  index('audit_log_account').on(t.accountId, t.id),
  // text_pattern_ops lets the prefix search of a subject's descendants use the index.
  index('audit_log_account_subject').on(t.accountId, t.subject.op('text_pattern_ops')),
]);
