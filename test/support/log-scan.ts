import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * What patient data looks like in a log line: a phone or fax number in E.164 form, or an
 * email address. Message text and names cannot be recognised by shape; the suites that send
 * known texts and names check for those themselves.
 */
const patientDataPatterns = [
  { kind: 'phone number', pattern: /\+\d{10,15}\b/ },
  { kind: 'email address', pattern: /[\w.+-]+@[\w-]+(\.[\w-]+)+/ },
];

/** Every hub log line written during the test run that shows patient data, described safely. */
export async function findPatientDataInLogs(folder: string): Promise<string[]> {
  const findings: string[] = [];
  for (const file of await readdir(folder)) {
    const lines = (await readFile(join(folder, file), 'utf8')).split('\n');
    lines.forEach((line, index) => {
      for (const kind of patientDataKinds(line)) {
        findings.push(`${file}:${index + 1} holds a ${kind}: ${shape(line)}`);
      }
    });
  }
  return findings;
}

/** The kinds of patient data (phone number, email address) that a log line shows. */
export function patientDataKinds(line: string): string[] {
  return patientDataPatterns.filter(({ pattern }) => pattern.test(line)).map(({ kind }) => kind);
}

/** The line's message and keys, without its values, to find the call site. */
export function shape(line: string): string {
  try {
    const entry = JSON.parse(line) as Record<string, unknown>;
    return `"${String(entry.msg)}" with keys ${Object.keys(entry).join(', ')}`;
  } catch {
    return 'a line that is not JSON';
  }
}
