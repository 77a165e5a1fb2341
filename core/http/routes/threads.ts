import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { and, desc, eq, isNull, lt, sql } from 'drizzle-orm';
import type { Database } from '../../db/client.ts';
import { attachments, messages, recipients, threads } from '../../db/schema.ts';
import { HubError } from '../../errors.ts';
import { replies } from '../../replies/tables.ts';
import type { HubEnv } from '../env.ts';
import { accountIdParam, bearerSecurity, commonErrors, jsonResponse } from '../schemas.ts';

const recipientParam = z.string().regex(/^(client|contact):[^/\s]{1,128}$/)
  .openapi({ param: { name: 'recipient', in: 'path' }, example: 'client:patient-17' })
  .describe('The recipient as `client:<ref>` or `contact:<ref>`.');

const threadSchema = z.object({
  id: z.string(),
  recipient: z.object({ type: z.enum(['client', 'contact']), ref: z.string() }),
  lastMessageAt: z.string().nullable(),
  unreadCount: z.number(),
  attentionCount: z.number()
    .describe('Replies nobody acted on, which a person should read.'),
  lastMessage: z.object({
    id: z.string(),
    direction: z.enum(['outbound', 'inbound']),
    channel: z.string(),
    status: z.string(),
    createdAt: z.string(),
  }).nullable(),
}).openapi('Thread');

const threadMessageSchema = z.object({
  id: z.string(),
  direction: z.enum(['outbound', 'inbound']),
  channel: z.string(),
  kind: z.string(),
  status: z.string(),
  statusReason: z.string().nullable(),
  content: z.object({
    text: z.string().optional(), subject: z.string().optional(), html: z.string().optional(),
  }).nullable(),
  attachments: z.number().describe('How many files came with it.'),
  read: z.boolean(),
  needsAttention: z.boolean()
    .describe('A reply nobody acted on (not a keyword, no answer understood).'),
  createdAt: z.string(),
}).openapi('ThreadMessage');

const listThreads = createRoute({
  method: 'get', path: '/v1/accounts/{accountId}/threads', tags: ['Threads'],
  security: bearerSecurity,
  summary: 'Conversations, newest first, with unread counts',
  request: {
    params: accountIdParam,
    query: z.strictObject({
      unread: z.enum(['true', 'false']).optional().describe('Only threads with unread replies.'),
      before: z.iso.datetime({ offset: true }).optional()
        .describe('Threads whose last message is older: the last `lastMessageAt` of a page.'),
      limit: z.coerce.number().int().min(1).max(200).default(50),
    }),
  },
  responses: {
    200: jsonResponse(z.object({ threads: z.array(threadSchema) }), 'A page of threads.'),
    ...commonErrors,
  },
});

const getThread = createRoute({
  method: 'get', path: '/v1/accounts/{accountId}/threads/{recipient}', tags: ['Threads'],
  security: bearerSecurity,
  summary: 'One conversation: its messages, newest first',
  request: {
    params: accountIdParam.extend({ recipient: recipientParam }),
    query: z.strictObject({
      before: z.iso.datetime({ offset: true }).optional(),
      limit: z.coerce.number().int().min(1).max(200).default(50),
    }),
  },
  responses: {
    200: jsonResponse(threadSchema.extend({ messages: z.array(threadMessageSchema) }),
      'The thread.'),
    ...commonErrors,
  },
});

const markRead = createRoute({
  method: 'post', path: '/v1/accounts/{accountId}/threads/{recipient}/read', tags: ['Threads'],
  security: bearerSecurity,
  summary: 'Mark every message of a conversation read',
  request: { params: accountIdParam.extend({ recipient: recipientParam }) },
  responses: { 200: jsonResponse(threadSchema, 'The thread, read.'), ...commonErrors },
});

const downloadAttachment = createRoute({
  method: 'get', path: '/v1/accounts/{accountId}/messages/{messageId}/attachments/{n}',
  tags: ['Messages'], security: bearerSecurity,
  summary: 'Download a file that came with a message (1 for the first)',
  request: {
    params: accountIdParam.extend({
      messageId: z.uuid().openapi({ param: { name: 'messageId', in: 'path' } }),
      n: z.coerce.number().int().min(1).max(100).openapi({ param: { name: 'n', in: 'path' } }),
    }),
  },
  responses: {
    200: { description: 'The file.', content: { 'application/octet-stream': { schema: {} } } },
    ...commonErrors,
  },
});

export function threadRoutes(app: OpenAPIHono<HubEnv>, db: Database): void {
  app.openapi(listThreads, async (c) => {
    const { accountId } = c.req.valid('param');
    const { unread, before, limit } = c.req.valid('query');

    const filters = [eq(threads.accountId, accountId), sql`${threads.lastMessageAt} is not null`];
    if (unread === 'true') filters.push(sql`${threads.unreadCount} > 0`);
    if (unread === 'false') filters.push(eq(threads.unreadCount, 0));
    if (before) filters.push(lt(threads.lastMessageAt, new Date(before)));

    const rows = await selectThreads(db).where(and(...filters))
      .orderBy(desc(threads.lastMessageAt)).limit(limit);
    return c.json({ threads: rows.map(presentThread) }, 200);
  });

  app.openapi(getThread, async (c) => {
    const { accountId, recipient } = c.req.valid('param');
    const { before, limit } = c.req.valid('query');
    const thread = await findThread(db, accountId, recipient);

    const filters = [eq(messages.threadId, thread.thread.id)];
    if (before) filters.push(lt(messages.createdAt, new Date(before)));
    const rows = await db.select({
      message: messages,
      files: sql<number>`(
        select count(*)::int from attachments a where a.message_id = ${messages.id})`,
      needsAttention: replies.needsAttention,
    }).from(messages).leftJoin(replies, eq(replies.messageId, messages.id))
      .where(and(...filters)).orderBy(desc(messages.createdAt)).limit(limit);

    return c.json({ ...presentThread(thread), messages: rows.map(presentThreadMessage) }, 200);
  });

  app.openapi(markRead, async (c) => {
    const { accountId, recipient } = c.req.valid('param');
    const thread = await findThread(db, accountId, recipient);

    await db.transaction(async (tx) => {
      await tx.update(messages).set({ readAt: new Date() })
        .where(and(eq(messages.threadId, thread.thread.id), isNull(messages.readAt),
          eq(messages.direction, 'inbound')));
      await tx.update(threads).set({ unreadCount: 0 }).where(eq(threads.id, thread.thread.id));
    });
    return c.json(presentThread({ ...thread, thread: { ...thread.thread, unreadCount: 0 } }), 200);
  });

  app.openapi(downloadAttachment, async (c) => {
    const { accountId, messageId, n } = c.req.valid('param');
    const [file] = await db.select({ attachment: attachments }).from(attachments)
      .innerJoin(messages, eq(messages.id, attachments.messageId))
      .where(and(eq(messages.accountId, accountId), eq(attachments.messageId, messageId),
        eq(attachments.position, n - 1)));
    if (!file?.attachment.data) throw new HubError('not_found', { message: 'No such file.' });

    const { data, contentType, filename } = file.attachment;
    return c.body(new Uint8Array(data), 200, {
      'content-type': contentType,
      'content-disposition': `attachment; filename="${safeFilename(filename)}"`,
    });
  });
}

function selectThreads(db: Database) {
  return db.select({
    thread: threads,
    recipientType: recipients.type,
    recipientRef: recipients.ref,
    last: sql<LastMessage | null>`(
      select json_build_object('id', m.id, 'direction', m.direction, 'channel', m.channel,
                               'status', m.status, 'createdAt', m.created_at)
        from messages m where m.thread_id = ${threads.id}
       order by m.created_at desc limit 1)`,
    attention: sql<number>`(
      select count(*)::int from messages m join replies r on r.message_id = m.id
       where m.thread_id = ${threads.id} and r.needs_attention)`,
  }).from(threads).innerJoin(recipients, eq(recipients.id, threads.recipientId)).$dynamic();
}

interface LastMessage {
  id: string;
  direction: 'outbound' | 'inbound';
  channel: string;
  status: string;
  createdAt: string;
}

type ThreadRow = Awaited<ReturnType<ReturnType<typeof selectThreads>['execute']>>[number];

async function findThread(db: Database, accountId: string, recipient: string) {
  const [type, ref] = recipient.split(/:(.*)/s) as ['client' | 'contact', string];
  const [row] = await selectThreads(db).where(and(
    eq(threads.accountId, accountId), eq(recipients.type, type), eq(recipients.ref, ref),
  ));
  if (!row) throw new HubError('not_found', { message: 'No conversation with this recipient.' });
  return row;
}

function presentThread({ thread, recipientType, recipientRef, last, attention }: ThreadRow) {
  return {
    id: thread.id,
    recipient: { type: recipientType, ref: recipientRef },
    lastMessageAt: thread.lastMessageAt?.toISOString() ?? null,
    unreadCount: thread.unreadCount,
    attentionCount: attention,
    lastMessage: last && { ...last, createdAt: new Date(last.createdAt).toISOString() },
  };
}

interface ThreadMessageRow {
  message: typeof messages.$inferSelect;
  files: number;
  needsAttention: boolean | null;
}

function presentThreadMessage(row: ThreadMessageRow) {
  const { message } = row;
  return {
    id: message.id,
    direction: message.direction,
    channel: message.channel,
    kind: message.kind,
    status: message.status,
    statusReason: message.statusReason,
    content: message.content ?? null,
    attachments: row.files,
    read: message.direction === 'outbound' || message.readAt !== null,
    needsAttention: row.needsAttention ?? false,
    createdAt: message.createdAt.toISOString(),
  };
}

/** A file name safe inside a quoted header value. */
function safeFilename(name: string | null): string {
  return (name ?? 'attachment').replace(/[^\w.-]+/g, '_').slice(0, 100);
}
