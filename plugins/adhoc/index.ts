import { randomUUID } from 'node:crypto';
import { createRoute, z } from '@hono/zod-openapi';
import type { TriggerPlugin } from '../../core/plugins/trigger.ts';
import {
  accountIdParam, bearerSecurity, commonErrors, jsonBody, jsonResponse, refSchema,
} from '../../core/http/schemas.ts';

const configSchema = z.strictObject({});

const sendMessageSchema = z.strictObject({
  recipient: z.strictObject({
    type: z.enum(['client', 'contact']),
    ref: refSchema,
  }),
  channel: z.string().max(32).optional()
    .describe('The channel to use; the recipient\'s assigned channel when absent.'),
  text: z.string().min(1).max(10_000).optional()
    .describe('The message as it should arrive. Sent as it is, never read as a template.'),
  subject: z.string().min(1).max(300).optional().describe('The email subject, for text emails.'),
  template: z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/).optional()
    .describe('A template of `templates/adhoc/`, rendered with `data`.'),
  data: z.record(z.string(), z.unknown()).optional(),
  attachments: z.array(z.strictObject({
    filename: z.string().min(1).max(200).regex(/^[^/\\]+$/, 'A file name, not a path'),
    contentType: z.literal('application/pdf'),
    content: z.base64().max(8_000_000).describe('The file, base64-encoded.'),
  })).max(10).optional().describe('PDF documents, for email and eFax.'),
  sendAt: z.iso.datetime({ offset: true }).optional()
    .describe('When to send; now when absent.'),
}).refine((body) => Boolean(body.text) !== Boolean(body.template), {
  message: 'Give either text or template, not both.',
  path: ['text'],
}).openapi('SendMessage');

const acceptedSchema = z.object({
  id: z.string(),
  status: z.string(),
}).openapi('AcceptedMessage');

const sendMessage = createRoute({
  method: 'post', path: '/v1/accounts/{accountId}/messages', tags: ['Messages'],
  security: bearerSecurity,
  summary: 'Send a message to a client or contact, now or later',
  description: 'An `Idempotency-Key` header makes a retry return the first answer.',
  request: { params: accountIdParam, body: jsonBody(sendMessageSchema) },
  responses: { 202: jsonResponse(acceptedSchema, 'The message, stored.'), ...commonErrors },
});

/** Messages a person sends through the API: a text, or a template with data. */
const adhoc: TriggerPlugin<z.infer<typeof configSchema>> = {
  kind: 'trigger',
  id: 'adhoc',
  configSchema,
  templates: {},
  routes(app, context) {
    app.openapi(sendMessage, async (c) => {
      const { accountId } = c.req.valid('param');
      const body = c.req.valid('json');
      const idempotencyKey = c.req.header('idempotency-key');

      const [accepted] = await context.accept({
        accountId,
        trigger: 'adhoc',
        messages: [{
          key: `adhoc:${idempotencyKey ?? randomUUID()}`,
          kind: body.template ?? 'message',
          recipient: body.recipient,
          channel: body.channel,
          sendAt: body.sendAt ? new Date(body.sendAt) : context.clock(),
          body: body.text ? { text: body.text, subject: body.subject } : undefined,
          data: body.data,
          attachments: body.attachments?.map((file) => ({
            filename: file.filename,
            contentType: file.contentType,
            data: Buffer.from(file.content, 'base64'),
          })),
          manual: true,
        }],
      });
      return c.json({ id: accepted.id, status: accepted.status }, 202);
    });
  },
};

export default adhoc;
