import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { Webhook } from 'standardwebhooks';

interface CallbackBody {
  type: string;
  data: { messageId?: string; status?: string };
}

/**
 * The host's side of the callbacks: a loopback server that checks each Standard Webhooks
 * signature, as a host must, and notes when each message's callbacks arrived.
 */
export class HostReceiver {
  /** When the `delivered` status callback of each message arrived (ms since the epoch). */
  readonly delivered = new Map<string, number>();
  /** When the `message.received` callback of each inbound message arrived. */
  readonly received = new Map<string, number>();
  /** Callbacks per event type and status, for the report. */
  readonly counts = new Map<string, number>();
  rejected = 0;
  readonly #verifiers = new Map<string, Webhook>();
  readonly #server = createServer((request, response) => {
    this.#take(request, response).catch(() => response.writeHead(500).end());
  });
  #url = '';

  get url(): string {
    return this.#url;
  }

  async start(): Promise<void> {
    this.#server.keepAliveTimeout = 60_000;
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', resolve));
    this.#url = `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  /** The URL to register for an account, whose callbacks are signed with `secret`. */
  endpointFor(accountId: string): string {
    return `${this.#url}/hooks/${accountId}`;
  }

  trust(accountId: string, secret: string): void {
    this.#verifiers.set(accountId, new Webhook(secret));
  }

  /** Resolves with how many of `ids` have arrived once all have, or the time is up. */
  async waitFor(seen: Map<string, number>, ids: string[], timeoutMs: number): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    let missing = ids.filter((id) => !seen.has(id));
    while (missing.length > 0 && Date.now() < deadline) {
      await sleep(100);
      missing = missing.filter((id) => !seen.has(id));
    }
    return ids.length - missing.length;
  }

  clear(): void {
    this.delivered.clear();
    this.received.clear();
    this.counts.clear();
    this.rejected = 0;
  }

  async stop(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise((resolve) => this.#server.close(resolve));
  }

  async #take(request: IncomingMessage, response: ServerResponse): Promise<void> {
    let body = '';
    for await (const chunk of request) body += chunk;
    const at = Date.now();

    const accountId = (request.url ?? '').split('/')[2] ?? '';
    const verifier = this.#verifiers.get(accountId);
    let event: CallbackBody;
    try {
      event = verifier!.verify(body, request.headers as Record<string, string>) as CallbackBody;
    } catch {
      this.rejected += 1;
      response.writeHead(400).end();
      return;
    }

    this.#note(event, at);
    response.writeHead(204).end();
  }

  #note(event: CallbackBody, at: number): void {
    const key = event.data.status ? `${event.type}:${event.data.status}` : event.type;
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);

    const id = event.data.messageId;
    if (!id) return;
    if (key === 'message.status:delivered') this.delivered.set(id, at);
    if (event.type === 'message.received') this.received.set(id, at);
  }
}
