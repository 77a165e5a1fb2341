import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { and, asc, desc, eq, lt, type SQL } from 'drizzle-orm';
import type { Database } from '../../db/client.ts';
import { messageEvents, messages, messageStatuses, recipients } from '../../db/schema.ts';
import { HubError } from '../../errors.ts';
import { replies, replyOutcomes } from '../../replies/tables.ts';
import type { HubEnv } from '../env.ts';
import {
  accountIdParam, bearerSecurity, commonErrors, jsonResponse, refSchema,
} from '../schemas.ts';

const statusEventSchema = z.object({
  status: z.enum(messageStatuses),
  reason: z.string().nullable(),
  at: z.string(),
});

const messageSchema = z.object({
  id: z.string(),
  direction: z.enum(['outbound', 'inbound']),
  trigger: z.string(),
  kind: z.string(),
  channel: z.string(),
  status: z.enum(messageStatuses),
  statusReason: z.string().nullable(),
  recipient: z.object({ type: z.enum(['client', 'contact']), ref: z.string() }).nullable(),
  sendAt: z.string(),
  expiresAt: z.string().nullable(),
  template: z.string().nullable(),
  content: z.object({
    text: z.string().optional(),
    subject: z.string().optional(),
    html: z.string().optional(),
  }).nullable().describe('What was sent (rendered) or received.'),
  provider: z.string().nullable(),
  providerId: z.string().nullable(),
  units: z.number().nullable(),
  needsAttention: z.boolean()
    .describe('An inbound message nobody acted on: a person should read it.'),
  replyOutcome: z.enum(replyOutcomes).nullable()
    .describe('What the hub made of an inbound message, once read; null for outbound.'),
  createdAt: z.string(),
  updatedAt: z.string(),
}).openapi('Message');

const messageWithHistorySchema = messageSchema.extend({
  history: z.array(statusEventSchema),
}).openapi('MessageWithHistory');

const listQuery = z.strictObject({
  status: z.enum(messageStatuses).optional(),
  channel: z.string().max(32).optional(),
  trigger: z.string().max(64).optional(),
  recipientType: z.enum(['client', 'contact']).optional(),
  recipientRef: refSchema.optional(),
  attention: z.enum(['true', 'false']).optional()
    .describe('Only inbound messages that need (or no longer need) a person to read them.'),
  before: z.iso.datetime({ offset: true }).optional()
    .describe('Only messages created before this time: pass the last `createdAt` of a page.'),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

const listMessages = createRoute({
  method: 'get', path: '/v1/accounts/{accountId}/messages', tags: ['Messages'],
  security: bearerSecurity,
  summary: 'List messages, newest first',
  request: { params: accountIdParam, query: listQuery },
  responses: {
    200: jsonResponse(z.object({ messages: z.array(messageSchema) }), 'A page of messages.'),
    ...commonErrors,
  },
});

const getMessage = createRoute({
  method: 'get', path: '/v1/accounts/{accountId}/messages/{messageId}', tags: ['Messages'],
  security: bearerSecurity,
  summary: 'Read a message, its content and its status history',
  request: {
    params: accountIdParam.extend({
      messageId: z.uuid().openapi({ param: { name: 'messageId', in: 'path' } }),
    }),
  },
  responses: { 200: jsonResponse(messageWithHistorySchema, 'The message.'), ...commonErrors },
});

export function messageRoutes(app: OpenAPIHono<HubEnv>, db: Database): void {
  app.openapi(listMessages, async (c) => {
    const { accountId } = c.req.valid('param');
    const query = c.req.valid('query');

    const rows = await selectMessages(db)
      .where(and(...listFilters(accountId, query)))
      .orderBy(desc(messages.createdAt), desc(messages.id))
      .limit(query.limit);
    return c.json({ messages: rows.map(presentMessage) }, 200);
  });

  app.openapi(getMessage, async (c) => {
    const { accountId, messageId } = c.req.valid('param');
    // One snapshot for the message and its history, so a status that changes between the two
    // reads cannot show in one and not the other.
    const read = await db.transaction(async (tx) => {
      const [row] = await selectMessages(tx)
        .where(and(eq(messages.accountId, accountId), eq(messages.id, messageId)));
      const history = row && await tx.select().from(messageEvents)
        .where(eq(messageEvents.messageId, messageId))
        .orderBy(asc(messageEvents.id));
      return row && { row, history };
    }, { isolationLevel: 'repeatable read', accessMode: 'read only' });
    if (!read) throw new HubError('not_found', { message: 'No such message.' });

    return c.json({ ...presentMessage(read.row), history: read.history.map(presentEvent) }, 200);
  });
}

function selectMessages(db: Database) {
  const columns = {
    message: messages, recipientType: recipients.type, recipientRef: recipients.ref,
    needsAttention: replies.needsAttention, replyOutcome: replies.outcome,
  };
  return db.select(columns)
    .from(messages)
    .leftJoin(recipients, eq(recipients.id, messages.recipientId))
    .leftJoin(replies, eq(replies.messageId, messages.id))
    .$dynamic();
}

function listFilters(accountId: string, query: z.infer<typeof listQuery>): SQL[] {
  const filters = [eq(messages.accountId, accountId)];
  if (query.status) filters.push(eq(messages.status, query.status));
  if (query.channel) filters.push(eq(messages.channel, query.channel));
  if (query.trigger) filters.push(eq(messages.trigger, query.trigger));
  if (query.recipientType) filters.push(eq(recipients.type, query.recipientType));
  if (query.recipientRef) filters.push(eq(recipients.ref, query.recipientRef));
  if (query.before) filters.push(lt(messages.createdAt, new Date(query.before)));
  if (query.attention) filters.push(eq(replies.needsAttention, query.attention === 'true'));
  return filters;
}

type Row = Awaited<ReturnType<ReturnType<typeof selectMessages>['execute']>>[number];

function presentMessage(row: Row) {
  const { message, recipientType, recipientRef } = row;
  return {
    id: message.id,
    direction: message.direction,
    trigger: message.trigger,
    kind: message.kind,
    channel: message.channel,
    status: message.status,
    statusReason: message.statusReason,
    recipient: recipientType && recipientRef ? { type: recipientType, ref: recipientRef } : null,
    sendAt: message.sendAt.toISOString(),
    expiresAt: message.expiresAt?.toISOString() ?? null,
    template: message.template,
    content: message.content ?? null,
    provider: message.provider,
    providerId: message.providerId,
    units: message.units,
    needsAttention: row.needsAttention ?? false,
    replyOutcome: row.replyOutcome ?? null,
    createdAt: message.createdAt.toISOString(),
    updatedAt: message.updatedAt.toISOString(),
  };
}

function presentEvent(event: typeof messageEvents.$inferSelect) {
  return { status: event.status, reason: event.reason, at: event.at.toISOString() };
}
