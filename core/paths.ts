import { fileURLToPath } from 'node:url';
import { isAbsolute, resolve } from 'node:path';

/** The folder holding `core/`, `channels/`, `plugins/`, `templates/` and `config/`. */
export const projectRoot = fileURLToPath(new URL('..', import.meta.url));

export const defaultConfigFile = resolve(projectRoot, 'config/hub.yaml');

/** Paths in the config are relative to the project, wherever the hub is started from. */
export function fromProject(path: string): string {
  return isAbsolute(path) ? path : resolve(projectRoot, path);
}
