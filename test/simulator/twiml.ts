// Just enough TwiML reading for a simulator: the hub's documents are flat and machine-written,
// so a few patterns find the verbs a simulated phone acts on without an XML parser.

const entities: Record<string, string> = {
  '&amp;': '&',
  '&lt;': '<',
  '&gt;': '>',
  '&quot;': '"',
  '&apos;': "'",
};

function unescapeXml(text: string): string {
  return text.replace(/&(amp|lt|gt|quot|apos);/g, (entity) => entities[entity] ?? entity);
}

function attributes(tag: string): Record<string, string> {
  const found: Record<string, string> = {};
  for (const match of tag.matchAll(/([A-Za-z]+)="([^"]*)"/g)) {
    found[match[1]] = unescapeXml(match[2]);
  }
  return found;
}

/** The texts of the `<Message>` replies in a messaging response. */
export function messageBodies(twiml: string): string[] {
  const bodies: string[] = [];
  for (const match of twiml.matchAll(/<Message(?:\s[^>]*)?>([\s\S]*?)<\/Message>/g)) {
    const inner = match[1];
    const body = /<Body>([\s\S]*?)<\/Body>/.exec(inner)?.[1] ?? inner.replace(/<[^>]+>/g, '');
    bodies.push(unescapeXml(body));
  }
  return bodies;
}

/** The texts a voice document would say, in order. */
export function spokenTexts(twiml: string): string[] {
  const texts = twiml.matchAll(/<Say(?:\s[^>]*)?>([\s\S]*?)<\/Say>/g);
  return [...texts].map((match) => unescapeXml(match[1]));
}

export interface GatherVerb {
  action?: string;
  method: string;
  numDigits?: number;
}

/** The first `<Gather>` of a voice document, which is where the simulated caller presses keys. */
export function findGather(twiml: string): GatherVerb | undefined {
  const tag = /<Gather(\s[^>]*)?\/?>/.exec(twiml);
  if (!tag) return undefined;

  const attrs = attributes(tag[1] ?? '');
  const numDigits = attrs.numDigits === undefined ? undefined : Number(attrs.numDigits);
  return { action: attrs.action, method: attrs.method ?? 'POST', numDigits };
}

/** The target of a `<Redirect>`, which Twilio fetches instead of ending the call. */
export function findRedirect(twiml: string): { url: string; method: string } | undefined {
  const match = /<Redirect(\s[^>]*)?>([\s\S]*?)<\/Redirect>/.exec(twiml);
  if (!match) return undefined;
  return { url: unescapeXml(match[2].trim()), method: attributes(match[1] ?? '').method ?? 'POST' };
}
