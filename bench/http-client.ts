import { Agent, request } from 'node:http';

export interface Answer {
  status: number;
  body: string;
}

/**
 * JSON over plain `node:http` with kept-alive connections: lighter than `fetch` for the load
 * generator, which shares the bench process with the simulator and the host receiver. Given
 * several API processes, it sends each request to the next one in turn, as a load balancer in
 * front of them would.
 */
export class HttpClient {
  readonly #agent: Agent;
  readonly #bases: URL[];
  readonly #key: string;
  #turn = 0;

  constructor(bases: string[], key: string, connections: number) {
    this.#bases = bases.map((base) => new URL(base));
    this.#key = key;
    this.#agent = new Agent({ keepAlive: true, maxSockets: connections });
  }

  call(method: string, path: string, body?: unknown, key = this.#key): Promise<Answer> {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const headers: Record<string, string> = { authorization: `Bearer ${key}` };
    if (payload !== undefined) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = String(Buffer.byteLength(payload));
    }

    const base = this.#bases[this.#turn++ % this.#bases.length];
    return new Promise((resolve, reject) => {
      const outgoing = request({
        host: base.hostname, port: base.port, method, path, headers,
        agent: this.#agent, timeout: 30_000,
      }, (incoming) => {
        let text = '';
        incoming.setEncoding('utf8');
        incoming.on('data', (chunk: string) => { text += chunk; });
        incoming.on('end', () => resolve({ status: incoming.statusCode ?? 0, body: text }));
        incoming.on('error', reject);
      });
      outgoing.on('timeout', () => outgoing.destroy(new Error(`${method} ${path} timed out`)));
      outgoing.on('error', reject);
      outgoing.end(payload);
    });
  }

  /** Like `call`, but an answer outside 2xx is an error. */
  async json<T>(method: string, path: string, body?: unknown, key?: string): Promise<T> {
    const answer = await this.call(method, path, body, key);
    if (answer.status < 200 || answer.status >= 300) {
      throw new Error(`${method} ${path} answered ${answer.status}: ${answer.body.slice(0, 300)}`);
    }
    return (answer.body ? JSON.parse(answer.body) : undefined) as T;
  }

  close(): void {
    this.#agent.destroy();
  }
}
