import { index, boolean, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { accounts, messages } from '../db/schema.ts';

export const replyOutcomes = [
  /** A carrier keyword: the recipient opted out or in, or asked for help. */
  'opted_out', 'opted_in', 'help',
  /** The trigger of the message answered acted on it (an appointment confirmed). */
  'handled',
  /** Nothing to do: a keyword or answer repeated, or a sender the account does not know. */
  'unchanged',
  /** Not understood, or too late to act on: a person should read it. */
  'unclear',
] as const;
export type ReplyOutcome = (typeof replyOutcomes)[number];

/** What the hub made of each inbound message, and whether a person should read it. */
export const replies = pgTable('replies', {
  messageId: uuid('message_id').primaryKey().references(() => messages.id),
  accountId: text('account_id').notNull().references(() => accounts.id),
  /** The hub's message this answers, when the channel knows (a key pressed during a call). */
  inReplyTo: uuid('in_reply_to').references(() => messages.id),
  outcome: text('outcome').$type<ReplyOutcome>(),
  needsAttention: boolean('needs_attention').notNull().default(false),
  handledAt: timestamp('handled_at', { withTimezone: true }),
}, (t) => [index('replies_attention').on(t.accountId, t.needsAttention)]);
