import type { Provider } from './options.ts';

export interface FaultSpec {
  provider: Provider;
  /** HTTP status to answer with. Omitted with a `code`: the code's own status (Twilio). */
  status?: number;
  /** Provider error code, e.g. Twilio 21211, 21610, 21635. */
  code?: number;
  message?: string;
  /** Wait this long before answering. Alone (no status, no code), the answer is a normal one. */
  delayMs?: number;
  /** Only requests whose path contains this text, e.g. `/Messages.json` or `/cancel`. */
  path?: string;
  /** Only requests with this method. */
  method?: string;
}

export interface FailNextSpec extends FaultSpec {
  /** How many matching requests fail. Defaults to 1. */
  count?: number;
}

export interface FailForSpec extends FaultSpec {
  /** Every matching request fails until this many milliseconds have passed. */
  durationMs: number;
}

/** What a request should suffer: a delay, an error, or both. */
export interface Fault {
  status?: number;
  code?: number;
  message?: string;
  delayMs?: number;
  label: string;
}

interface Armed {
  spec: FaultSpec;
  remaining: number;
  until: number;
}

export class Faults {
  private armed: Armed[] = [];

  failNext(spec: FailNextSpec): void {
    const remaining = spec.count ?? 1;
    this.armed.push({ spec, remaining, until: Number.POSITIVE_INFINITY });
  }

  failFor(spec: FailForSpec): void {
    const until = Date.now() + spec.durationMs;
    this.armed.push({ spec, remaining: Number.POSITIVE_INFINITY, until });
  }

  clear(): void {
    this.armed = [];
  }

  /** The fault for this request, if one is armed; counts it as used. Oldest armed fault first. */
  take(provider: Provider, method: string, path: string): Fault | undefined {
    const now = Date.now();
    this.armed = this.armed.filter((entry) => entry.remaining > 0 && entry.until > now);

    const entry = this.armed.find(({ spec }) => matches(spec, provider, method, path));
    if (!entry) return undefined;
    entry.remaining -= 1;

    const { status, code, message, delayMs } = entry.spec;
    return { status, code, message, delayMs, label: describe(entry.spec) };
  }
}

function matches(spec: FaultSpec, provider: Provider, method: string, path: string): boolean {
  if (spec.provider !== provider) return false;
  if (spec.method && spec.method.toUpperCase() !== method.toUpperCase()) return false;
  return !spec.path || path.includes(spec.path);
}

function describe(spec: FaultSpec): string {
  const parts = [spec.status && `status ${spec.status}`, spec.code && `code ${spec.code}`];
  if (spec.delayMs) parts.push(`delay ${spec.delayMs} ms`);
  return parts.filter(Boolean).join(', ');
}
