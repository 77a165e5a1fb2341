import { randomUUID } from 'node:crypto';
import { createRoute, z } from '@hono/zod-openapi';
import { HubError } from '../../core/errors.ts';
import {
  accountIdParam, bearerSecurity, commonErrors, jsonBody, jsonResponse, refSchema,
} from '../../core/http/schemas.ts';
import type { AcceptedMessage, TriggerPlugin } from '../../core/plugins/trigger.ts';
import { parseDuration } from '../../core/scheduling/durations.ts';
import { configSchema, type FormsConfig } from './config.ts';
import {
  formRequestInputSchema, formRequestStatuses, formRequestUpdateSchema, toFormRequest,
  withRevision, type FormRequest,
} from './form-request.ts';
import { planFormRequest } from './plan.ts';

const formRequestSchema = z.object({
  ref: z.string(),
  clientRef: z.string(),
  status: z.enum(formRequestStatuses),
  expiresAt: z.string(),
  messages: z.array(z.object({
    id: z.string(), kind: z.string(), status: z.string(), sendAt: z.string(),
  })).describe('The request and follow-ups now planned.'),
}).openapi('FormRequest');

const refParams = accountIdParam.extend({
  ref: refSchema.openapi({ param: { name: 'ref', in: 'path' } }),
});

const createFormRequest = createRoute({
  method: 'post', path: '/v1/accounts/{accountId}/form-requests', tags: ['Form requests'],
  security: bearerSecurity,
  summary: 'Ask a client to complete forms online',
  description:
    'Sends the client the link (and access code), then follow-ups until the forms are ' +
    'completed or the link expires. The forms themselves are never sent.',
  request: { params: accountIdParam, body: jsonBody(formRequestInputSchema) },
  responses: {
    201: jsonResponse(formRequestSchema, 'The request, planned.'),
    200: jsonResponse(formRequestSchema, 'The same request again: nothing changed.'),
    ...commonErrors,
  },
});

const updateFormRequest = createRoute({
  method: 'put', path: '/v1/accounts/{accountId}/form-requests/{ref}', tags: ['Form requests'],
  security: bearerSecurity,
  summary: 'Mark a form request completed or cancelled',
  description: 'Cancels any follow-up still pending.',
  request: { params: refParams, body: jsonBody(formRequestUpdateSchema) },
  responses: { 200: jsonResponse(formRequestSchema, 'The request.'), ...commonErrors },
});

/** Links to online forms and paperwork, with follow-ups until they are completed. */
const forms: TriggerPlugin<FormsConfig> = {
  kind: 'trigger',
  id: 'forms',
  configSchema,
  templates: {
    request: { sampleData: sampleData() },
    'follow-up': { sampleData: sampleData() },
  },
  routes(app, context) {
    app.openapi(createFormRequest, async (c) => {
      const { accountId } = c.req.valid('param');
      const input = c.req.valid('json');
      const ref = input.ref ?? randomUUID();
      const previous = await context.subject(accountId, 'form-request', ref);
      const before = previous?.state as Partial<FormRequest> | undefined;
      if (before && before.status !== 'open') {
        throw new HubError('conflict', { message: `The form request is ${before.status}.` });
      }

      const now = context.clock();
      const expiry = parseDuration(context.config.expiry);
      const request = toFormRequest(input, before, { now, expiry });
      if (Date.parse(request.expiresAt) <= now.getTime()) {
        throw new HubError('unprocessable', { message: 'The link has already expired.' });
      }
      const accepted = await plan(accountId, ref, request);
      return c.json(present(ref, request, accepted), previous ? 200 : 201);
    });

    app.openapi(updateFormRequest, async (c) => {
      const { accountId, ref } = c.req.valid('param');
      const { status } = c.req.valid('json');
      const previous = await context.subject(accountId, 'form-request', ref);
      if (!previous) throw new HubError('not_found', { message: 'No such form request.' });

      const before = previous.state as unknown as FormRequest;
      const request = withRevision({ ...before, status }, before);
      return c.json(present(ref, request, await plan(accountId, ref, request)), 200);
    });

    function plan(accountId: string, ref: string, request: FormRequest) {
      return context.accept({
        accountId, trigger: 'forms',
        subject: { type: 'form-request', ref, state: { ...request } },
        messages: planFormRequest(ref, request, context.config),
      });
    }
  },
};

function present(ref: string, request: FormRequest, accepted: AcceptedMessage[]) {
  return {
    ref, clientRef: request.clientRef, status: request.status, expiresAt: request.expiresAt,
    messages: accepted.map(({ id, kind, status, sendAt }) => ({
      id, kind, status, sendAt: sendAt.toISOString(),
    })),
  };
}

function sampleData() {
  return {
    forms: { count: 2 },
    link: 'https://forms.example.com/r/7Hq2x',
    accessCode: '482913',
    expiresAt: '2026-03-24T14:00:00Z',
  };
}

export default forms;
