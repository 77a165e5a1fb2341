import { createHash } from 'node:crypto';
import type { Provider } from './options.ts';
import type { Params, ParsedBody } from './parse-body.ts';

export interface RecordedFile {
  field: string;
  filename: string;
  contentType: string;
  size: number;
  sha1: string;
}

/** One API call a client made to the simulator, as the provider would have received it. */
export interface RecordedRequest {
  seq: number;
  provider: Provider;
  method: string;
  path: string;
  query: Record<string, string>;
  headers: Record<string, string>;
  params: Params;
  json?: unknown;
  files: RecordedFile[];
  time: string;
  /** The status the simulator answered with; unset while the answer is pending. */
  status?: number;
  /** Set when the answer was an injected fault. */
  fault?: string;
}

export class Recorder {
  readonly requests: RecordedRequest[] = [];
  private readonly keep: boolean;
  private seq = 0;

  /** With `keep` off nothing is kept; the gate still gets an entry to note the status on. */
  constructor(keep = true) {
    this.keep = keep;
  }

  record(provider: Provider, request: Request, body: ParsedBody): RecordedRequest {
    const url = new URL(request.url);
    const entry: RecordedRequest = {
      seq: ++this.seq,
      provider,
      method: request.method,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: Object.fromEntries(request.headers),
      params: body.params,
      json: body.json,
      files: body.files.map((file) => ({
        field: file.field,
        filename: file.filename,
        contentType: file.contentType,
        size: file.content.byteLength,
        sha1: createHash('sha1').update(file.content).digest('hex'),
      })),
      time: new Date().toISOString(),
    };
    if (this.keep) this.requests.push(entry);
    return entry;
  }

  list(provider?: Provider): RecordedRequest[] {
    if (!provider) return [...this.requests];
    return this.requests.filter((entry) => entry.provider === provider);
  }

  clear(): void {
    this.requests.length = 0;
  }
}
