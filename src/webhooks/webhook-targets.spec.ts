import type { LookupFunction } from 'node:net';
import { RefusedTargetError, guardedLookup, isPublicAddress, urlFault } from './webhook-targets.js';

describe('webhook targets', () => {
  const server = { allowHttp: false, allowPrivateTargets: false };
  const local = { allowHttp: true, allowPrivateTargets: true };

  it('takes public https URLs on a server deployment', () => {
    expect(urlFault('https://suivi.example.org/spie/hooks?x=1', server)).toBeUndefined();
    expect(urlFault('https://93.184.216.34/hooks', server)).toBeUndefined();
    expect(urlFault('https://[2606:4700::1111]/hooks', server)).toBeUndefined();
  });

  it('refuses http, credentials, fragments and non-URLs there', () => {
    expect(urlFault('http://suivi.example.org/hooks', server)).toBe('url must use https://');
    expect(urlFault('ftp://suivi.example.org/hooks', local)).toBe('url must use https:// or http://');
    expect(urlFault('https://user:pw@suivi.example.org/', server)).toMatch(/user name or password/);
    expect(urlFault('https://suivi.example.org/#x', server)).toMatch(/fragment/);
    expect(urlFault('suivi.example.org/hooks', server)).toBe('url must be an absolute URL');
    expect(urlFault(`https://suivi.example.org/${'a'.repeat(2000)}`, server)).toMatch(/at most 2000/);
  });

  it('refuses loopback, private, link-local and reserved targets unless configured', () => {
    for (const url of [
      'https://127.0.0.1/',
      'https://10.1.2.3/',
      'https://192.168.0.10/',
      'https://172.16.5.4/',
      'https://169.254.169.254/latest/meta-data',
      'https://[::1]/',
      'https://[fd00::1]/',
      'https://[::ffff:127.0.0.1]/',
      'https://0.0.0.0/',
      'https://localhost/',
      'https://api.localhost/',
      'https://intranet/',
    ]) {
      expect([url, urlFault(url, server)]).toEqual([url, expect.stringMatching(/loopback|public host/)]);
      expect(urlFault(url, local)).toBeUndefined();
    }
  });

  it('judges resolved addresses the same way', () => {
    expect(isPublicAddress('8.8.8.8')).toBe(true);
    expect(isPublicAddress('::ffff:10.0.0.1')).toBe(false);
    expect(isPublicAddress('100.64.0.1')).toBe(false);
    expect(isPublicAddress('not an address')).toBe(false);
  });

  it('refuses, at connection time, a name that resolves to a loopback address; lets it through when private targets are allowed', async () => {
    const resolve = (lookup: LookupFunction) =>
      new Promise<unknown>((done) => lookup('localhost', { all: true }, (error, address) => done(error ?? address)));
    expect(await resolve(guardedLookup(server)!)).toBeInstanceOf(RefusedTargetError);
    expect(guardedLookup(local)).toBeUndefined();
  });
});
