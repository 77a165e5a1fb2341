import { z } from 'zod';
import { ProviderError } from '../../core/plugins/provider-error.ts';
import { phaxioFaxSchema, type PhaxioFax } from './phaxio-fax.ts';
import { phaxioFailure } from './phaxio-errors.ts';

export interface PhaxioClientOptions {
  apiKey: string;
  apiSecret: string;
  /** `https://api.phaxio.com/v2.1`, without a trailing slash. */
  baseUrl: string;
  timeoutMs: number;
}

export interface FaxFile {
  filename: string;
  contentType: string;
  data: Uint8Array;
}

export interface SendFaxRequest {
  /** E.164. */
  to: string;
  /** Faxed in this order, as one document. */
  files: FaxFile[];
  /** Where Phaxio posts `fax_completed`; also the URL its signature covers. */
  callbackUrl: string;
  /** Kept with the fax and returned in its webhooks. */
  tags?: Record<string, string>;
  /** A Phaxio number of the account, shown to the receiving machine. */
  callerId?: string;
}

/** The calls of Phaxio API v2.1 the hub makes, with failures as `ProviderError`s. */
export interface PhaxioClient {
  sendFax(request: SendFaxRequest): Promise<{ id: number }>;
  getFax(id: number): Promise<PhaxioFax>;
  downloadFile(id: number): Promise<Buffer>;
}

const sentSchema = z.object({ data: z.object({ id: z.number().int() }) });
const faxSchema = z.object({ data: phaxioFaxSchema });

/**
 * A small client over fetch and FormData. The official `phaxio-official` package reads files
 * only from paths, has no base-URL option and depends on the deprecated `request`.
 * https://www.phaxio.com/docs/api/v2.1/faxes/create_and_send_fax
 */
export function createPhaxioClient(options: PhaxioClientOptions): PhaxioClient {
  const credentials = `${options.apiKey}:${options.apiSecret}`;
  const authorization = `Basic ${Buffer.from(credentials).toString('base64')}`;

  async function call(path: string, init: RequestInit = {}): Promise<Response> {
    let response: Response;
    try {
      response = await fetch(`${options.baseUrl}${path}`, {
        ...init,
        headers: { authorization, accept: 'application/json' },
        signal: AbortSignal.timeout(options.timeoutMs),
      });
    } catch (error) {
      // A network failure or the timeout: Phaxio may or may not have the fax, and the retry
      // is the core's to schedule.
      throw new ProviderError({
        provider: 'phaxio', permanent: false, reason: 'provider_error', cause: error,
      });
    }

    if (!response.ok) throw phaxioFailure(response.status, await errorMessage(response));
    return response;
  }

  async function json<T>(response: Response, schema: z.ZodType<T>): Promise<T> {
    const body: unknown = await response.json().catch(() => undefined);
    const success = (body as { success?: unknown } | undefined)?.success;
    const parsed = schema.safeParse(body);
    if (success === false || !parsed.success) {
      const message = (body as { message?: string } | undefined)?.message;
      throw phaxioFailure(response.status, message ?? 'Unexpected answer from Phaxio');
    }
    return parsed.data;
  }

  return {
    async sendFax(request) {
      const response = await call('/faxes', { method: 'POST', body: sendForm(request) });
      return (await json(response, sentSchema)).data;
    },

    async getFax(id) {
      return (await json(await call(`/faxes/${id}`), faxSchema)).data;
    },

    async downloadFile(id) {
      const response = await call(`/faxes/${id}/file`);
      return Buffer.from(await response.arrayBuffer());
    },
  };
}

/** Parts in the order the official SDK sends them: `to`, the files, then the options. */
function sendForm(request: SendFaxRequest): FormData {
  const form = new FormData();
  form.append('to', request.to);

  const name = request.files.length > 1 ? 'file[]' : 'file';
  for (const file of request.files) {
    const blob = new Blob([file.data as Uint8Array<ArrayBuffer>], { type: file.contentType });
    form.append(name, blob, file.filename);
  }

  form.append('callback_url', request.callbackUrl);
  if (request.callerId) form.append('caller_id', request.callerId);
  for (const [tag, value] of Object.entries(request.tags ?? {})) {
    form.append(`tag[${tag}]`, value);
  }
  return form;
}

/** Phaxio's error body is `{ success: false, message }`. */
async function errorMessage(response: Response): Promise<string> {
  const body: unknown = await response.json().catch(() => undefined);
  const message = (body as { message?: unknown } | undefined)?.message;
  return typeof message === 'string' ? message : response.statusText;
}
