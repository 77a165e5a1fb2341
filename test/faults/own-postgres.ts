import { chmod, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Writable } from 'node:stream';
import { startEmbeddedPostgres, type EmbeddedPostgresServer } from '../../core/db/embedded.ts';
import { createLogger } from '../../core/log.ts';
import { freePort } from '../support/config.ts';
import { logLines } from '../support/hub.ts';

/**
 * A PostgreSQL server of the test's own, which it may stop, kill and start again without
 * touching the server other test files share. The URL stays the same across restarts.
 */
export interface OwnPostgres {
  url: string;
  /** Shuts the server down cleanly, waits `downMs`, and starts it again. */
  restart(downMs: number): Promise<void>;
  /** Kills the server without a shutdown, as a crash would, then starts it again. */
  crash(downMs: number): Promise<void>;
  stop(): Promise<void>;
}

// In production the embedded server's output is part of the hub's log, so it is kept with
// the hub's lines and scanned with them.
const log = createLogger({ level: 'debug' }, new Writable({
  write(chunk, _encoding, done) {
    logLines.push(...String(chunk).split('\n').filter(Boolean));
    done();
  },
}));

export async function startOwnPostgres(): Promise<OwnPostgres> {
  const folder = await mkdtemp(join(tmpdir(), 'hub-own-postgres-'));
  // As root the server runs as the postgres user, which must be able to enter the folder.
  await chmod(folder, 0o755);
  const dataDir = join(folder, 'data');
  const port = await freePort();
  const start = () => startEmbeddedPostgres({ dataDir, port, log });

  let server: EmbeddedPostgresServer = await start();
  return {
    url: server.url,
    async restart(downMs) {
      await server.stop();
      await sleep(downMs);
      server = await start();
    },
    async crash(downMs) {
      const pid = Number.parseInt(await readFile(join(dataDir, 'postmaster.pid'), 'utf8'), 10);
      process.kill(pid, 'SIGKILL');
      await untilExited(pid);
      await server.stop();
      await sleep(downMs);
      server = await start();
    },
    async stop() {
      await server.stop();
      await rm(folder, { recursive: true, force: true });
    },
  };
}

async function untilExited(pid: number): Promise<void> {
  for (;;) {
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
    await sleep(50);
  }
}
