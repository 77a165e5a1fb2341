/** A setting from the front matter, with the file line it sits on. */
export interface FrontMatterField {
  value: string;
  line: number;
}

export interface FrontMatter {
  fields: Map<string, FrontMatterField>;
  body: string;
  /** How many file lines precede the body, to turn body line numbers into file lines. */
  bodyOffset: number;
}

export class FrontMatterError extends Error {
  readonly line: number;

  constructor(message: string, line: number) {
    super(message);
    this.name = 'FrontMatterError';
    this.line = line;
  }
}

const fence = '---';
const fieldLine = /^([A-Za-z][\w-]*):(.*)$/;

/**
 * Splits a leading `---` block of `key: value` lines from the body. Values are read as plain
 * text, not YAML, because a subject such as `{{practice.name}} reminder` would be a YAML flow
 * mapping; a value wrapped in matching quotes loses them.
 */
export function splitFrontMatter(source: string): FrontMatter {
  const lines = source.split('\n');
  if (lines[0]?.trimEnd() !== fence) {
    return { fields: new Map(), body: source, bodyOffset: 0 };
  }

  const end = lines.findIndex((line, index) => index > 0 && line.trimEnd() === fence);
  if (end < 0) throw new FrontMatterError('the front matter has no closing ---', 1);

  const fields = new Map<string, FrontMatterField>();
  for (let index = 1; index < end; index++) {
    const text = lines[index].trim();
    if (text === '' || text.startsWith('#')) continue;

    const line = index + 1;
    const match = fieldLine.exec(text);
    if (!match) throw new FrontMatterError('front matter lines are "name: value"', line);
    if (fields.has(match[1])) throw new FrontMatterError(`"${match[1]}" is set twice`, line);
    fields.set(match[1], { value: unquote(match[2].trim()), line });
  }

  const body = lines.slice(end + 1).join('\n');
  return { fields, body, bodyOffset: end + 1 };
}

function unquote(value: string): string {
  const quote = value[0];
  const quoted = value.length >= 2 && (quote === '"' || quote === "'") && value.endsWith(quote);
  return quoted ? value.slice(1, -1) : value;
}
