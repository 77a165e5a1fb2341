export type Params = Record<string, string | string[]>;

export interface UploadedFile {
  field: string;
  filename: string;
  contentType: string;
  content: Uint8Array;
}

/** A provider request body in the shapes the handlers need, whatever its encoding. */
export interface ParsedBody {
  /** Form or multipart text fields; a repeated key becomes an array, as Twilio sends lists. */
  params: Params;
  json?: unknown;
  files: UploadedFile[];
  /** Set when the body could not be read as its content type claims. */
  error?: string;
}

export async function parseBody(request: Request): Promise<ParsedBody> {
  const type = request.headers.get('content-type') ?? '';
  if (request.method === 'GET' || request.method === 'HEAD') return { params: {}, files: [] };

  try {
    if (type.includes('application/x-www-form-urlencoded')) {
      // URLSearchParams reads both `+` and `%20` as a space, as Twilio's own parser does.
      return { params: collect(new URLSearchParams(await request.text())), files: [] };
    }
    if (type.includes('multipart/form-data')) return await parseMultipart(request);
    const text = await request.text();
    if (text === '') return { params: {}, files: [] };
    return { params: {}, json: JSON.parse(text), files: [] };
  } catch (error) {
    return { params: {}, files: [], error: (error as Error).message };
  }
}

async function parseMultipart(request: Request): Promise<ParsedBody> {
  const form = await request.formData();
  const files: UploadedFile[] = [];
  const fields: Array<[string, string]> = [];
  for (const [field, value] of form) {
    if (typeof value === 'string') {
      fields.push([field, value]);
      continue;
    }
    const content = new Uint8Array(await value.arrayBuffer());
    files.push({ field, filename: value.name, contentType: value.type, content });
  }
  return { params: collect(fields), files };
}

function collect(entries: Iterable<[string, string]>): Params {
  const params: Params = {};
  for (const [key, value] of entries) {
    const seen = params[key];
    if (seen === undefined) params[key] = value;
    else if (Array.isArray(seen)) seen.push(value);
    else params[key] = [seen, value];
  }
  return params;
}

/** The first value of a field, for fields that a provider reads as a single value. */
export function field(params: Params, name: string): string | undefined {
  const value = params[name];
  return Array.isArray(value) ? value[0] : value;
}

/** Every value of a field, for fields a provider accepts repeated (`MediaUrl`, `to[]`). */
export function fieldList(params: Params, ...names: string[]): string[] {
  return names.flatMap((name) => {
    const value = params[name];
    if (value === undefined) return [];
    return Array.isArray(value) ? value : [value];
  });
}
