/**
 * Several PostgreSQL servers in one connection string, as libpq takes them
 * (`postgres://user@node1:5432,node2:5432/db?target_session_attrs=read-write`): parsed here, where
 * the configuration checks DATABASE_URL; database/pg-hosts.ts opens connections to them.
 */

export interface PgHost {
  host: string;
  port: number;
}

export interface MultiHostUrl {
  hosts: PgHost[];
  /** libpq's `target_session_attrs`: `read-write` keeps only a server where `transaction_read_only` is off. */
  readWrite: boolean;
  /** The same string naming the first host only, without `target_session_attrs`: what node-postgres parses. */
  singleHostUrl: string;
}

const AUTHORITY = /^(postgres(?:ql)?:\/\/)([^/?#]*@)?([^/?#]*)(.*)$/;
const TARGET_SESSION_ATTRS = ['any', 'read-write', 'primary'];

/**
 * Splits a connection string's host list. Throws on a malformed list (the configuration check names
 * DATABASE_URL); a string with one host and no `target_session_attrs` comes back with `hosts.length === 1, readWrite: false`.
 */
export function parseMultiHostUrl(url: string): MultiHostUrl {
  const match = AUTHORITY.exec(url);
  if (!match) throw new Error('expected postgres://user@host:port[,host:port…]/database');
  const [, scheme, userInfo = '', hostList = '', rest = ''] = match;
  const hosts = hostList === '' ? [] : hostList.split(',').map(parseHost);
  // One host or none (a Unix socket in `?host=`, which WHATWG URLs refuse): node-postgres' own parsing.
  if (hosts.length <= 1 && !/[?&]target_session_attrs=/.test(rest)) return { hosts, readWrite: false, singleHostUrl: url };
  const parsed = new URL(`${scheme}${userInfo}${hostList === '' ? '' : formatHost(hosts[0]!)}${rest}`);
  const attrs = parsed.searchParams.get('target_session_attrs');
  if (attrs !== null && !TARGET_SESSION_ATTRS.includes(attrs)) {
    throw new Error(`target_session_attrs must be one of ${TARGET_SESSION_ATTRS.join(', ')}, got "${attrs}"`);
  }
  parsed.searchParams.delete('target_session_attrs');
  return { hosts, readWrite: attrs === 'read-write' || attrs === 'primary', singleHostUrl: parsed.toString() };
}

function parseHost(entry: string): PgHost {
  // [::1]:5432, host:5432, host
  const match = /^(\[[0-9a-fA-F:.]+\]|[^:[\]]+)(?::(\d{1,5}))?$/.exec(entry);
  if (!match) throw new Error(`"${entry}" is not host or host:port`);
  const port = match[2] === undefined ? 5432 : Number(match[2]);
  if (port < 1 || port > 65535) throw new Error(`"${entry}": port out of range`);
  return { host: match[1]!.replace(/^\[|\]$/g, ''), port };
}

export function formatHost({ host, port }: PgHost): string {
  return `${host.includes(':') ? `[${host}]` : host}:${port}`;
}
