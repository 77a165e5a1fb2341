import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { projectRoot } from '../paths.ts';
import { loadBundledPlugins } from './bundled-plugins.ts';
import { parseOptions } from './command.ts';
import { renderConfigReference } from './config-reference.ts';
import { renderTemplateReference } from './template-reference.ts';

export async function run(args: string[]): Promise<number> {
  const { values } = parseOptions('docs', args, { check: { type: 'boolean' } });
  const plugins = await loadBundledPlugins();
  const folder = join(projectRoot, 'docs');
  const files = {
    'config-reference.md': renderConfigReference(plugins),
    'template-reference.md': renderTemplateReference(plugins),
  };

  const stale: string[] = [];
  for (const [name, content] of Object.entries(files)) {
    const file = join(folder, name);
    const current = await readFile(file, 'utf8').catch(() => undefined);
    if (current === content) continue;

    stale.push(relative(process.cwd(), file));
    if (values.check) continue;
    await mkdir(folder, { recursive: true });
    await writeFile(file, content);
  }

  if (values.check && stale.length > 0) {
    process.stdout.write(`Out of date, run npm run docs: ${stale.join(', ')}\n`);
    return 1;
  }
  process.stdout.write(stale.length > 0 ? `Wrote ${stale.join(', ')}\n` : 'Up to date.\n');
  return 0;
}
