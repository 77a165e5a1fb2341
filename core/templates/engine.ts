import path from 'node:path';

import { HubError, StartupError } from '../errors.ts';
import { displayPath } from './catalog.ts';
import type { CompiledPart, PartialSet } from './compile.ts';
import { toRenderError } from './diagnose.ts';
import { formatProblem, ProblemList, TemplateRenderError } from './errors.ts';
import type { HelperFrame } from './helpers.ts';
import { languageKey, loadTemplateFolder, templateKey } from './load.ts';
import type { LoadedFolder, LoadedTemplate } from './load.ts';
import { finishSubject, finishText, textToHtml } from './text.ts';
import type {
  RenderedContent,
  RenderInput,
  RequiredTemplate,
  TemplateEngineOptions,
  TemplateListing,
  TemplateProblem,
  TemplateRef,
} from './types.ts';

/** The time zone a check renders in; any valid zone shows whether the helpers work. */
const checkTimeZone = 'UTC';

/**
 * Renders the Handlebars templates of a template folder. Every file is read and compiled once,
 * at load; rendering only runs compiled functions. Rendering is strict: a value the template
 * reads and the data lacks is an error naming the file, line and variable.
 */
export class TemplateEngine {
  readonly #options: TemplateEngineOptions;
  readonly #folder: LoadedFolder;
  /** The configured languages with the default among them. */
  readonly #languages: string[];

  private constructor(options: TemplateEngineOptions, folder: LoadedFolder) {
    this.#options = options;
    this.#folder = folder;
    this.#languages = [...new Set([options.defaultLanguage, ...options.languages])];
  }

  /** Loads the folder, or throws a `StartupError` listing every file that cannot be used. */
  static async load(options: TemplateEngineOptions): Promise<TemplateEngine> {
    const folder = await loadTemplateFolder(options);
    if (folder.problems.length > 0) {
      const message = `The templates in ${displayPath(options.dir)} have problems:`;
      throw new StartupError(message, folder.problems.map(formatProblem));
    }
    return new TemplateEngine(options, folder);
  }

  /**
   * Everything `load` and `check` would report, without throwing: for a command that checks
   * a template folder before it is deployed.
   */
  static async inspect(
    options: TemplateEngineOptions,
    required: RequiredTemplate[],
  ): Promise<TemplateProblem[]> {
    const folder = await loadTemplateFolder(options);
    const problems = new ProblemList();
    for (const problem of folder.problems) problems.add(problem);

    const engine = new TemplateEngine(options, folder);
    for (const problem of engine.check(required)) problems.add(problem);
    return problems.items;
  }

  /** Whether `render` would find a template, after the language and account fallbacks. */
  has(ref: TemplateRef, language = this.#options.defaultLanguage, accountId?: string): boolean {
    return this.#resolve(ref, language, accountId) !== undefined;
  }

  /**
   * Picks the template (the account's, then the hub's, in the requested language, its primary
   * subtag, then the default language) and renders it. Throws a `TemplateRenderError` when
   * the data does not fit, and a `HubError` `unknown_template` when there is no template.
   */
  render(input: RenderInput): RenderedContent {
    const template = this.#resolve(input, input.language, input.accountId);
    if (!template) {
      const message = `No ${input.kind} template for ${input.trigger} by ${input.channel}.`;
      throw new HubError('unknown_template', { message });
    }
    return this.#renderTemplate(template, input);
  }

  /**
   * Checks that every required template exists in the default language and renders, in
   * every configured language and for every account that overrides it, with sample data.
   */
  check(required: RequiredTemplate[]): TemplateProblem[] {
    const problems = new ProblemList();
    for (const ref of required) {
      this.#checkDefaultExists(ref, problems);

      for (const accountId of [undefined, ...this.#accountsOverriding(ref)]) {
        for (const language of this.#languages) {
          this.#checkRenders(ref, language, accountId, problems);
        }
      }
    }

    this.#checkLanguages(problems);
    return problems.items;
  }

  /** Every loaded template file, for listings and documentation. */
  listTemplates(): TemplateListing[] {
    return this.#folder.listing.map((listing) => ({ ...listing }));
  }

  #resolve(ref: TemplateRef, language: string, accountId?: string): LoadedTemplate | undefined {
    const { templates } = this.#folder;
    for (const candidate of this.#languageFallbacks(language)) {
      const own = accountId === undefined ? undefined : templateKey(ref, candidate, accountId);
      const found = (own && templates.get(own)) || templates.get(templateKey(ref, candidate));
      if (found) return found;
    }
    return undefined;
  }

  /**
   * `es-MX`, then `es`, then the default language. The language comes before the account: a
   * patient reads the hub's Spanish reminder better than the practice's English one.
   */
  #languageFallbacks(language: string): string[] {
    const exact = languageKey(language);
    const primary = exact.split('-')[0];
    return [...new Set([exact, primary, languageKey(this.#options.defaultLanguage)])];
  }

  #renderTemplate(template: LoadedTemplate, input: Omit<RenderInput, keyof TemplateRef>) {
    const frame: HelperFrame = {
      timeZone: input.timeZone,
      language: formattingLanguage(input.language, template.language),
    };
    const { text: textPartials, html: htmlPartials } = this.#folder.partials;
    const run = (part: CompiledPart, partials: PartialSet) => {
      try {
        return part.render(input.data, { data: frame, partials });
      } catch (error) {
        throw toRenderError(error, part);
      }
    };

    const subject = template.subject && finishSubject(run(template.subject, textPartials));
    const text = finishText(run(template.body, textPartials), template.channel);
    const { file: templateFile, language } = template;
    const content: RenderedContent = { text, templateFile, language };
    if (subject !== undefined) content.subject = subject;

    if (template.channel === 'email') {
      const { htmlBody } = template;
      content.html = htmlBody ? finishText(run(htmlBody, htmlPartials), 'email') : textToHtml(text);
    }
    return content;
  }

  #checkDefaultExists(ref: TemplateRef, problems: ProblemList): void {
    const key = templateKey(ref, languageKey(this.#options.defaultLanguage));
    if (this.#folder.templates.has(key) || this.#folder.broken.has(key)) return;

    const fileName = `${ref.kind}.${ref.channel}.hbs`;
    const file = displayPath(path.resolve(this.#options.dir, ref.trigger, fileName));
    problems.add({ file, message: 'missing; every language falls back to this file' });
  }

  #checkRenders(
    ref: RequiredTemplate,
    language: string,
    accountId: string | undefined,
    problems: ProblemList,
  ): void {
    const template = this.#resolve(ref, language, accountId);
    if (!template) return;

    try {
      this.#renderTemplate(template, { language, data: ref.sampleData, timeZone: checkTimeZone });
    } catch (error) {
      if (!(error instanceof TemplateRenderError)) throw error;
      problems.add({ file: error.file, line: error.line, message: error.reason });
    }
  }

  #accountsOverriding(ref: TemplateRef): Set<string> {
    const accounts = new Set<string>();
    for (const template of this.#folder.templates.values()) {
      const same = template.trigger === ref.trigger && template.kind === ref.kind;
      if (same && template.channel === ref.channel && template.accountId !== undefined) {
        accounts.add(template.accountId);
      }
    }
    return accounts;
  }

  /** A file in a language the hub does not serve is never used; most often a typo. */
  #checkLanguages(problems: ProblemList): void {
    const keys = new Set(this.#languages.map(languageKey));
    const list = this.#languages.join(', ');

    for (const { file, language } of this.#folder.listing) {
      if (keys.has(languageKey(language))) continue;
      problems.add({ file, message: `"${language}" is not a configured language (${list})` });
    }
  }
}

/**
 * Dates follow the template's language, so a Spanish text never shows an English weekday;
 * the requested tag is kept when it only refines it (`es-MX` for an `es` template).
 */
function formattingLanguage(requested: string, templateLanguage: string): string {
  const primary = (tag: string) => languageKey(tag).split('-')[0];
  return primary(requested) === primary(templateLanguage) ? requested : templateLanguage;
}
