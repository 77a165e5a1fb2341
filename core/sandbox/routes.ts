import { randomUUID } from 'node:crypto';
import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { HubError } from '../errors.ts';
import type { HubEnv } from '../http/env.ts';
import {
  accountIdParam, bearerSecurity, commonErrors, jsonBody, jsonResponse, refSchema,
} from '../http/schemas.ts';
import { receiveMessage } from '../messages/inbound.ts';
import { RecipientStore } from '../recipients/store.ts';
import type { HubServices } from '../services.ts';

const simulateReply = createRoute({
  method: 'post', path: '/v1/accounts/{accountId}/sandbox/replies', tags: ['Sandbox'],
  security: bearerSecurity,
  summary: 'Pretend a recipient replied, through a channel on the sandbox provider',
  description: 'For trying the hub out: refused for channels with a real provider.',
  request: {
    params: accountIdParam,
    body: jsonBody(z.strictObject({
      channel: z.string().max(32),
      recipient: z.strictObject({ type: z.enum(['client', 'contact']), ref: refSchema }),
      text: z.string().max(5000),
      subject: z.string().max(300).optional(),
    })),
  },
  responses: {
    202: jsonResponse(z.object({ id: z.string() }), 'The reply, stored.'),
    ...commonErrors,
  },
});

/** Lets someone trying the hub play the recipient: a reply as if it came from the provider. */
export function sandboxRoutes(app: OpenAPIHono<HubEnv>, services: HubServices): void {
  const recipients = new RecipientStore(services.database.db);

  app.openapi(simulateReply, async (c) => {
    const { accountId } = c.req.valid('param');
    const { channel, recipient, text, subject } = c.req.valid('json');
    const loaded = services.plugins.channels.get(channel);
    if (loaded?.instance?.provider !== 'sandbox') {
      throw new HubError('unprocessable', { message: `The ${channel} channel is not a sandbox.` });
    }

    const person = await recipients.get(accountId, recipient.type, recipient.ref);
    const from = person[loaded.plugin.addressField];
    if (!from) throw new HubError('invalid_address');

    const result = await receiveMessage(services, channel, {
      provider: 'sandbox', providerId: `sandbox-${randomUUID()}`, accountId,
      from, to: 'sandbox', body: { text, subject },
    });
    if (!result.stored) throw new HubError('internal');
    return c.json({ id: result.messageId }, 202);
  });
}
