import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';

import type { TemplateProblem } from './types.ts';

/** What a template's file name says: `reminder.email.html.es.hbs`. */
export interface TemplateName {
  kind: string;
  channel: string;
  /** Absent for the default-language file (`reminder.sms.hbs`). */
  language?: string;
  /** True for an email's HTML variant. */
  html: boolean;
}

/** One `.hbs` file found under the template folder, sorted into what it is for. */
export type TemplateFile =
  | { role: 'partial'; name: string; file: string; source: string }
  | {
      role: 'template';
      trigger: string;
      accountId?: string;
      name: TemplateName;
      file: string;
      source: string;
    };

export interface TemplateFolder {
  files: TemplateFile[];
  problems: TemplateProblem[];
}

const namePart = /^[a-z0-9][a-z0-9_-]*$/;
const languageTag = /^[a-z]{2,3}(-[a-z0-9]{2,8})*$/i;

const placementHelp = 'templates go in <trigger>/, accounts/<accountId>/<trigger>/ or partials/';

const fileNameHelp =
  'a template file is named <kind>.<channel>[.html][.<language>].hbs, in lower case';

/**
 * Reads `<kind>.<channel>[.html][.<lang>].hbs`; returns undefined for any other name.
 * The language suffix is a BCP 47 tag (`es`, `pt-BR`); `html` marks an email's HTML body.
 */
export function parseTemplateName(fileName: string): TemplateName | undefined {
  const parts = path.basename(fileName).split('.');
  if (parts.length < 3 || parts.length > 5 || parts.pop() !== 'hbs') return undefined;

  const [kind, channel, ...rest] = parts;
  if (!namePart.test(kind) || !namePart.test(channel)) return undefined;

  const html = rest[0] === 'html';
  if (html) rest.shift();
  if (rest.length > 1) return undefined;

  const language = rest[0];
  if (language !== undefined && !languageTag.test(language)) return undefined;
  return { kind, channel, language, html };
}

/** Reads every `.hbs` file under `dir` once, in a stable order. */
export async function readTemplateFolder(dir: string): Promise<TemplateFolder> {
  const root = path.resolve(dir);
  const found = await stat(root).catch(() => undefined);
  if (!found?.isDirectory()) {
    return { files: [], problems: [{ file: displayPath(root), message: 'no such folder' }] };
  }

  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  const relativePaths = entries
    .filter((entry) => !entry.isDirectory() && entry.name.endsWith('.hbs'))
    .map((entry) => path.relative(root, path.join(entry.parentPath, entry.name)))
    .filter((relative) => !relative.split(path.sep).some((segment) => segment.startsWith('.')))
    .sort();

  const files: TemplateFile[] = [];
  const problems: TemplateProblem[] = [];

  for (const relative of relativePaths) {
    const absolute = path.join(root, relative);
    const source = normaliseSource(await readFile(absolute, 'utf8'));
    const sorted = sortFile(relative.split(path.sep), displayPath(absolute), source);
    if ('message' in sorted) problems.push(sorted);
    else files.push(sorted);
  }
  return { files, problems };
}

/** How files and messages name a template: relative to the working folder when inside it. */
export function displayPath(absolute: string): string {
  const relative = path.relative(process.cwd(), absolute);
  return relative.startsWith('..') || path.isAbsolute(relative) ? absolute : relative;
}

function sortFile(
  segments: string[],
  file: string,
  source: string,
): TemplateFile | TemplateProblem {
  const fileName = segments.at(-1) ?? '';

  if (segments.length === 2 && segments[0] === 'partials') {
    return { role: 'partial', name: fileName.slice(0, -'.hbs'.length), file, source };
  }

  const inAccount = segments.length === 4 && segments[0] === 'accounts';
  const inTrigger = segments.length === 2 && segments[0] !== 'accounts';
  if (!inAccount && !inTrigger) {
    return { file, message: placementHelp };
  }

  const trigger = inAccount ? segments[2] : segments[0];
  if (trigger === 'partials' || !namePart.test(trigger)) {
    return { file, message: `"${trigger}" is not a trigger folder name; ${placementHelp}` };
  }

  const name = parseTemplateName(fileName);
  if (!name) return { file, message: fileNameHelp };

  const accountId = inAccount ? segments[1] : undefined;
  return { role: 'template', trigger, accountId, name, file, source };
}

/** Editors on Windows add a byte-order mark and CRLF; neither belongs in a text message. */
function normaliseSource(source: string): string {
  return source.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
}
