import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { and, eq } from 'drizzle-orm';
import type { Database } from '../db/client.ts';
import { messages } from '../db/schema.ts';
import { HubError } from '../errors.ts';
import type { HubEnv } from '../http/env.ts';
import { accountIdParam, bearerSecurity, commonErrors, jsonResponse } from '../http/schemas.ts';
import { replies } from './tables.ts';

const resolveReply = createRoute({
  method: 'post', path: '/v1/accounts/{accountId}/messages/{messageId}/resolve',
  tags: ['Messages'], security: bearerSecurity,
  summary: 'Mark a reply that needed attention as dealt with',
  request: {
    params: accountIdParam.extend({
      messageId: z.uuid().openapi({ param: { name: 'messageId', in: 'path' } }),
    }),
  },
  responses: {
    200: jsonResponse(z.object({ id: z.string(), needsAttention: z.literal(false) }),
      'The reply, dealt with.'),
    ...commonErrors,
  },
});

/** Staff deal with the replies the hub could not act on, and say so here. */
export function replyRoutes(app: OpenAPIHono<HubEnv>, db: Database): void {
  app.openapi(resolveReply, async (c) => {
    const { accountId, messageId } = c.req.valid('param');
    const [row] = await db.select({ id: replies.messageId }).from(replies)
      .innerJoin(messages, eq(messages.id, replies.messageId))
      .where(and(eq(messages.accountId, accountId), eq(replies.messageId, messageId)));
    if (!row) throw new HubError('not_found', { message: 'No such reply.' });

    await db.update(replies).set({ needsAttention: false }).where(eq(replies.messageId, row.id));
    return c.json({ id: row.id, needsAttention: false as const }, 200);
  });
}
