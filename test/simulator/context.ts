import type { Hono } from 'hono';
import type { ResolvedOptions, WebhookUrls } from './options.ts';
import type { ParsedBody } from './parse-body.ts';
import type { RecordedRequest, Recorder } from './recorder.ts';
import type { WebhookSender } from './webhooks.ts';

/** What every provider module of the simulator shares. */
export interface SimContext {
  options: ResolvedOptions;
  /** Account-level webhook URLs; tests may set them after the hub has started. */
  urls: WebhookUrls;
  /** The simulator's own origin, e.g. `http://127.0.0.1:40123`; known once it listens. */
  baseUrl: string;
  recorder: Recorder;
  webhooks: WebhookSender;
}

export type SimEnv = { Variables: { body: ParsedBody; record: RecordedRequest } };

export type SimApp = Hono<SimEnv>;
