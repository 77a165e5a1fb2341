import { OpenAPIHono } from '@hono/zod-openapi';
import { Scalar } from '@scalar/hono-api-reference';
import { sql } from 'drizzle-orm';
import type { Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { createMiddleware } from 'hono/factory';
import { auditRequests } from '../audit/middleware.ts';
import { AuditLog } from '../audit/store.ts';
import { consentPages } from '../consent/pages.ts';
import { HubError } from '../errors.ts';
import { countWebhookRejections, serveMetrics } from '../metrics/routes.ts';
import { createTriggerContext } from '../plugins/trigger-context.ts';
import { RecipientStore } from '../recipients/store.ts';
import { replyRoutes } from '../replies/routes.ts';
import { sandboxRoutes } from '../sandbox/routes.ts';
import type { HubServices } from '../services.ts';
import { authenticate, scopeToAccount } from './auth.ts';
import type { HubEnv } from './env.ts';
import { handleError, targetName, validationError } from './errors.ts';
import { idempotency } from './idempotency.ts';
import { requestContext } from './request-context.ts';
import { crossOrigin, documentationHeaders, rateLimit, securityHeaders } from './security.ts';
import { accountRoutes } from './routes/accounts.ts';
import { auditRoutes } from './routes/audit.ts';
import { callbackRoutes } from './routes/callbacks.ts';
import { consentRoutes } from './routes/consent.ts';
import { creditRoutes } from './routes/credit.ts';
import { keyRoutes } from './routes/keys.ts';
import { messageRoutes } from './routes/messages.ts';
import { recipientRoutes } from './routes/recipients.ts';
import { threadRoutes } from './routes/threads.ts';
import { userRoutes } from './routes/users.ts';

export type HubApp = OpenAPIHono<HubEnv>;

/** The hub's HTTP API, provider webhooks, health checks and API documentation. */
export function createApp(services: HubServices): HubApp {
  const app = new OpenAPIHono<HubEnv>({
    defaultHook: (result) => {
      if (!result.success) throw validationError(targetName(result.target), result.error);
    },
  });

  app.use(requestContext(services.log));
  app.use(securityHeaders());
  app.use(limitBodies(services.config.server));
  app.onError(handleError);
  app.notFound(() => { throw new HubError('not_found', { message: 'No such route.' }); });

  healthRoutes(app, services);
  documentationRoutes(app);
  webhookRoutes(app, services);
  consentPages(app, services);
  apiRoutes(app, services);
  return app;
}

/** What a worker process serves: health checks and metrics, no API. */
export function createOperationsApp(services: HubServices): HubApp {
  const app = new OpenAPIHono<HubEnv>();
  app.use(requestContext(services.log));
  app.onError(handleError);
  app.notFound(() => { throw new HubError('not_found', { message: 'No such route.' }); });

  healthRoutes(app, services);
  return app;
}

/**
 * Webhooks carry faxes and email attachments, so they may be larger than API requests. A body
 * whose length is declared is judged by the declaration, before it is read; only a chunked
 * one is counted as it arrives. hono's own check reads every request as a web stream, which
 * under Node cost a tenth of the API's time and kept the body from being read directly.
 */
function limitBodies(limits: { bodyLimitBytes: number; webhookBodyLimitBytes: number }) {
  // The rest of a refused body may still be arriving: close rather than keep the connection.
  const refuse = (c: Context) => {
    c.header('Connection', 'close');
    throw new HubError('payload_too_large');
  };
  const api = bodyLimit({ maxSize: limits.bodyLimitBytes, onError: refuse });
  const webhooks = bodyLimit({ maxSize: limits.webhookBodyLimitBytes, onError: refuse });
  return createMiddleware<HubEnv>((c, next) => {
    const webhook = c.req.path.startsWith('/webhooks/');
    if (c.req.header('transfer-encoding') !== undefined) {
      return (webhook ? webhooks : api)(c, next);
    }

    // Without either header, HTTP/1.1 has the request carry no body at all.
    const declared = Number(c.req.header('content-length') ?? 0);
    const limit = webhook ? limits.webhookBodyLimitBytes : limits.bodyLimitBytes;
    return declared > limit ? refuse(c) : next();
  });
}

function healthRoutes(app: HubApp, services: HubServices): void {
  app.get('/healthz', (c) => c.json({ status: 'ok' }));

  app.get('/readyz', async (c) => {
    try {
      await services.database.db.execute(sql`select 1`);
      const queue = await services.queue.boss.isInstalled();
      if (!queue) throw new Error('the queue schema is not installed');
      return c.json({ status: 'ready', database: 'ok', queue: 'ok' });
    } catch (error) {
      services.log.warn({ err: error }, 'not ready');
      throw new HubError('unavailable', { cause: error });
    }
  });

  app.get('/metrics', serveMetrics(services));
}

function documentationRoutes(app: HubApp): void {
  app.openAPIRegistry.registerComponent('securitySchemes', 'bearer', {
    type: 'http', scheme: 'bearer',
    description: 'The admin key, or an account key issued by `POST /v1/accounts/{id}/keys`.',
  });
  app.doc31('/openapi.json', {
    openapi: '3.1.0',
    info: {
      title: 'Messaging hub',
      version: '1',
      description: 'SMS, voice, email and eFax for healthcare software.',
    },
  });
  app.use('/docs', documentationHeaders());
  app.get('/docs', Scalar({ url: '/openapi.json', pageTitle: 'Messaging hub API' }));
}

function webhookRoutes(app: HubApp, services: HubServices): void {
  const providers = new Set<string>();
  for (const { instance } of services.plugins.channels.values()) {
    if (instance?.webhooks) providers.add(instance.provider);
  }
  app.use('/webhooks/*', countWebhookRejections(providers));

  for (const { instance } of services.plugins.channels.values()) {
    if (instance?.webhooks) app.route(`/webhooks/${instance.provider}`, instance.webhooks);
  }
}

function apiRoutes(app: HubApp, services: HubServices): void {
  const { db } = services.database;
  const { server } = services.config;
  const auditLog = new AuditLog(db);
  const cors = crossOrigin(server.cors.origins);
  if (cors) app.use('/v1/*', cors);
  app.use('/v1/*', (c, next) => services.accounts.withinRequest(next));
  app.use('/v1/*', authenticate(services.accounts), rateLimit(server.rateLimit));
  // The pattern also matches /v1/accounts/:accountId itself.
  app.use('/v1/accounts/:accountId/*', auditRequests(auditLog), scopeToAccount(), idempotency(db));

  accountRoutes(app, services.accounts);
  keyRoutes(app, services.accounts);
  auditRoutes(app, auditLog);
  recipientRoutes(app, new RecipientStore(db), services.plugins.channelIds);
  messageRoutes(app, db);
  threadRoutes(app, db);
  replyRoutes(app, db);
  consentRoutes(app, services);
  callbackRoutes(app, services);
  userRoutes(app, db, services.clock);
  creditRoutes(app, services);
  sandboxRoutes(app, services);

  for (const [id, { plugin, config }] of services.plugins.triggers) {
    plugin.routes(app, createTriggerContext(services, id, config));
  }
}
