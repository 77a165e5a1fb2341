import { watch, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';
import type { Logger } from '../log.ts';

/** Something being watched; `close` is safe to call twice. */
export interface Watch {
  close(): void;
}

/** Calls `onChange` for any change to a file in the folder or below it. */
export function watchFolder(dir: string, onChange: () => void, log: Logger): Watch {
  return open(dir, { recursive: true }, () => onChange(), log);
}

/**
 * Calls `onChange` when the file changes. Its folder is watched rather than the file, because
 * editors save by writing a new file and renaming it over the old one, which ends a watch on
 * the old file.
 */
export function watchFile(file: string, onChange: () => void, log: Logger): Watch {
  const name = basename(file);
  return open(dirname(file), { recursive: false }, (changed) => {
    if (changed === name) onChange();
  }, log);
}

function open(
  target: string,
  options: { recursive: boolean },
  listener: (fileName: string | null) => void,
  log: Logger,
): Watch {
  let watcher: FSWatcher | undefined;
  try {
    // Not persistent: watching alone never keeps the process running.
    watcher = watch(target, { ...options, persistent: false }, (_event, fileName) => {
      listener(fileName === null ? null : String(fileName));
    });
  } catch (error) {
    log.warn({ err: error, target }, 'cannot watch for changes; reload with SIGHUP instead');
    return { close() {} };
  }

  watcher.on('error', (error) => {
    log.warn({ err: error, target }, 'stopped watching for changes; reload with SIGHUP instead');
    watcher?.close();
  });
  return { close: () => watcher?.close() };
}
