import { parseMultiHostUrl } from './multi-host-url.js';

describe('parseMultiHostUrl (libpq multi-host connection strings)', () => {
  it('splits the host list, keeps the rest of the string for the first host, and drops target_session_attrs', () => {
    const url = parseMultiHostUrl('postgres://app:s3cret@node1:6010,node2:6011,[::1]/spie?target_session_attrs=read-write&sslmode=disable');
    expect(url.hosts).toEqual([
      { host: 'node1', port: 6010 },
      { host: 'node2', port: 6011 },
      { host: '::1', port: 5432 },
    ]);
    expect(url.readWrite).toBe(true);
    expect(url.singleHostUrl).toBe('postgres://app:s3cret@node1:6010/spie?sslmode=disable');
  });

  it('leaves a one-host string as it is (no target_session_attrs: any server)', () => {
    expect(parseMultiHostUrl('postgres://postgres@127.0.0.1:5432/test')).toEqual({
      hosts: [{ host: '127.0.0.1', port: 5432 }],
      readWrite: false,
      singleHostUrl: 'postgres://postgres@127.0.0.1:5432/test',
    });
    expect(parseMultiHostUrl('postgres://user@/db?host=/var/run/postgresql').hosts).toEqual([]);
  });

  it.each([
    ['postgres://u@h1:5432,h2:99999/db', 'port out of range'],
    ['postgres://u@h1:5432,:5433/db', 'is not host or host:port'],
    ['postgres://u@h1,h2/db?target_session_attrs=standby', 'target_session_attrs must be one of'],
    ['not a url', 'expected postgres://'],
    ['postgres://u@h1,h2:5432:1/db', 'is not host or host:port'],
  ])('refuses %s', (value, message) => {
    expect(() => parseMultiHostUrl(value)).toThrow(message);
  });
});
