import postgres from 'postgres';

/**
 * Opens a postgres.js pool on a PostgreSQL URL as libpq reads it, Unix sockets included:
 * `postgres://user@localhost/db?host=/var/run/postgresql` names the socket's directory, as
 * `psql` and pg-boss's driver take it. postgres.js would send `host` to the server as a
 * setting instead, and the server refuses it.
 */
export function openPostgres(url: string, options: postgres.Options<{}> = {}): postgres.Sql {
  const { url: rest, socketDirectory } = splitSocket(url);
  return postgres(rest, socketDirectory ? { ...options, host: socketDirectory } : options);
}

/**
 * The URL without a `host` query parameter that names a socket directory, and the directory.
 * Any other URL stays as it is, for postgres.js to read: it takes several hosts, which a URL
 * parser refuses.
 */
function splitSocket(url: string): { url: string; socketDirectory?: string } {
  if (!/[?&]host=(\/|%2F)/i.test(url)) return { url };

  const parsed = new URL(url);
  const host = parsed.searchParams.get('host');
  if (!host?.startsWith('/')) return { url };

  parsed.searchParams.delete('host');
  return { url: parsed.toString(), socketDirectory: host };
}
