import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';

/**
 * Connections to the hosts' endpoints stay open between callbacks: a worker posts several
 * events a message, and a new TCP (and TLS) connection each time cost more than the post.
 * An idle one is closed after a few seconds, or sooner when the host's `Keep-Alive` answer
 * says so, before a host would close it itself (Node's servers do at 5 s): a post on a
 * connection the host is closing fails, and would wait for its retry.
 */
const keepAlive = { keepAlive: true, timeout: 4000, scheduling: 'lifo' } as const;
const agents = {
  'http:': new HttpAgent(keepAlive),
  'https:': new HttpsAgent(keepAlive),
};

/** Why a post got no answer: `timeout`, or the system's code, such as `ECONNREFUSED`. */
export class NoAnswer extends Error {
  readonly code: string;

  constructor(code: string) {
    super(`no answer: ${code}`);
    this.code = code;
  }
}

/**
 * Posts a body and resolves with the answer's status code once it arrives, reading and
 * dropping the answer's body so the connection can carry the next post. A redirect is
 * returned as it is, not followed. Node's `http` is used rather than `fetch`, whose own work
 * (web streams, request and header objects) was a twelfth of a busy worker's time.
 */
export function postBody(
  url: string,
  headers: Record<string, string>,
  body: string,
  timeoutMs: number,
): Promise<number> {
  const target = new URL(url);
  const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
  const agent = agents[target.protocol as keyof typeof agents];
  const signal = AbortSignal.timeout(timeoutMs);

  return new Promise((resolve, reject) => {
    const request = send(target, {
      method: 'POST',
      agent,
      signal,
      headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
    }, (response: IncomingMessage) => {
      response.resume();
      response.on('error', () => {});
      resolve(response.statusCode ?? 0);
    });
    request.on('error', (error: NodeJS.ErrnoException) => {
      reject(new NoAnswer(signal.aborted ? 'timeout' : (error.code ?? error.name)));
    });
    request.end(body);
  });
}
