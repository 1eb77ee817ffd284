import type { LookupFunction } from 'node:net';
import { lookup as dnsLookup } from 'node:dns';
import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';

/**
 * Where a webhook may be sent. A server deployment sends to `https://` URLs of public addresses
 * only: the service must not become a way to reach what sits beside it (its database, a metadata
 * endpoint, an internal API) on behalf of whoever registers an endpoint. The embedded (local)
 * mode, and tests, allow `http://` and loopback or private targets, by configuration.
 *
 * The URL is checked when registered; the addresses a name resolves to are checked at each
 * connection (`guardedLookup`), so a name that later resolves to a private address is refused too.
 */
export interface TargetPolicy {
  allowHttp: boolean;
  allowPrivateTargets: boolean;
}

export const MAX_URL_LENGTH = 2_000;

/** What is wrong with `text` as a webhook URL under `policy`, or undefined when it is acceptable. */
export function urlFault(text: string, policy: TargetPolicy): string | undefined {
  if (text.length > MAX_URL_LENGTH) return `url must be at most ${MAX_URL_LENGTH} characters`;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return 'url must be an absolute URL';
  }
  if (url.protocol !== 'https:' && !(policy.allowHttp && url.protocol === 'http:')) {
    return policy.allowHttp ? 'url must use https:// or http://' : 'url must use https://';
  }
  if (url.username !== '' || url.password !== '') return 'url must not carry a user name or password (the signature authenticates the service)';
  if (url.hash !== '') return 'url must not have a fragment';
  if (policy.allowPrivateTargets) return undefined;
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (isIP(host) !== 0) return isPublicAddress(host) ? undefined : 'url must not name a loopback, private, link-local or reserved address';
  if (host === 'localhost' || host.endsWith('.localhost') || !host.includes('.')) return 'url must name a public host';
  return undefined;
}

/** A globally routable unicast address (IPv4-mapped IPv6 judged as the IPv4 it maps). */
export function isPublicAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return false;
  return ipaddr.process(address).range() === 'unicast';
}

/** Raised by a connection to a refused address: its code is what the delivery status shows. */
export class RefusedTargetError extends Error {
  readonly code = 'address_refused';
  constructor() {
    super('the endpoint resolves to a loopback, private, link-local or reserved address');
    this.name = 'RefusedTargetError';
  }
}

/**
 * The resolver a delivery's connection uses: every address the name resolves to must be public
 * (unless the policy allows private targets), checked on the address actually connected to.
 */
export function guardedLookup(policy: TargetPolicy): LookupFunction | undefined {
  if (policy.allowPrivateTargets) return undefined;
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, '', 0);
      const list = addresses as unknown as Array<{ address: string; family: number }>;
      if (list.length === 0 || list.some((entry) => !isPublicAddress(entry.address))) return callback(new RefusedTargetError(), '', 0);
      if ((options as { all?: boolean }).all) return (callback as unknown as (e: null, a: typeof list) => void)(null, list);
      callback(null, list[0]!.address, list[0]!.family);
    });
  };
}
