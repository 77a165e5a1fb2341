import { createHash } from 'node:crypto';
import { Agent, get } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import postgres from 'postgres';
import { beforeAll, describe, expect, it } from 'vitest';
import { writeConfig } from './support/config.ts';
import { templateFolder } from './support/templates.ts';
import {
  adminKey, createAccount, eventually, startTestHub, type TestHub,
} from './support/hub.ts';

const ehrOrigin = 'https://ehr.example';

let testHub: TestHub;
let limited: TestHub;
let account: { id: string; key: string };

beforeAll(async () => {
  const templates = await templateFolder({ defaults: 'all', files: {
    'adhoc/note.sms.hbs': 'Hi {{recipient.firstName}}: {{note}}',
  } });

  testHub = await startTestHub({
    configFile: await writeConfig('hardening.yaml', { 'templates.dir': templates }),
  });
  limited = await startTestHub({
    configFile: await writeConfig('limited.yaml', {
      'server.rateLimit': { requestsPerSecond: 0.01, burst: 10 },
      'server.cors.origins': [ehrOrigin],
    }),
  });
  account = await createAccount(testHub, 'hardened');
  await testHub.api(account.key, 'PUT', '/v1/accounts/hardened/clients/c-1', {
    firstName: "{{constructor.constructor('return process')()}}", phone: '+12025550131',
  });
});

function call(method: string, path: string, body?: unknown) {
  return testHub.api(account.key, method, `/v1/accounts/hardened${path}`, body);
}

describe('account keys', () => {
  it('lists keys with their labels and never their secrets', async () => {
    await testHub.api(adminKey, 'POST', '/v1/accounts/hardened/keys', { label: 'front desk' });

    const { status, body } = await call('GET', '/keys');
    expect(status).toBe(200);
    expect(body.keys).toHaveLength(2);
    expect(body.keys[1]).toEqual({
      id: expect.stringMatching(/^key_/), label: 'front desk',
      createdAt: expect.any(String), revokedAt: null,
    });
    expect(JSON.stringify(body)).not.toContain(account.key);
  });

  it('stores keys only as hashes', async () => {
    const sql = postgres(testHub.database.url, { max: 1 });
    const rows = await sql`select * from api_keys`;
    await sql.end();

    expect(JSON.stringify(rows)).not.toContain(account.key);
    expect(rows.map((row) => row.hash)).toContain(sha256(account.key));
  });

  it('refuses a revoked key at once, and lets the account revoke its own keys', async () => {
    const issued = await testHub.api(adminKey, 'POST', '/v1/accounts/hardened/keys', {});
    const spare = issued.body.key as string;
    expect((await testHub.api(spare, 'GET', '/v1/accounts/hardened')).status).toBe(200);

    const revoked = await call('DELETE', `/keys/${issued.body.id}`);
    expect(revoked.status).toBe(200);
    expect(revoked.body.revokedAt).toEqual(expect.any(String));
    const refused = await testHub.api(spare, 'GET', '/v1/accounts/hardened');
    expect(refused.status).toBe(401);

    expect((await call('DELETE', `/keys/${issued.body.id}`)).status).toBe(200);
    expect((await call('DELETE', '/keys/key_none')).status).toBe(404);
  });

  it('does not let one account revoke the keys of another', async () => {
    const other = await createAccount(testHub, 'elsewhere');
    const { body } = await testHub.api(other.key, 'GET', '/v1/accounts/elsewhere/keys');
    const otherKeyId = body.keys[0].id;

    expect((await call('DELETE', `/keys/${otherKeyId}`)).status).toBe(404);
    const probe = await testHub.api(account.key, 'DELETE',
      `/v1/accounts/elsewhere/keys/${otherKeyId}`);
    expect(probe.status).toBe(404);
    expect((await testHub.api(other.key, 'GET', '/v1/accounts/elsewhere')).status).toBe(200);
  });
});

describe('rate limits', () => {
  it('answers 429 with Retry-After once a key spent its burst, only to that key', async () => {
    const first = await createAccount(limited, 'busy');
    const second = await createAccount(limited, 'quiet');

    const statuses: number[] = [];
    for (let i = 0; i < 11; i += 1) {
      statuses.push((await limited.api(first.key, 'GET', '/v1/accounts/busy')).status);
    }
    expect(statuses).toEqual([...Array(10).fill(200), 429]);

    const refused = await limited.api(first.key, 'GET', '/v1/accounts/busy');
    expect(refused.body.error.code).toBe('rate_limited');
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect((await limited.api(second.key, 'GET', '/v1/accounts/quiet')).status).toBe(200);
  });
});

describe('browsers', () => {
  it('sends security headers with a policy that allows no scripts on the API', async () => {
    const response = await fetch(`${testHub.url}/healthz`);
    expect(response.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('x-frame-options')).toBe('SAMEORIGIN');
    expect(response.headers.get('strict-transport-security')).toMatch(/max-age=\d+/);
  });

  it('lets the documentation page run exactly its viewer and its inline start', async () => {
    const response = await fetch(`${testHub.url}/docs`);
    const html = await response.text();
    const policy = response.headers.get('content-security-policy') ?? '';
    const scriptSrc = policy.split('; ').find((part) => part.startsWith('script-src'));

    const inline = /<script type="text\/javascript">([\s\S]*?)<\/script>/.exec(html)![1];
    const digest = createHash('sha256').update(inline).digest('base64');
    expect(scriptSrc).toBe(
      `script-src https://cdn.jsdelivr.net/npm/@scalar/api-reference 'sha256-${digest}'`,
    );
    expect(policy).toContain("connect-src 'self'");
  });

  it('allows no cross-origin calls unless the config lists the origin', async () => {
    const preflight = (hub: TestHub, origin: string) => fetch(`${hub.url}/v1/accounts/x`, {
      method: 'OPTIONS',
      headers: { origin, 'access-control-request-method': 'GET' },
    });

    const closed = await preflight(testHub, ehrOrigin);
    expect(closed.headers.get('access-control-allow-origin')).toBeNull();
    const open = await preflight(limited, ehrOrigin);
    expect(open.status).toBe(204);
    expect(open.headers.get('access-control-allow-origin')).toBe(ehrOrigin);
    const stranger = await preflight(limited, 'https://evil.example');
    expect(stranger.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('connections', () => {
  // Node's own servers close a connection idle for five seconds; a load balancer that reuses
  // one just then loses the request it sent on it.
  it('keeps an idle connection open past five seconds, for the balancer to close', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      expect(await healthz(agent)).toEqual({ status: 200, reused: false });
      await sleep(6_000);
      expect(await healthz(agent)).toEqual({ status: 200, reused: true });
    } finally {
      agent.destroy();
    }
  }, 15_000);
});

function healthz(agent: Agent): Promise<{ status: number; reused: boolean }> {
  return new Promise((resolve, reject) => {
    const request = get(`${testHub.url}/healthz`, { agent }, (response) => {
      response.resume();
      response.on('end', () => resolve({
        status: response.statusCode ?? 0, reused: request.reusedSocket,
      }));
    });
    request.on('error', reject);
  });
}

describe('strict validation', () => {
  it('refuses unknown fields, unknown filters and over-long text, naming each', async () => {
    const unknown = await call('PUT', '/clients/c-2', { firstName: 'Al', isAdmin: true });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.details[0].path).toBe('body');

    const filter = await call('GET', '/messages?status=sent&orderBy=1');
    expect(filter.status).toBe(400);

    const long = await call('PUT', '/clients/c-2', { firstName: 'A'.repeat(101) });
    expect(long.body.error.details).toEqual([expect.objectContaining({ path: 'body.firstName' })]);
  });

  it('refuses unknown time zones and bodies over the size limit', async () => {
    const zone = await call('PUT', '/clients/c-2', { timeZone: 'Mars/Olympus_Mons' });
    expect(zone.body.error.details).toEqual([expect.objectContaining({ path: 'body.timeZone' })]);

    const huge = await call('PUT', '/clients/c-2', { firstName: 'x'.repeat(2 * 1024 * 1024) });
    expect(huge.status).toBe(413);
    expect(huge.headers.get('connection')).toBe('close');
    expect(huge.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('counts a body sent in chunks, with no length declared, against the limit', async () => {
    const chunk = new TextEncoder().encode(`"${'x'.repeat(64 * 1024)}`);
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent >= 2 * 1024 * 1024) return controller.close();
        sent += chunk.length;
        controller.enqueue(chunk);
      },
    });
    const response = await fetch(`${testHub.url}/v1/accounts/hardened/clients/c-2`, {
      method: 'PUT', body, duplex: 'half',
      headers: { authorization: `Bearer ${account.key}`, 'content-type': 'application/json' },
    } as RequestInit);

    expect(response.status).toBe(413);
    expect((await response.json()).error.code).toBe('payload_too_large');
  });

  it('takes a chunked body within the limit as if its length were declared', async () => {
    const json = new TextEncoder().encode(JSON.stringify({ firstName: 'Chunked' }));
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(json.subarray(0, 5));
        controller.enqueue(json.subarray(5));
        controller.close();
      },
    });
    const response = await fetch(`${testHub.url}/v1/accounts/hardened/clients/c-3`, {
      method: 'PUT', body, duplex: 'half',
      headers: { authorization: `Bearer ${account.key}`, 'content-type': 'application/json' },
    } as RequestInit);

    expect(response.status).toBe(201);
    expect((await call('GET', '/clients/c-3')).body.firstName).toBe('Chunked');
  });

  it('refuses control characters in references', async () => {
    const nul = await call('PUT', '/clients/nul%00byte', { firstName: 'Al' });
    expect(nul.body.error.details).toEqual([expect.objectContaining({ path: 'param.ref' })]);
  });

  it('answers 400 for text the database cannot hold, such as a NUL character', async () => {
    const nul = await call('GET', '/messages?channel=nul%00byte');
    expect(nul.status).toBe(400);
    expect(nul.body.error.code).toBe('bad_request');
  });
});

describe('templates', () => {
  it('renders hostile data as text, never as a template of its own', async () => {
    const hostile = '{{#each this}}{{@key}}{{/each}} {{> signature}}';
    const sent = await call('POST', '/messages', {
      recipient: { type: 'client', ref: 'c-1' }, template: 'note', data: { note: hostile },
    });
    expect(sent.status).toBe(202);

    const message = await eventually(async () => {
      const { body } = await call('GET', `/messages/${sent.body.id}`);
      return body.content && body;
    });
    expect(message.content.text).toContain(hostile);
    expect(message.content.text).toContain("{{constructor.constructor('return process')()}}");
  });
});

describe('idempotency', () => {
  const retry = { 'Idempotency-Key': 'issue-front-desk' };
  let practice: { id: string; key: string };

  beforeAll(async () => {
    practice = await createAccount(testHub, 'retried');
  });

  function issueKey(key: string) {
    return testHub.api(key, 'POST', '/v1/accounts/retried/keys', { label: 'desk' }, retry);
  }

  it('replays the first answer to the key that asked, and to no other key', async () => {
    const first = await issueKey(adminKey);
    expect(first.status).toBe(201);
    const again = await issueKey(adminKey);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.body).toEqual(first.body);

    // The account's own key repeats the admin's request: the route decides, as for any call.
    const copied = await issueKey(practice.key);
    expect(copied.status).toBe(403);
    expect(copied.headers.get('idempotent-replayed')).toBeNull();
    expect(JSON.stringify(copied.body)).not.toContain(first.body.key);

    const { body } = await testHub.api(adminKey, 'GET', '/v1/accounts/retried/keys');
    expect(body.keys.filter((key: { label: string }) => key.label === 'desk')).toHaveLength(1);
  });

  it('gives another key of the account its own answer, not the first one', async () => {
    const spare = (await issueKey(adminKey)).body.key as string;
    const headers = { 'Idempotency-Key': 'hook-1' };
    const hook = { url: 'https://ehr.example/hooks', events: ['message.received'] };
    const path = '/v1/accounts/retried/callbacks';

    const first = await testHub.api(practice.key, 'POST', path, hook, headers);
    const retried = await testHub.api(practice.key, 'POST', path, hook, headers);
    const other = await testHub.api(spare, 'POST', path, hook, headers);

    expect(first.status).toBe(201);
    expect(retried.body).toEqual(first.body);
    expect(other.status).toBe(201);
    expect(other.headers.get('idempotent-replayed')).toBeNull();
    expect(other.body.id).not.toBe(first.body.id);
    expect(other.body.secret).not.toBe(first.body.secret);
  });

  it('keeps answers encrypted: no issued key or signing secret in the table', async () => {
    const headers = { 'Idempotency-Key': 'stored-secrets' };
    const issued = await testHub.api(adminKey, 'POST', '/v1/accounts/retried/keys', {}, headers);
    const hook = await testHub.api(practice.key, 'POST', '/v1/accounts/retried/callbacks', {
      url: 'https://ehr.example/stored', events: ['credit.low'],
    }, headers);
    expect(issued.body.key).toMatch(/^hub_/);
    expect(hook.body.secret).toMatch(/^whsec_/);

    const sql = postgres(testHub.database.url, { max: 1 });
    const rows = await sql`select * from idempotency_keys where account_id = 'retried'`;
    await sql.end();

    const dump = JSON.stringify(rows);
    expect(rows.length).toBeGreaterThanOrEqual(2);
    for (const secret of [issued.body.key, hook.body.secret, 'whsec_']) {
      expect(dump).not.toContain(secret);
    }
    for (const row of rows) expect(row.response).toMatch(/^enc1:/);
    expect(new Set(rows.map((row) => row.caller))).toContain('admin');
  });
});

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
