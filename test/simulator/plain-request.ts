import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';

/** What a receiver answered. */
export interface PlainAnswer {
  status: number;
  body: string;
  contentType: string;
}

/**
 * Kept-alive connections, closed when idle a little before the receivers' own timeout: the
 * hub keeps idle connections 65 s, other receivers (test hosts) Node's default of 5 s.
 */
const keepAlive = { keepAlive: true, timeout: 4000, scheduling: 'lifo' } as const;
const agents = { 'http:': new HttpAgent(keepAlive), 'https:': new HttpsAgent(keepAlive) };

/**
 * A request with a text body (or none) over `node:http`. The benchmarks run the simulator in
 * the process that measures, on the machine that runs the hub; `fetch`'s own work (web
 * streams, request and header objects) made a quarter of that process's time.
 */
export function plainRequest(
  url: string,
  init: { method: string; headers: Record<string, string>; body?: string; signal: AbortSignal },
): Promise<PlainAnswer> {
  const target = new URL(url);
  const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
  const headers = init.body === undefined
    ? init.headers
    : { ...init.headers, 'content-length': String(Buffer.byteLength(init.body)) };

  return new Promise((resolve, reject) => {
    const request = send(target, {
      method: init.method, headers, signal: init.signal,
      agent: agents[target.protocol as keyof typeof agents],
    }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => { body += chunk; });
      response.on('error', reject);
      response.on('end', () => resolve({
        status: response.statusCode ?? 0,
        body,
        contentType: String(response.headers['content-type'] ?? ''),
      }));
    });
    request.on('error', reject);
    request.end(init.body);
  });
}
