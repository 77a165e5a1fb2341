import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One callback request as the host saw it, with the answer it gave. */
export interface HostRequest {
  eventId: string;
  type: string;
  data: Record<string, unknown>;
  /** The body as it came, byte for byte. */
  body: string;
  at: Date;
  answered: number;
}

/**
 * The host's callback endpoint: a real HTTP server on loopback that keeps every request. While
 * down it answers 503, as the load balancer in front of a host that is away does, so each
 * failed attempt is seen and counted here as well as in the hub's own records.
 */
export class Host {
  readonly requests: HostRequest[] = [];
  #down = false;
  readonly #server = createServer((request, response) => this.#receive(request, response));

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}/hub-events`;
  }

  down(): void {
    this.#down = true;
  }

  up(): void {
    this.#down = false;
  }

  /** The events the host accepted, by event id, with how many times each was accepted. */
  accepted(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const request of this.requests) {
      if (request.answered >= 300) continue;
      counts.set(request.eventId, (counts.get(request.eventId) ?? 0) + 1);
    }
    return counts;
  }

  /** The statuses of the accepted `message.status` events, by message id, as they came. */
  acceptedStatuses(): Map<string, string[]> {
    const byMessage = new Map<string, string[]>();
    for (const request of this.requests) {
      if (request.answered >= 300 || request.type !== 'message.status') continue;
      const messageId = String(request.data.messageId);
      byMessage.set(messageId, [...(byMessage.get(messageId) ?? []), String(request.data.status)]);
    }
    return byMessage;
  }

  async stop(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise((resolve) => this.#server.close(resolve));
  }

  async #receive(request: IncomingMessage, response: ServerResponse): Promise<void> {
    let body = '';
    for await (const chunk of request) body += chunk;
    const event = JSON.parse(body) as { id: string; type: string; data: Record<string, unknown> };

    const answered = this.#down ? 503 : 204;
    this.requests.push({
      eventId: String(request.headers['webhook-id']), type: event.type, data: event.data, body,
      at: new Date(), answered,
    });
    response.writeHead(answered).end();
  }
}
