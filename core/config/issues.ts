import type { z } from 'zod';

// zod's own words, retold in terms an admin editing YAML recognises.
const yamlTypeNames: Record<string, string> = {
  object: 'map', array: 'list', record: 'map', int: 'whole number',
};

/** The message for one zod issue, quoting the value that was written where that helps. */
export function describeIssue(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      if (issue.input === undefined) return 'Required setting is missing';
      return `Expected ${yamlTypeNames[issue.expected] ?? issue.expected}, ` +
        `received ${describeValue(issue.input)}`;
    case 'invalid_value':
      return `Expected one of ${issue.values.map((value) => JSON.stringify(value)).join(', ')}, ` +
        `received ${describeValue(issue.input)}`;
    case 'unrecognized_keys':
      return 'Unknown setting';
    case 'invalid_key':
      return `Invalid name: ${issue.issues[0]?.message ?? issue.message}`;
    case 'too_small':
    case 'too_big':
      return typeof issue.input === 'number'
        ? `${issue.message}, received ${issue.input}`
        : issue.message;
    default:
      return issue.message;
  }
}

/** Whether the issue is about a setting's name (point at the key) or its value. */
export function issueAnchor(issue: z.core.$ZodIssue): 'key' | 'value' {
  return issue.code === 'unrecognized_keys' || issue.code === 'invalid_key' ? 'key' : 'value';
}

function describeValue(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  if (value === null) return 'nothing';
  if (typeof value === 'object') return 'a map';
  if (typeof value === 'string') return JSON.stringify(value);
  return String(value);
}
