import { createHash } from 'node:crypto';
import { cors } from 'hono/cors';
import { createMiddleware } from 'hono/factory';
import { secureHeaders } from 'hono/secure-headers';
import type { MiddlewareHandler } from 'hono';
import { HubError } from '../errors.ts';
import type { HubEnv } from './env.ts';

/**
 * Security headers on every answer. The policy lets the hub's own small pages (opt-in and
 * unsubscribe confirmations) use their styles and post their forms, and nothing else; a page
 * that needs more sets its own policy, which this keeps.
 */
export function securityHeaders(): MiddlewareHandler {
  return secureHeaders({
    overwrite: false,
    contentSecurityPolicy: {
      defaultSrc: ["'none'"],
      styleSrc: ["'self'", "'unsafe-inline'"],
      imgSrc: ["'self'", 'data:'],
      formAction: ["'self'"],
      baseUri: ["'none'"],
      frameAncestors: ["'none'"],
    },
  });
}

/**
 * The policy of the API documentation page, which loads its viewer from a CDN: it allows
 * exactly the scripts the page names, external by address and inline by hash, the viewer's
 * fonts, and reading `/openapi.json`.
 */
export function documentationHeaders() {
  return createMiddleware<HubEnv>(async (c, next) => {
    await next();
    if (!c.res.ok) return;

    const scripts = scriptSources(await c.res.clone().text());
    c.res.headers.set('Content-Security-Policy', [
      "default-src 'none'",
      `script-src ${scripts.join(' ')}`,
      "style-src 'self' 'unsafe-inline' https://fonts.scalar.com",
      'font-src https://fonts.scalar.com',
      "img-src 'self' data:",
      "connect-src 'self'",
      "base-uri 'none'",
      "form-action 'none'",
      "frame-ancestors 'none'",
    ].join('; '));
  });
}

function scriptSources(html: string): string[] {
  const sources: string[] = [];
  for (const [, attributes, body] of html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)) {
    const src = /\bsrc="([^"]+)"/.exec(attributes)?.[1];
    const digest = createHash('sha256').update(body).digest('base64');
    sources.push(src ?? `'sha256-${digest}'`);
  }
  return sources.length ? sources : ["'none'"];
}

/** CORS for the API, only for the origins the config names; none by default. */
export function crossOrigin(origins: readonly string[]): MiddlewareHandler | undefined {
  if (origins.length === 0) return undefined;

  return cors({
    origin: [...origins],
    allowHeaders: ['Authorization', 'Content-Type', 'Idempotency-Key', 'X-Request-Id'],
    exposeHeaders: ['X-Request-Id', 'Retry-After', 'Idempotent-Replayed'],
    maxAge: 600,
  });
}

export interface RateLimitSettings {
  /** The average rate each key may keep up; 0 turns the limit off. */
  requestsPerSecond: number;
  /** How many requests a key may make at once before the average applies. */
  burst: number;
}

/**
 * A token bucket per bearer key (the admin key has one too): each request takes a token, and
 * tokens come back at the configured rate. The buckets live in this process's memory, so the
 * limits are per process: behind a balancer over several API processes, a key may go this
 * fast in each of them.
 */
export function rateLimit(settings: RateLimitSettings) {
  const buckets = new Map<string, { tokens: number; at: number }>();
  const { requestsPerSecond: rate, burst } = settings;

  return createMiddleware<HubEnv>(async (c, next) => {
    if (rate <= 0) return next();

    const caller = c.get('caller');
    const id = caller.kind === 'account' ? caller.keyId : 'admin';
    const now = performance.now();
    const bucket = buckets.get(id) ?? { tokens: burst, at: now };
    bucket.tokens = Math.min(burst, bucket.tokens + ((now - bucket.at) / 1000) * rate);
    bucket.at = now;
    buckets.set(id, bucket);

    if (bucket.tokens < 1) {
      c.header('Retry-After', String(Math.ceil((1 - bucket.tokens) / rate)));
      throw new HubError('rate_limited');
    }
    bucket.tokens -= 1;
    await next();
  });
}
