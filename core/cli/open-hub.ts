import { Writable } from 'node:stream';
import { startHub, type Hub } from '../hub.ts';

/** pino's numeric level for warnings; anything less is progress the terminal does not need. */
const warnLevel = 40;

/**
 * Opens the hub's database and queue with the configuration the running hub uses, without
 * serving or working: a command's messages go where the API's would.
 */
export function openHub(configFile: string | undefined): Promise<Hub> {
  return startHub({ configFile, idle: true, logDestination: warningsToStandardError() });
}

/** Log lines at warning level and above, shown as short lines on standard error. */
function warningsToStandardError(): Writable {
  return new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) showWarning(line);
      done();
    },
  });
}

function showWarning(line: string): void {
  let entry: { level?: number; msg?: string };
  try {
    entry = JSON.parse(line);
  } catch {
    return;
  }
  if ((entry.level ?? 0) < warnLevel || !entry.msg) return;

  const label = entry.level! >= 50 ? 'error' : 'warning';
  process.stderr.write(`hub: ${label}: ${entry.msg}\n`);
}
