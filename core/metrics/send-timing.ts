import { performance } from 'node:perf_hooks';
import { hubMetrics } from './hub-metrics.ts';

/** Runs a provider's send and records how long it took, whether it succeeded or not. */
export async function timeProviderCall<T>(
  channel: string,
  provider: string,
  call: () => Promise<T>,
): Promise<T> {
  const started = performance.now();
  let outcome = 'error';
  try {
    const result = await call();
    outcome = 'ok';
    return result;
  } finally {
    const seconds = (performance.now() - started) / 1000;
    hubMetrics.providerLatency.observe({ channel, provider, outcome }, seconds);
  }
}

/** Records how late a message went out: from when it was due to when its provider took it. */
export function observeSendLatency(channel: string, dueAt: Date, sentAt: Date): void {
  const seconds = Math.max(0, (sentAt.getTime() - dueAt.getTime()) / 1000);
  hubMetrics.sendLatency.observe({ channel }, seconds);
}
