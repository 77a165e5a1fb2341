import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';

/** A web-standard request handler: a Hono app's `fetch`. */
export type FetchHandler = (request: Request, env?: unknown) => Response | Promise<Response>;

export interface ListeningServer {
  /** `http://host:port`, with the port the system picked when 0 was asked for. */
  url: string;
  /** Stops taking connections and waits for the open ones to finish. */
  close(): Promise<void>;
}

/** The part of Bun's global that serving needs; see https://bun.sh/docs/api/http. */
interface BunRuntime {
  serve(options: {
    fetch: FetchHandler; hostname: string; port: number; idleTimeout: number;
  }): BunServer;
}

interface BunServer {
  port: number;
  stop(closeActiveConnections?: boolean): void | Promise<void>;
}

/**
 * Serves `fetch` on the host and port. Under Bun the runtime's own server is used, which
 * speaks the same Request and Response objects as Hono; under Node, `@hono/node-server`
 * adapts Node's HTTP server to them.
 */
export function listen(
  fetch: FetchHandler,
  host: string,
  port: number,
  idleConnectionSeconds: number,
): Promise<ListeningServer> {
  const bun = (globalThis as { Bun?: BunRuntime }).Bun;
  if (bun) return listenOnBun(bun, fetch, host, port, idleConnectionSeconds);
  return listenOnNode(fetch, host, port, idleConnectionSeconds * 1000);
}

async function listenOnBun(
  bun: BunRuntime,
  fetch: FetchHandler,
  host: string,
  port: number,
  idleSeconds: number,
): Promise<ListeningServer> {
  // Bun takes whole seconds, at most 255.
  const idleTimeout = Math.min(255, Math.ceil(idleSeconds));
  const server = bun.serve({ fetch, hostname: host, port, idleTimeout });

  let closing: Promise<void> | undefined;
  const close = async () => {
    await server.stop();
  };
  return { url: `http://${host}:${server.port}`, close: () => (closing ??= close()) };
}

async function listenOnNode(
  fetch: FetchHandler,
  host: string,
  port: number,
  idleConnectionMs: number,
): Promise<ListeningServer> {
  const server = await new Promise<ServerType>((resolve, reject) => {
    const started = serve({ fetch, hostname: host, port }, () => resolve(started));
    started.once('error', reject);
  });

  // Node closes a connection idle for five seconds by default. A client (a provider's webhook
  // sender, a load balancer) that reuses one just then loses its request to the race, so the
  // hub keeps them longer than its clients do.
  if ('keepAliveTimeout' in server) server.keepAliveTimeout = idleConnectionMs;

  let closing: Promise<void> | undefined;
  const address = server.address() as AddressInfo;
  return {
    url: `http://${host}:${address.port}`,
    close: () => (closing ??= closeNodeServer(server)),
  };
}

function closeNodeServer(server: ServerType): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    if ('closeIdleConnections' in server) server.closeIdleConnections();
  });
}
