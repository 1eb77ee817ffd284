import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../../config/app-config.js';
import { type CryptoKey, type JWK, SignJWT, calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK } from 'jose';

/**
 * The embedded default identity: an ES256 key pair kept in DATA_DIR/keys, so that the service runs
 * and is tested without an outside identity provider. Tokens it signs are ordinary OIDC-style JWTs,
 * verified by exactly the same code as ProConnect's.
 */
export interface LocalSigningKey {
  kid: string;
  privateKey: CryptoKey;
  publicJwk: JWK;
}

const FILE = 'token-signing-key.json';

export async function loadOrCreateSigningKey(dataDir: string): Promise<LocalSigningKey> {
  const dir = join(dataDir, 'keys');
  const file = join(dir, FILE);
  if (existsSync(file)) {
    // Whoever reads this file can sign a token for anybody: refused unless private, as the master key is.
    const mode = statSync(file).mode & 0o777;
    if (process.platform !== 'win32' && (mode & 0o077) !== 0) {
      throw new ConfigError(file, `is readable by other users (mode ${mode.toString(8)}): anyone who reads it can sign tokens; run: chmod 600 ${file}`);
    }
    const jwk = JSON.parse(readFileSync(file, 'utf8')) as JWK & { kid: string };
    return fromPrivateJwk(jwk);
  }
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const { privateKey } = await generateKeyPair('ES256', { extractable: true });
  const jwk = await exportJWK(privateKey);
  const kid = await calculateJwkThumbprint(jwk);
  // 'wx': two instances starting together must not overwrite each other's key.
  try {
    writeFileSync(file, JSON.stringify({ ...jwk, kid, alg: 'ES256', use: 'sig' }), { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  chmodSync(file, 0o600);
  return loadOrCreateSigningKey(dataDir);
}

async function fromPrivateJwk(jwk: JWK & { kid: string }): Promise<LocalSigningKey> {
  const privateKey = (await importJWK(jwk, 'ES256')) as CryptoKey;
  const { d: _private, ...publicJwk } = jwk;
  return { kid: jwk.kid, privateKey, publicJwk: { ...publicJwk, alg: 'ES256', use: 'sig' } };
}

export interface MintOptions {
  subject: string;
  issuer: string;
  audience: string;
  /** Lifetime in seconds (default 8 hours, a working day). */
  ttlSeconds?: number;
  /** For tests: another issue time. */
  issuedAt?: number;
}

export async function mintToken(key: LocalSigningKey, options: MintOptions): Promise<string> {
  const issuedAt = options.issuedAt ?? Math.floor(Date.now() / 1000);
  return new SignJWT({})
    .setProtectedHeader({ alg: 'ES256', kid: key.kid, typ: 'JWT' })
    .setIssuer(options.issuer)
    .setAudience(options.audience)
    .setSubject(options.subject)
    .setIssuedAt(issuedAt)
    .setExpirationTime(issuedAt + (options.ttlSeconds ?? 8 * 3600))
    .sign(key.privateKey);
}
