import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import {
  CallbackStore, type DeliveryView, type Endpoint,
} from '../../callbacks/endpoints.ts';
import { eventTypes } from '../../callbacks/events.ts';
import { deliveryStatuses } from '../../callbacks/tables.ts';
import type { HubServices } from '../../services.ts';
import type { HubEnv } from '../env.ts';
import {
  accountIdParam, bearerSecurity, commonErrors, jsonBody, jsonResponse,
} from '../schemas.ts';

const tags = ['Callbacks'];

const endpointInputSchema = z.strictObject({
  url: z.url({ protocol: /^https?$/, error: 'Expected an http(s) URL' }).max(2000)
    .describe('Where the hub POSTs the events.'),
  events: z.array(z.enum(eventTypes)).min(1).describe('The event types this endpoint wants.'),
  description: z.string().max(200).optional(),
}).openapi('CallbackEndpointInput');

const endpointSchema = z.object({
  id: z.string(),
  url: z.string(),
  events: z.array(z.enum(eventTypes)),
  description: z.string().nullable(),
  enabled: z.boolean().describe('False once the endpoint answered 410 Gone.'),
  disabledReason: z.string().nullable(),
  createdAt: z.string(),
}).openapi('CallbackEndpoint');

const createdEndpointSchema = endpointSchema.extend({
  secret: z.string().describe(
    'The Standard Webhooks signing secret (`whsec_…`); it is shown this once.',
  ),
}).openapi('CreatedCallbackEndpoint');

const attemptSchema = z.object({
  at: z.string(),
  statusCode: z.number().nullable().describe('What the endpoint answered; null for no answer.'),
  latencyMs: z.number(),
  error: z.string().nullable().describe('Why no answer came: `timeout` or a network code.'),
});

const deliverySchema = z.object({
  id: z.string(),
  eventId: z.string().describe('The event id, sent as `webhook-id`; the same in a replay.'),
  eventType: z.string(),
  status: z.enum(deliveryStatuses),
  nextAttemptAt: z.string().nullable(),
  replayOf: z.string().nullable(),
  createdAt: z.string(),
  attempts: z.array(attemptSchema),
}).openapi('CallbackDelivery');

const endpointParams = accountIdParam.extend({
  callbackId: z.string().max(64).openapi({ param: { name: 'callbackId', in: 'path' } }),
});

const createEndpoint = createRoute({
  method: 'post', path: '/v1/accounts/{accountId}/callbacks', tags, security: bearerSecurity,
  summary: 'Register a callback endpoint',
  description: 'Events are signed per Standard Webhooks with the secret in the answer.',
  request: { params: accountIdParam, body: jsonBody(endpointInputSchema) },
  responses: {
    201: jsonResponse(createdEndpointSchema, 'The endpoint and its secret.'),
    ...commonErrors,
  },
});

const listEndpoints = createRoute({
  method: 'get', path: '/v1/accounts/{accountId}/callbacks', tags, security: bearerSecurity,
  summary: 'List callback endpoints',
  request: { params: accountIdParam },
  responses: {
    200: jsonResponse(z.object({ callbacks: z.array(endpointSchema) }), 'The endpoints.'),
    ...commonErrors,
  },
});

const deleteEndpoint = createRoute({
  method: 'delete', path: '/v1/accounts/{accountId}/callbacks/{callbackId}', tags,
  security: bearerSecurity,
  summary: 'Remove a callback endpoint and its deliveries',
  request: { params: endpointParams },
  responses: { 204: { description: 'Removed.' }, ...commonErrors },
});

const listDeliveries = createRoute({
  method: 'get', path: '/v1/accounts/{accountId}/callbacks/{callbackId}/deliveries', tags,
  security: bearerSecurity,
  summary: 'List deliveries to an endpoint, newest first, with every attempt',
  request: {
    params: endpointParams,
    query: z.strictObject({
      before: z.iso.datetime({ offset: true }).optional()
        .describe('Only deliveries created before this time: the last `createdAt` of a page.'),
      limit: z.coerce.number().int().min(1).max(200).default(50),
    }),
  },
  responses: {
    200: jsonResponse(z.object({ deliveries: z.array(deliverySchema) }), 'The deliveries.'),
    ...commonErrors,
  },
});

const replayDelivery = createRoute({
  method: 'post', path: '/v1/accounts/{accountId}/deliveries/{deliveryId}/replay', tags,
  security: bearerSecurity,
  summary: 'Send a delivery\'s event again, with the same webhook-id',
  request: {
    params: accountIdParam.extend({
      deliveryId: z.uuid().openapi({ param: { name: 'deliveryId', in: 'path' } }),
    }),
  },
  responses: { 202: jsonResponse(deliverySchema, 'The new delivery.'), ...commonErrors },
});

export function callbackRoutes(app: OpenAPIHono<HubEnv>, services: HubServices): void {
  const store = new CallbackStore(services);

  app.openapi(createEndpoint, async (c) => {
    const endpoint = await store.create(c.req.valid('param').accountId, c.req.valid('json'));
    return c.json({ ...presentEndpoint(endpoint), secret: endpoint.secret }, 201);
  });

  app.openapi(listEndpoints, async (c) => {
    const endpoints = await store.list(c.req.valid('param').accountId);
    return c.json({ callbacks: endpoints.map(presentEndpoint) }, 200);
  });

  app.openapi(deleteEndpoint, async (c) => {
    const { accountId, callbackId } = c.req.valid('param');
    await store.remove(accountId, callbackId);
    return c.body(null, 204);
  });

  app.openapi(listDeliveries, async (c) => {
    const { accountId, callbackId } = c.req.valid('param');
    const { before, limit } = c.req.valid('query');
    const page = { before: before ? new Date(before) : undefined, limit };
    const deliveries = await store.deliveries(accountId, callbackId, page);
    return c.json({ deliveries: deliveries.map(presentDelivery) }, 200);
  });

  app.openapi(replayDelivery, async (c) => {
    const { accountId, deliveryId } = c.req.valid('param');
    const replay = await store.replay(accountId, deliveryId);
    return c.json(presentDelivery(replay), 202);
  });
}

function presentEndpoint(endpoint: Endpoint) {
  return {
    id: endpoint.id,
    url: endpoint.url,
    events: endpoint.eventTypes as Array<(typeof eventTypes)[number]>,
    description: endpoint.description,
    enabled: endpoint.enabled,
    disabledReason: endpoint.disabledReason,
    createdAt: endpoint.createdAt.toISOString(),
  };
}

function presentDelivery({ delivery, eventType, attempts }: DeliveryView) {
  return {
    id: delivery.id,
    eventId: delivery.eventId,
    eventType,
    status: delivery.status,
    nextAttemptAt: delivery.nextAttemptAt?.toISOString() ?? null,
    replayOf: delivery.replayOf,
    createdAt: delivery.createdAt.toISOString(),
    attempts: attempts.map((attempt) => ({
      at: attempt.at.toISOString(),
      statusCode: attempt.statusCode,
      latencyMs: attempt.latencyMs,
      error: attempt.error,
    })),
  };
}
