import { beforeAll, describe, expect, it } from 'vitest';
import { adminKey, createAccount, startTestHub, type TestHub } from './support/hub.ts';

let testHub: TestHub;
let first: { id: string; key: string };
let second: { id: string; key: string };
let firstMessageId: string;

beforeAll(async () => {
  testHub = await startTestHub();
  first = await createAccount(testHub, 'first');
  second = await createAccount(testHub, 'second');

  await testHub.api(first.key, 'PUT', '/v1/accounts/first/clients/c-1', {
    firstName: 'Ada', phone: '+12025550111',
  });
  const sent = await testHub.api(first.key, 'POST', '/v1/accounts/first/messages', {
    recipient: { type: 'client', ref: 'c-1' }, text: 'private',
  });
  firstMessageId = sent.body.id;
});

interface AccountRoute {
  method: string;
  path: string;
  /** The route as the audit log names it: `GET /v1/accounts/:accountId/messages`. */
  route: string;
}

/** Every account-scoped route the API documents, with sample path values. */
async function accountRoutes(): Promise<AccountRoute[]> {
  const document = await (await fetch(`${testHub.url}/openapi.json`)).json();
  const routes: AccountRoute[] = [];
  for (const [template, operations] of Object.entries<object>(document.paths)) {
    if (!template.includes('{accountId}')) continue;
    const path = template
      .replace('{accountId}', first.id)
      .replace('{messageId}', firstMessageId)
      .replace(/\{\w+\}/g, 'c-1');
    const pattern = template.replace(/\{(\w+)\}/g, ':$1');
    for (const method of Object.keys(operations)) {
      routes.push({ method, path, route: `${method.toUpperCase()} ${pattern}` });
    }
  }
  return routes;
}

describe('tenant isolation', () => {
  it('answers 404 on every route of another account, and changes nothing', async () => {
    const routes = await accountRoutes();
    expect(routes.length).toBeGreaterThanOrEqual(8);

    for (const [index, { method, path }] of routes.entries()) {
      const body = ['post', 'put', 'patch'].includes(method) ? {} : undefined;
      const headers = { 'X-Request-Id': `probe-${index}` };
      const call = await testHub.api(second.key, method.toUpperCase(), path, body, headers);
      const { status, body: answer } = call;
      expect({ method, path, status }).toEqual({ method, path, status: 404 });
      expect(answer.error.code).toBe('not_found');
    }

    const ownPath = `/v1/accounts/first/messages/${firstMessageId}`;
    const own = await testHub.api(first.key, 'GET', ownPath);
    expect(own.status).toBe(200);
    const client = await testHub.api(first.key, 'GET', '/v1/accounts/first/clients/c-1');
    expect(client.body.firstName).toBe('Ada');
  });

  it('shows each attempt in the audit log of the account whose key made it', async () => {
    const routes = await accountRoutes();
    const log = await testHub.api(second.key, 'GET', '/v1/accounts/second/audit?limit=500');
    const probes = new Map<string, Record<string, unknown>>(log.body.entries
      .map((entry: Record<string, unknown>) => [entry.requestId, entry]));

    for (const [index, { route }] of routes.entries()) {
      expect(probes.get(`probe-${index}`)).toMatchObject({
        accountId: 'second', targetAccountId: 'first', route, status: 404,
      });
    }

    const keyId = probes.get('probe-0')!.keyId;
    const victim = await testHub.api(adminKey, 'GET', `/v1/accounts/first/audit?key=${keyId}`);
    expect(victim.body.entries).toEqual([]);
  });

  it('finds nothing of another account through its own routes', async () => {
    const { body } = await testHub.api(second.key, 'GET', '/v1/accounts/second/messages');
    expect(body.messages).toEqual([]);

    const probe = await testHub.api(second.key, 'GET',
      `/v1/accounts/second/messages/${firstMessageId}`);
    expect(probe.status).toBe(404);
  });

  it('keeps account management to the admin key', async () => {
    const create = await testHub.api(first.key, 'POST', '/v1/accounts', { name: 'Mine' });
    expect(create.status).toBe(403);

    const issue = await testHub.api(first.key, 'POST', '/v1/accounts/first/keys', {});
    expect(issue.status).toBe(403);

    const admin = await testHub.api(adminKey, 'GET', '/v1/accounts/first');
    expect(admin.status).toBe(200);
  });
});
