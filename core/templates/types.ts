/** Which template a message uses: `appointment` / `reminder` / `sms`. */
export interface TemplateRef {
  trigger: string;
  kind: string;
  channel: string;
}

export interface RenderInput extends TemplateRef {
  /** The recipient's language (BCP 47). Falls back to its primary subtag, then the default. */
  language: string;
  /** Picks the account's own templates before the hub's defaults. */
  accountId?: string;
  /** The template context. Never compiled: a value holding `{{x}}` is printed as it is. */
  data: Record<string, unknown>;
  /** The recipient's IANA time zone, used by the date and time helpers. */
  timeZone: string;
}

export interface RenderedContent {
  /** Email and efax only, from the front matter; always a single line. */
  subject?: string;
  text: string;
  /** Email only: the `.email.html.hbs` variant, or the text turned into paragraphs. */
  html?: string;
  templateFile: string;
  /** The language of the template used, which differs from the request after a fallback. */
  language: string;
}

export interface TemplateEngineOptions {
  /** The template folder: `<trigger>/`, `partials/` and `accounts/<accountId>/<trigger>/`. */
  dir: string;
  /** The language of the files without a language suffix (`reminder.sms.hbs`). */
  defaultLanguage: string;
  /** Every language the hub serves; `check` renders each of them. */
  languages: string[];
}

export interface RequiredTemplate extends TemplateRef {
  /** Data shaped like what the trigger passes, used to render the template during a check. */
  sampleData: Record<string, unknown>;
}

export interface TemplateProblem {
  file?: string;
  line?: number;
  message: string;
}

/** One loaded template file, as `listTemplates` reports it. */
export interface TemplateListing extends TemplateRef {
  language: string;
  file: string;
  accountId?: string;
  /** True for an email's `.email.html.hbs` variant. */
  html: boolean;
}
