import Handlebars from 'handlebars';

import { readTemplateFolder, type TemplateFile } from './catalog.ts';
import { compilePart, compilePartials, type CompiledPart, type PartialSet } from './compile.ts';
import { FrontMatterError, splitFrontMatter, type FrontMatter } from './front-matter.ts';
import { registerHelpers } from './helpers.ts';
import type {
  TemplateEngineOptions,
  TemplateListing,
  TemplateProblem,
  TemplateRef,
} from './types.ts';

/** A template ready to render: its compiled subject, body and, for email, HTML body. */
export interface LoadedTemplate extends TemplateRef {
  language: string;
  accountId?: string;
  file: string;
  subject?: CompiledPart;
  body: CompiledPart;
  htmlBody?: CompiledPart;
}

export interface LoadedFolder {
  templates: Map<string, LoadedTemplate>;
  listing: TemplateListing[];
  partials: { text: PartialSet; html: PartialSet };
  /** Keys of templates that exist but failed to load, so a check does not call them missing. */
  broken: Set<string>;
  problems: TemplateProblem[];
}

type TemplateSourceFile = Extract<TemplateFile, { role: 'template' }>;

/** Channels whose templates carry a subject: an email's, an efax cover page's. */
const subjectChannels = new Set(['email', 'efax']);

/** The lookup key of a template; an empty account id stands for the hub's defaults. */
export function templateKey(ref: TemplateRef, language: string, accountId = ''): string {
  return `${accountId}\u0000${ref.trigger}\u0000${ref.kind}\u0000${ref.channel}\u0000${language}`;
}

/** Language tags compare without regard to case: `pt-BR` and `pt-br` are the same. */
export function languageKey(language: string): string {
  return language.toLowerCase();
}

/** Reads and compiles every file in the folder, collecting every problem instead of stopping. */
export async function loadTemplateFolder(options: TemplateEngineOptions): Promise<LoadedFolder> {
  const folder = await readTemplateFolder(options.dir);
  const env = Handlebars.create();
  registerHelpers(env);

  const partialFiles = folder.files.flatMap((file) => (file.role === 'partial' ? [file] : []));
  const text = compilePartials(env, partialFiles, false);
  const html = compilePartials(env, partialFiles, true);
  // Every partial file counts, so that a broken one is reported once, not at each use.
  const partialNames = new Set(partialFiles.map((partial) => partial.name));
  const loader = new FolderLoader(env, options.defaultLanguage, partialNames);

  const templateFiles = folder.files.flatMap((file) => (file.role === 'template' ? [file] : []));
  for (const file of templateFiles.filter((file) => !file.name.html)) loader.addTemplate(file);
  for (const file of templateFiles.filter((file) => file.name.html)) loader.addHtmlVariant(file);

  const problems = [...folder.problems, ...text.problems, ...html.problems, ...loader.problems];
  return { ...loader.result(), partials: { text: text.partials, html: html.partials }, problems };
}

class FolderLoader {
  readonly problems: TemplateProblem[] = [];
  readonly #env: typeof Handlebars;
  readonly #defaultLanguage: string;
  readonly #partialNames: ReadonlySet<string>;
  readonly #templates = new Map<string, LoadedTemplate>();
  readonly #seenFiles = new Map<string, string>();
  readonly #broken = new Set<string>();

  constructor(env: typeof Handlebars, defaultLanguage: string, partialNames: ReadonlySet<string>) {
    this.#env = env;
    this.#defaultLanguage = defaultLanguage;
    this.#partialNames = partialNames;
  }

  addTemplate(source: TemplateSourceFile): void {
    const { file, trigger, accountId, name } = source;
    const ref = { trigger, kind: name.kind, channel: name.channel };
    const language = name.language ?? this.#defaultLanguage;
    const key = templateKey(ref, languageKey(language), accountId);
    if (this.#isDuplicate(key, file)) return;

    const before = this.problems.length;
    const front = this.#splitFrontMatter(source);
    const subjectField = front?.fields.get('subject');
    if (front) this.#checkFields(front, ref.channel, file);

    const subject = subjectField && this.#compile(file, subjectField.value, subjectField.line - 1);
    const body = front && this.#compile(file, front.body, front.bodyOffset);
    if (!body || this.problems.length > before) {
      this.#broken.add(key);
      return;
    }

    this.#templates.set(key, { ...ref, language, accountId, file, subject, body });
  }

  /** An HTML variant belongs to the text template of the same account, name and language. */
  addHtmlVariant(source: TemplateSourceFile): void {
    const { file, trigger, accountId, name } = source;
    const ref = { trigger, kind: name.kind, channel: name.channel };
    const key = templateKey(ref, languageKey(name.language ?? this.#defaultLanguage), accountId);

    if (ref.channel !== 'email') {
      this.problems.push({ file, message: 'only email templates have an HTML variant' });
      return;
    }
    if (this.#isDuplicate(`html\u0000${key}`, file)) return;

    const front = this.#splitFrontMatter(source);
    if (front && front.fields.size > 0) {
      const message = 'an HTML variant takes its subject from the text template beside it';
      this.problems.push({ file, line: 1, message });
      return;
    }

    const htmlBody = front && this.#compile(file, front.body, front.bodyOffset, true);
    const template = this.#templates.get(key);
    if (!template && !this.#broken.has(key)) {
      const textFile = `${name.kind}.email${name.language ? `.${name.language}` : ''}.hbs`;
      this.problems.push({ file, message: `an HTML variant needs ${textFile} beside it` });
    }
    if (template && htmlBody) template.htmlBody = htmlBody;
  }

  result(): Pick<LoadedFolder, 'templates' | 'listing' | 'broken'> {
    const listing: TemplateListing[] = [];
    for (const template of this.#templates.values()) {
      const { trigger, kind, channel, language, accountId } = template;
      const entry = { trigger, kind, channel, language, ...(accountId ? { accountId } : {}) };
      listing.push({ ...entry, file: template.file, html: false });
      if (template.htmlBody) listing.push({ ...entry, file: template.htmlBody.file, html: true });
    }

    listing.sort((a, b) => a.file.localeCompare(b.file));
    return { templates: this.#templates, listing, broken: this.#broken };
  }

  #isDuplicate(key: string, file: string): boolean {
    const earlier = this.#seenFiles.get(key);
    if (earlier === undefined) {
      this.#seenFiles.set(key, file);
      return false;
    }

    this.problems.push({ file, message: `is the same template as ${earlier}` });
    return true;
  }

  #splitFrontMatter(source: TemplateSourceFile): FrontMatter | undefined {
    try {
      return splitFrontMatter(source.source);
    } catch (error) {
      if (!(error instanceof FrontMatterError)) throw error;
      this.problems.push({ file: source.file, line: error.line, message: error.message });
      return undefined;
    }
  }

  #checkFields(front: FrontMatter, channel: string, file: string): void {
    const takesSubject = subjectChannels.has(channel);
    for (const [name, field] of front.fields) {
      if (name === 'subject' && takesSubject) continue;
      const message = takesSubject
        ? `"${name}" is not a front matter setting; the only one is "subject"`
        : `${channel} templates have no front matter; only email and efax have a subject`;
      this.problems.push({ file, line: field.line, message });
    }

    if (channel === 'email' && !front.fields.has('subject')) {
      const message = 'an email template starts with a front matter block that sets subject:';
      this.problems.push({ file, line: 1, message });
    }
  }

  #compile(file: string, source: string, lineOffset: number, escape = false) {
    const input = { file, source, lineOffset, escape };
    const compiled = compilePart(this.#env, input, this.#partialNames);
    this.problems.push(...compiled.problems);
    return compiled.part;
  }
}
