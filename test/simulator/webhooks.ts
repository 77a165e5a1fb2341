import { setTimeout as sleep } from 'node:timers/promises';
import type { Provider } from './options.ts';
import { plainRequest } from './plain-request.ts';

/** One webhook the simulator sent, with the receiver's answer. */
export interface SentWebhook {
  seq: number;
  provider: Provider;
  /** What it reports: `message-status`, `inbound-sms`, `voice-url`, `events`, `fax-completed`… */
  kind: string;
  method: string;
  url: string;
  headers: Record<string, string>;
  /** The fields as sent, for assertions: form params, the JSON value, or multipart fields. */
  payload: unknown;
  time: string;
  status?: number;
  responseBody?: string;
  error?: string;
}

export interface WebhookReply {
  status: number;
  body: string;
  contentType: string;
}

export interface OutgoingWebhook {
  provider: Provider;
  kind: string;
  url: string;
  method?: string;
  headers: Record<string, string>;
  body?: string | FormData;
  payload: unknown;
}

/** A webhook or a background task that failed, kept so that tests can see why nothing came. */
export interface BackgroundFailure {
  task: string;
  error: string;
}

/**
 * Sends webhooks and runs the background sequences that produce them. Every task is tracked, so
 * that `settle()` can wait until the simulator has nothing left to send.
 */
export class WebhookSender {
  readonly sent: SentWebhook[] = [];
  readonly failures: BackgroundFailure[] = [];
  private readonly pending = new Set<Promise<void>>();
  private readonly abort = new AbortController();
  private readonly options: { delayMs: number; timeoutMs: number };
  private seq = 0;

  constructor(options: { delayMs: number; timeoutMs: number }) {
    this.options = options;
  }

  async send(webhook: OutgoingWebhook): Promise<WebhookReply> {
    const record: SentWebhook = {
      seq: ++this.seq,
      provider: webhook.provider,
      kind: webhook.kind,
      method: webhook.method ?? 'POST',
      url: webhook.url,
      headers: webhook.headers,
      payload: webhook.payload,
      time: new Date().toISOString(),
    };
    this.sent.push(record);

    try {
      const signal = AbortSignal.any([
        this.abort.signal,
        AbortSignal.timeout(this.options.timeoutMs),
      ]);
      const init = { method: record.method, headers: webhook.headers, signal };
      const reply = typeof webhook.body === 'object'
        ? await postForm(webhook.url, { ...init, body: webhook.body })
        : await plainRequest(webhook.url, { ...init, body: webhook.body });
      record.status = reply.status;
      record.responseBody = reply.body;
      return reply;
    } catch (error) {
      record.error = (error as Error).message;
      throw new Error(`${webhook.kind} webhook to ${webhook.url} failed`, { cause: error });
    }
  }

  /**
   * Runs a provider's follow-up work in the background. Each step waits `delayMs` first (see
   * `wait`), so that a test can act between a send and its webhooks.
   */
  run(task: string, work: () => Promise<void>): void {
    const promise = work()
      .catch((error: Error) => {
        if (this.abort.signal.aborted) return;
        const cause = error.cause instanceof Error ? `: ${error.cause.message}` : '';
        this.failures.push({ task, error: error.message + cause });
      })
      .finally(() => this.pending.delete(promise));
    this.pending.add(promise);
  }

  /** The pause before an automatic webhook; ends early, with an error, when the simulator stops. */
  async wait(): Promise<void> {
    await sleep(this.options.delayMs, undefined, { signal: this.abort.signal });
  }

  /** Resolves once no background work is left, including work started by work that finished. */
  async settle(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }

  stop(): void {
    this.abort.abort();
  }

  clear(): void {
    this.sent.length = 0;
    this.failures.length = 0;
  }
}

/** A multipart form through `fetch`, which writes its boundaries and parts. */
async function postForm(
  url: string,
  init: { method: string; headers: Record<string, string>; body: FormData; signal: AbortSignal },
): Promise<WebhookReply> {
  const response = await fetch(url, init);
  const body = await response.text();
  const contentType = response.headers.get('content-type') ?? '';
  return { status: response.status, body, contentType };
}
