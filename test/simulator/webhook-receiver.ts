import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import { Hono } from 'hono';

/** A webhook as it reached the receiver, byte for byte, for signature checks. */
export interface ReceivedWebhook {
  method: string;
  /** The full URL the sender called, as a signature covers it. */
  url: string;
  path: string;
  headers: Record<string, string>;
  raw: Uint8Array;
  text: string;
  /** The form fields of a form-encoded or multipart body. */
  form(): Promise<FormData>;
}

type Answer = (hook: ReceivedWebhook) => Response | Promise<Response>;

/**
 * A stand-in for the hub in the simulator's own tests: it keeps every request and answers with
 * whatever a test set for the path (200 with an empty body otherwise).
 */
export class WebhookReceiver {
  readonly received: ReceivedWebhook[] = [];
  url = '';
  private readonly answers = new Map<string, Answer>();
  private readonly waiters: Array<() => void> = [];
  private server?: ServerType;

  async start(): Promise<this> {
    const app = new Hono();
    app.all('*', async (c) => {
      const hook = await capture(c.req.raw);
      this.received.push(hook);
      for (const wake of this.waiters.splice(0)) wake();
      const answer = this.answers.get(hook.path);
      return answer ? answer(hook) : c.body(null, 200);
    });

    this.server = await new Promise<ServerType>((resolve) => {
      const server: ServerType = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, () =>
        resolve(server),
      );
    });
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  answer(path: string, answer: Answer): void {
    this.answers.set(path, answer);
  }

  on(path: string): ReceivedWebhook[] {
    return this.received.filter((hook) => hook.path === path);
  }

  /** Waits until `count` webhooks have reached `path`. */
  async waitFor(path: string, count = 1, timeoutMs = 5_000): Promise<ReceivedWebhook[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.on(path).length < count) {
      if (Date.now() > deadline) throw new Error(`Expected ${count} webhooks at ${path}`);
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 50);
      });
    }
    return this.on(path);
  }

  clear(): void {
    this.received.length = 0;
    this.answers.clear();
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      if ('closeAllConnections' in server) server.closeAllConnections();
    });
  }
}

async function capture(request: Request): Promise<ReceivedWebhook> {
  const raw = new Uint8Array(await request.arrayBuffer());
  const headers = Object.fromEntries(request.headers);
  const contentType = headers['content-type'] ?? '';
  return {
    method: request.method,
    url: request.url,
    path: new URL(request.url).pathname,
    headers,
    raw,
    text: new TextDecoder().decode(raw),
    form: () =>
      new Request(request.url, {
        method: 'POST',
        headers: { 'content-type': contentType },
        body: raw as BodyInit,
      }).formData(),
  };
}
