/**
 * Replies find their account through the reply-to address: `reply+<accountId>@<domain>`.
 * Everything after the first `+` of the local part is the account id, so ids may hold a `+`.
 */
const prefix = 'reply+';

// Characters an unquoted local part may hold (RFC 5322 dot-atom), and its longest length.
const dotAtom = /^[A-Za-z0-9!#$%&'*+=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+=?^_`{|}~-]+)*$/;
const maxLocalPart = 64;

/** The account's reply-to address, or undefined when its id cannot be written into one. */
export function replyAddress(accountId: string, domain: string): string | undefined {
  const local = prefix + accountId;
  if (local.length > maxLocalPart || !dotAtom.test(accountId)) return undefined;
  return `${local}@${domain}`;
}

/** The account named by the first reply-to address of ours among `addresses`. */
export function accountFromReply(
  addresses: readonly string[],
  domain: string,
): { accountId: string; address: string } | undefined {
  const suffix = `@${domain.toLowerCase()}`;
  for (const address of addresses) {
    const lower = address.toLowerCase();
    if (!lower.startsWith(prefix) || !lower.endsWith(suffix)) continue;

    const accountId = address.slice(prefix.length, address.length - suffix.length);
    if (accountId && dotAtom.test(accountId)) return { accountId, address };
  }
  return undefined;
}

/**
 * The bare addresses in a header value such as `"Doe, Pat" <pat@example.org>, b@example.org`.
 * Display names may hold commas, quotes and even addresses, so angle-bracketed addresses are
 * taken first, then bare ones from what is left once names and brackets are removed.
 */
export function headerAddresses(value: string): string[] {
  const angled = [...value.matchAll(/<([^<>\s]+@[^<>\s]+)>/g)].map((match) => match[1]);
  const rest = value.replace(/"(?:[^"\\]|\\.)*"/g, ' ').replace(/<[^<>]*>/g, ' ');
  const bare = [...rest.matchAll(/[^\s<>,;:"()]+@[^\s<>,;:"()]+/g)].map((match) => match[0]);
  return [...angled, ...bare];
}
