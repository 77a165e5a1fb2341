import { randomUUID } from 'node:crypto';
import { createRoute, z } from '@hono/zod-openapi';
import {
  accountIdParam, bearerSecurity, commonErrors, jsonBody, jsonResponse, refSchema,
} from '../../core/http/schemas.ts';
import type { TriggerPlugin } from '../../core/plugins/trigger.ts';

const configSchema = z.strictObject({});

/** A PDF starts with this, whatever its version. */
const pdfSignature = '%PDF-';

const documentsSchema = z.strictObject({
  documents: z.array(z.strictObject({
    filename: z.string().min(1).max(200).regex(/^[^/\\]+$/, 'A file name, not a path'),
    content: z.base64().max(8_000_000).describe('The PDF, base64-encoded.')
      .refine(isPdf, 'Expected a PDF document'),
  })).min(1).max(10),
  subject: z.string().min(1).max(200).optional()
    .describe('The heading of the cover page (the email subject); a default when absent.'),
  note: z.string().min(1).max(2000).optional().describe('A note printed on the cover page.'),
  channel: z.enum(['efax', 'email']).optional()
    .describe("efax or email; the contact's assigned channel when absent."),
}).openapi('ContactDocuments');

const sendDocuments = createRoute({
  method: 'post', path: '/v1/accounts/{accountId}/contacts/{ref}/documents', tags: ['Contacts'],
  security: bearerSecurity,
  summary: 'Send documents to a contact, with a cover page',
  description:
    'Sends PDF documents to a referring provider, an insurer or a guardian, by eFax or email, ' +
    'behind a cover page rendered from `templates/contacts/cover.<channel>.hbs`. An ' +
    '`Idempotency-Key` header makes a retry return the first answer.',
  request: {
    params: accountIdParam.extend({
      ref: refSchema.openapi({ param: { name: 'ref', in: 'path' } }),
    }),
    body: jsonBody(documentsSchema),
  },
  responses: {
    202: jsonResponse(z.object({ id: z.string(), status: z.string() }), 'The message, stored.'),
    ...commonErrors,
  },
});

/**
 * Messages to contacts: documents by eFax or email behind a cover page. Plain messages to a
 * contact go through `POST .../messages` like any other. A contact is copied on a client's
 * automated messages when the host lists it in the subject's `copyTo` (an appointment's, an
 * invoice's): the core then sends the contact a copy of each, through the contact's channel.
 */
const contacts: TriggerPlugin<z.infer<typeof configSchema>> = {
  kind: 'trigger',
  id: 'contacts',
  configSchema,
  templates: {
    cover: {
      channels: ['efax', 'email'],
      sampleData: { cover: { subject: null, note: 'Referral for an MRI.', documents: 2 } },
    },
  },
  routes(app, context) {
    app.openapi(sendDocuments, async (c) => {
      const { accountId, ref } = c.req.valid('param');
      const body = c.req.valid('json');
      const idempotencyKey = c.req.header('idempotency-key');

      const [accepted] = await context.accept({
        accountId,
        trigger: 'contacts',
        messages: [{
          key: `contacts:${ref}:documents:${idempotencyKey ?? randomUUID()}`,
          kind: 'cover',
          recipient: { type: 'contact', ref },
          channel: body.channel,
          sendAt: context.clock(),
          data: {
            cover: {
              subject: body.subject ?? null, note: body.note ?? null,
              documents: body.documents.length,
            },
          },
          attachments: body.documents.map((file) => ({
            filename: file.filename,
            contentType: 'application/pdf',
            data: Buffer.from(file.content, 'base64'),
          })),
          manual: true,
        }],
      });
      return c.json({ id: accepted.id, status: accepted.status }, 202);
    });
  },
};

function isPdf(content: string): boolean {
  return Buffer.from(content.slice(0, 12), 'base64').toString('latin1').startsWith(pdfSignature);
}

export default contacts;
