import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * API keys for partner systems: `spk_<keyId>_<secret>`. The key id finds the record; only the
 * sha256 of the 256-bit secret is stored, so a copy of the database gives no usable key.
 */
export interface NewApiKey {
  keyId: string;
  secret: string;
  token: string;
  secretHash: string;
}

const PATTERN = /^spk_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/;

export function generateApiKey(): NewApiKey {
  const keyId = randomBytes(8).toString('hex');
  const secret = randomBytes(32).toString('base64url');
  return { keyId, secret, token: `spk_${keyId}_${secret}`, secretHash: hashSecret(secret) };
}

export function parseApiKey(token: string): { keyId: string; secret: string } | undefined {
  const match = PATTERN.exec(token);
  return match ? { keyId: match[1]!, secret: match[2]! } : undefined;
}

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

export function secretMatches(secret: string, storedHash: string): boolean {
  const given = Buffer.from(hashSecret(secret), 'hex');
  const stored = Buffer.from(storedHash, 'hex');
  return given.length === stored.length && timingSafeEqual(given, stored);
}
