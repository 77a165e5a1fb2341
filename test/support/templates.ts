import { cp, mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { projectRoot } from '../../core/paths.ts';

interface TemplateFolderOptions {
  /**
   * Which of the hub's default templates to start from: all of them, or only the consent
   * answers (opt-in requests, STOP and HELP replies) that every hub needs.
   */
  defaults: 'all' | 'consent';
  /** A folder of the project whose templates are copied over the defaults. */
  fixture?: string;
  /** Templates to write in, by path inside the folder. */
  files?: Record<string, string>;
}

/** A templates folder of its own, which a test may edit or break. */
export async function templateFolder(options: TemplateFolderOptions): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'hub-templates-'));
  if (options.defaults === 'all') {
    await cp(join(projectRoot, 'templates'), dir, { recursive: true });
  } else {
    await cp(join(projectRoot, 'templates/consent'), join(dir, 'consent'), { recursive: true });
  }
  if (options.fixture) await cp(join(projectRoot, options.fixture), dir, { recursive: true });

  for (const [name, text] of Object.entries(options.files ?? {})) {
    await mkdir(dirname(join(dir, name)), { recursive: true });
    await writeFile(join(dir, name), text);
  }
  return dir;
}
