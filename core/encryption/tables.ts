import { pgTable, text, timestamp } from 'drizzle-orm/pg-core';

/** Every key that has encrypted data here, so a start without one of them can refuse. */
export const encryptionKeys = pgTable('encryption_keys', {
  id: text('id').primaryKey(),
  firstUsedAt: timestamp('first_used_at', { withTimezone: true }).notNull().defaultNow(),
});
