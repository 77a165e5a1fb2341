import fc from 'fast-check';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultCredentials, startSimulator, type Simulator } from './simulator/index.ts';
import {
  anyValue, contentTypes, forgedAuthorization, forgedSignatures, hostileSegment, hostileText,
  malformedBody, unknownKey, webhookBody,
} from './support/bad-input.ts';
import { writeConfig } from './support/config.ts';
import {
  adminKey, createAccount, eventually, startTestHub, type TestHub,
} from './support/hub.ts';

const { twilio, sendgrid, phaxio } = defaultCredentials;

interface Route {
  method: string;
  /** The OpenAPI path template: `/v1/accounts/{accountId}/messages/{messageId}`. */
  template: string;
  query: string[];
  body: boolean;
}

interface FuzzRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string | Uint8Array;
}

let sim: Simulator;
let testHub: TestHub;
let account: { id: string; key: string };
let other: { id: string; key: string };
let routes: Route[];
let webhookPaths: Array<{ method: string; path: string }>;
const samples: Record<string, string> = { ref: 'c-1', recipient: 'client:c-1' };

beforeAll(async () => {
  sim = await startSimulator();
  const configFile = await writeConfig('fuzz.yaml', {
    'server.rateLimit.requestsPerSecond': 0,
    'channels.sms': { provider: 'twilio', ...twilio, baseUrl: sim.url, from: '+12025550199' },
    'channels.voice': { provider: 'twilio', ...twilio, baseUrl: sim.url, from: '+12025550199' },
    'channels.efax': { provider: 'phaxio', ...phaxio, baseUrl: `${sim.url}/v2.1` },
    'channels.email': {
      provider: 'sendgrid', apiKey: sendgrid.apiKey, baseUrl: sim.url,
      from: { address: 'hub@hub.example' }, webhookPublicKey: sim.sendgrid.publicKey,
      inbound: { domain: 'parse.hub.example', secret: 'inbound-secret-0123456789abcdef' },
    },
  });
  testHub = await startTestHub({ configFile });
  account = await createAccount(testHub, 'fuzzed', {
    quietHours: { start: '00:00', end: '23:59' },
  });
  other = await createAccount(testHub, 'neighbour');

  await testHub.api(account.key, 'PUT', '/v1/accounts/fuzzed/clients/c-1', {
    firstName: 'Ada', phone: '+12025550111', email: 'ada@example.org',
  });
  const sent = await testHub.api(account.key, 'POST', '/v1/accounts/fuzzed/messages', {
    recipient: { type: 'client', ref: 'c-1' }, text: 'hello',
  });
  samples.messageId = sent.body.id;

  routes = await documentedRoutes();
  webhookPaths = testHub.hub.app.routes
    .filter((route) => route.path.startsWith('/webhooks/') && route.method !== 'ALL')
    .map(({ method, path }) => ({ method, path }));
});

afterAll(async () => {
  await sim?.stop();
});

async function documentedRoutes(): Promise<Route[]> {
  const document = await (await fetch(`${testHub.url}/openapi.json`)).json();
  return Object.entries<Record<string, any>>(document.paths).flatMap(([template, operations]) =>
    Object.entries(operations).map(([method, operation]) => ({
      method: method.toUpperCase(),
      template,
      query: (operation.parameters ?? [])
        .filter((parameter: { in: string }) => parameter.in === 'query')
        .map((parameter: { name: string }) => parameter.name),
      body: Boolean(operation.requestBody),
    })));
}

async function send(request: FuzzRequest) {
  const { body } = request;
  const response = await fetch(`${testHub.url}${request.path}`, {
    method: request.method,
    headers: request.headers,
    body: typeof body === 'string' || body === undefined ? body : new Uint8Array(body),
  });
  const text = await response.text();
  return { status: response.status, text };
}

/** A documented route's path with the seeded account and records, or hostile values. */
function pathOf(route: Route, accountId: string, segments: Record<string, string>): string {
  return route.template.replace(/\{(\w+)\}/g, (_, name: string) =>
    name === 'accountId' ? accountId : (segments[name] ?? samples[name] ?? 'c-1'));
}

/** Hostile values for some of a route's own path parameters, or none when `optional`. */
function hostileSegments(route: Route, optional: boolean) {
  const names = [...route.template.matchAll(/\{(\w+)\}/g)]
    .map(([, name]) => name)
    .filter((name) => name !== 'accountId');
  if (names.length === 0) return fc.constant({});
  return fc.dictionary(fc.constantFrom(...names), hostileSegment, {
    minKeys: optional ? 0 : 1,
  });
}

/** A JSON object that holds at least one field no schema knows, among hostile values. */
const objectWithUnknownField = fc.tuple(
  fc.dictionary(fc.oneof(hostileText, fc.constantFrom('text', 'name', 'firstName', 'phone',
    'recipient', 'settings', 'label', 'url', 'amount', 'data')), anyValue, { maxKeys: 4 }),
  unknownKey,
  anyValue,
).map(([fields, key, value]) => `{"${key}":${JSON.stringify(value) ?? 'null'},` +
  `${JSON.stringify(fields).slice(1)}`);

const badBody = fc.record({
  body: fc.oneof(objectWithUnknownField, malformedBody),
  contentType: fc.constantFrom(...contentTypes),
});

/** A request to a documented route that is wrong in at least one way the hub must refuse. */
function badApiRequest(route: Route): fc.Arbitrary<FuzzRequest> {
  const own = { authorization: `Bearer ${account.key}` };
  const query = fc.dictionary(
    fc.oneof(fc.constantFrom(...route.query, 'unknown'), hostileText), hostileText,
    { maxKeys: 3 },
  ).map((fields) => `?${new URLSearchParams(fields)}`);
  const faults: Array<fc.Arbitrary<FuzzRequest>> = [
    fc.tuple(hostileSegment, query).map(([accountId, search]) => ({
      method: route.method, path: pathOf(route, accountId, {}) + search, headers: own,
    })),
    forgedAuthorization.map((authorization) => ({
      method: route.method, path: pathOf(route, account.id, {}), headers: { authorization },
    })),
  ];
  if (route.body) {
    const key = fc.constantFrom(account.key, account.key, adminKey, other.key);
    const parts = fc.tuple(badBody, hostileSegments(route, true), key);
    faults.push(parts.map(([body, segments, bearer]) => ({
      method: route.method,
      path: pathOf(route, account.id, segments),
      headers: { authorization: `Bearer ${bearer}`, 'content-type': body.contentType },
      body: body.body,
    })));
  } else if (route.template.match(/\{(?!accountId)/)) {
    faults.push(hostileSegments(route, false).map((segments) => ({
        method: route.method, path: pathOf(route, account.id, segments), headers: own,
      })));
  }
  if (route.query.length > 0) {
    faults.push(query.map((search) => ({
      method: route.method, path: `${pathOf(route, account.id, {})}${search}&unknown=1`,
      headers: own,
    })));
  }
  return fc.oneof(...faults);
}

/** A webhook call with a forged or missing signature and hostile fields. */
function forgedWebhook(route: { method: string; path: string }): fc.Arbitrary<FuzzRequest> {
  return fc.tuple(webhookBody, forgedSignatures, hostileSegment).map(([body, signatures, seg]) => ({
    method: route.method,
    path: route.path.replace(/:\w+/g, seg),
    headers: { 'content-type': body.contentType, ...signatures },
    body: route.method === 'GET' ? undefined : body.body,
  }));
}

function describeRequest(request: FuzzRequest): string {
  const body = typeof request.body === 'string' ? request.body.slice(0, 300) : request.body;
  return JSON.stringify({ ...request, body, path: request.path.slice(0, 300) });
}

describe('bad input', () => {
  it('answers thousands of malformed, invalid and forged requests with 4xx only', async () => {
    expect(routes.length).toBeGreaterThanOrEqual(10);
    expect(webhookPaths.length).toBeGreaterThanOrEqual(3);
    const requests = fc.oneof(
      { arbitrary: fc.oneof(...routes.map(badApiRequest)), weight: 3 },
      { arbitrary: fc.oneof(...webhookPaths.map(forgedWebhook)), weight: 1 },
    );

    await fc.assert(fc.asyncProperty(requests, async (request) => {
      const { status, text } = await send(request);
      const outcome = { status, answer: text.slice(0, 200), request: describeRequest(request) };
      expect(is4xx(status), JSON.stringify(outcome)).toBe(true);
    }), { numRuns: 1500, endOnFailure: true });
  }, 120_000);

  it('never fails on hostile text in the fields of well-formed requests', async () => {
    await fc.assert(fc.asyncProperty(wellFormedRequest(), async (request) => {
      const { status, text } = await send(request);
      const outcome = { status, answer: text.slice(0, 200), request: describeRequest(request) };
      expect(status < 500, JSON.stringify(outcome)).toBe(true);
    }), { numRuns: 500, endOnFailure: true });
  }, 120_000);

  it('is still ready afterwards, with its data intact', async () => {
    const ready = await fetch(`${testHub.url}/readyz`);
    expect(ready.status).toBe(200);

    const message = await testHub.api(account.key, 'GET',
      `/v1/accounts/fuzzed/messages/${samples.messageId}`);
    expect(message.body.content).toEqual({ text: 'hello' });
    const list = await testHub.api(account.key, 'GET', '/v1/accounts/fuzzed/messages?limit=1');
    expect(list.status).toBe(200);
  });
});

const is4xx = (status: number) => status >= 400 && status < 500;

/** Requests the schemas accept, with hostile text wherever a field takes text. */
function wellFormedRequest(): fc.Arbitrary<FuzzRequest> {
  const authorization = `Bearer ${account.key}`;
  const json = (method: string, path: string, body: unknown, more = {}) => ({
    method, path: `/v1/accounts/fuzzed${path}`, body: JSON.stringify(body),
    headers: { authorization, 'content-type': 'application/json', ...more },
  });
  const get = (path: string, query: Record<string, string>) => ({
    method: 'GET', path: `/v1/accounts/fuzzed${path}?${new URLSearchParams(query)}`,
    headers: { authorization },
  });
  const text = hostileText.filter((value) => value.length > 0 && value.length <= 100);
  const ref = fc.constantFrom('c-1', 'c-2', "o'brien", '{{ref}}', 'c%3B');
  const time = fc.constantFrom('0000-01-01T00:00:00Z', '9999-12-31T23:59:59Z',
    '1970-01-01T00:00:00Z', '2024-02-30T00:00:00Z', '2025-06-01T12:00:00.123456789+14:00');

  return fc.oneof(
    fc.record({ firstName: text, lastName: text, language: fc.constantFrom('en', 'es') })
      .chain((fields) => ref.map((id) => json('PUT', `/clients/${id}`, fields))),
    fc.record({ text, subject: text, sendAt: time, key: text }).map(({ key, ...fields }) =>
      json('POST', '/messages', {
        recipient: { type: 'client', ref: 'c-1' }, channel: 'email', ...fields,
      }, { 'idempotency-key': encodeURIComponent(key.toWellFormed()) })),
    fc.record({ name: text }).map((fields) => json('PATCH', '', fields)),
    fc.record({ label: text }).map((fields) => json('POST', '/keys', fields)),
    fc.record({ channel: text, recipientRef: text, before: time })
      .map((query) => get('/messages', query)),
    fc.record({ action: text, subject: text, key: text, from: time, to: time })
      .map((query) => get('/audit', query)),
  );
}

describe('replayed webhooks', () => {
  it('applies a replayed status webhook once, refuses a copy with a field changed', async () => {
    const sent = await testHub.api(account.key, 'POST', '/v1/accounts/fuzzed/messages', {
      recipient: { type: 'client', ref: 'c-1' }, channel: 'sms', text: 'replay me',
    });
    const path = `/v1/accounts/fuzzed/messages/${sent.body.id}`;
    const delivered = await eventually(async () => {
      const { body } = await testHub.api(account.key, 'GET', path);
      return body.status === 'delivered' && body;
    });
    await sim.settle();

    const hooks = sim.webhooks.filter((hook) => hook.kind === 'message-status'
      && (hook.payload as Record<string, string>).MessageSid === delivered.providerId);
    expect(hooks.length).toBeGreaterThanOrEqual(2);
    for (const hook of hooks) {
      const headers = {
        'content-type': 'application/x-www-form-urlencoded',
        'x-twilio-signature': headerOf(hook.headers, 'x-twilio-signature'),
      };
      const body = new URLSearchParams(hook.payload as Record<string, string>).toString();
      const replay = await fetch(hook.url, { method: 'POST', headers, body });
      expect(replay.status).toBeLessThan(300);

      const altered = body.replace(/MessageStatus=\w+/, 'MessageStatus=failed');
      const forged = await fetch(hook.url, { method: 'POST', headers, body: altered });
      expect(forged.status).toBe(403);
    }

    await untilQueueIsEmpty('status');
    const { body: after } = await testHub.api(account.key, 'GET', path);
    expect(after.history).toEqual(delivered.history);
  });
});

function headerOf(headers: Record<string, string>, name: string): string {
  return Object.entries(headers).find(([key]) => key.toLowerCase() === name)?.[1] ?? '';
}

async function untilQueueIsEmpty(queue: string): Promise<void> {
  const sql = postgres(testHub.database.url, { max: 1 });
  try {
    await eventually(async () => {
      const [{ waiting }] = await sql`select count(*)::int as waiting from pgboss.job
        where name = ${queue} and state in ('created', 'retry', 'active')`;
      return waiting === 0;
    });
  } finally {
    await sql.end();
  }
}
