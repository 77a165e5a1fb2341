import { isAlias, isMap, isScalar, isSeq, type Document, type Scalar } from 'yaml';
import type { ConfigPath } from './locate.ts';

export type Environment = Readonly<Record<string, string | undefined>>;

export interface InterpolationProblem {
  path: ConfigPath;
  node: Scalar;
  message: string;
}

// `$${` first, so an escaped reference is never read as one; then a closed `${...}`; then a
// `${` that never closes.
const reference = /\$\$\{|\$\{([^}]*)\}|\$\{/g;
const variable = /^([A-Za-z_][A-Za-z0-9_]*)(?::-(.*))?$/s;

/**
 * Replaces `${VAR}` and `${VAR:-default}` in every string value of the document, in place,
 * and returns what could not be replaced. Keys are left alone: a setting's name never comes
 * from the environment. As in a shell, `:-` also applies when the variable is set but empty.
 */
export function interpolateDocument(document: Document, env: Environment): InterpolationProblem[] {
  const problems: InterpolationProblem[] = [];

  visitStrings(document.contents, [], (node, path) => {
    const result = interpolate(node.value as string, env);
    node.value = result.value;
    problems.push(...result.problems.map((message) => ({ path, node, message })));
  });

  return problems;
}

/** Interpolates one string; each problem names the reference it could not replace. */
export function interpolate(text: string, env: Environment): { value: string; problems: string[] } {
  const problems: string[] = [];

  const value = text.replaceAll(reference, (match, inner: string | undefined) => {
    if (match === '$${') return '${';

    const replacement = inner === undefined ? undefined : resolveVariable(inner, env);
    if (typeof replacement === 'string') return replacement;

    problems.push(replacement?.problem ?? unclosedMessage);
    return match;
  });

  return { value, problems };
}

const unclosedMessage = 'A "${" is never closed by "}"; write "$${" for a literal "${"';

function resolveVariable(inner: string, env: Environment): string | { problem: string } {
  const parts = variable.exec(inner);
  if (!parts) {
    return { problem: `"\${${inner}}" is not a variable; expected \${NAME} or \${NAME:-default}` };
  }

  const [, name, fallback] = parts;
  const value = env[name];
  if (fallback !== undefined) return value ? value : fallback;
  if (value !== undefined) return value;

  return { problem: `Environment variable ${name} is not set` };
}

function visitStrings(
  node: unknown,
  path: PropertyKey[],
  visit: (node: Scalar, path: PropertyKey[]) => void,
): void {
  // An alias shares its anchor's node, which is interpolated where the anchor is written.
  if (isAlias(node)) return;

  if (isScalar(node) && typeof node.value === 'string' && node.value.includes('${')) {
    visit(node, path);
  } else if (isMap(node)) {
    for (const pair of node.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : '?';
      visitStrings(pair.value, [...path, key], visit);
    }
  } else if (isSeq(node)) {
    node.items.forEach((item, index) => visitStrings(item, [...path, index], visit));
  }
}
