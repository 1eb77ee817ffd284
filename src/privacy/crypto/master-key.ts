import { type KeyObject, createCipheriv, createDecipheriv, createHash, createSecretKey, randomBytes } from 'node:crypto';
import { chmodSync, closeSync, fsyncSync, linkSync, mkdirSync, openSync, readFileSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { ConfigError } from '../../config/app-config.js';

/**
 * The master key wraps the per-subject data keys (DESIGN §8). It never enters the database, so a
 * copy of the database alone reveals no data key; losing it makes every personal datum unreadable.
 */

/** AES-256: 32 bytes. */
export const MASTER_KEY_BYTES = 32;
/** The configuration variable the lead wires to `loadMasterKey({ masterKey })`, named in errors. */
export const MASTER_KEY_VARIABLE = 'MASTER_KEY';

/** Format byte of a wrapped key: lets a future format coexist with rows already written. */
const WRAP_FORMAT_V1 = 0x01;
const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * A master key that is missing, malformed or stored unsafely. A `ConfigError`, so that boot stops
 * with a message naming where the key came from. Messages never contain the key itself.
 */
export class MasterKeyError extends ConfigError {
  constructor(source: string, problem: string) {
    super(source, problem);
    this.name = 'MasterKeyError';
  }
}

export class MasterKey {
  /** First 8 bytes of sha256(key), hex: names the key in `personal_data_keys.master_key_id` (rotation). */
  readonly id: string;
  // A KeyObject keeps the material out of ordinary Buffers, and the private field out of logs,
  // JSON and inspection: nothing but wrap/unwrap can reach it.
  readonly #key: KeyObject;

  private constructor(bytes: Buffer) {
    this.id = masterKeyId(bytes);
    this.#key = createSecretKey(bytes);
  }

  static fromBytes(bytes: Uint8Array): MasterKey {
    if (bytes.length !== MASTER_KEY_BYTES) throw new RangeError(`a master key is ${MASTER_KEY_BYTES} bytes, got ${bytes.length}`);
    return new MasterKey(Buffer.from(bytes));
  }

  static generate(): MasterKey {
    return new MasterKey(randomBytes(MASTER_KEY_BYTES));
  }

  /**
   * AES-256-GCM: `format byte ‖ iv (12) ‖ ciphertext ‖ tag (16)`. `context` (the subject id, for a
   * data key) is authenticated with the format byte, so a wrapped key only unwraps for its subject.
   */
  wrap(plaintext: Uint8Array, context: Uint8Array): Buffer {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.#key, iv);
    cipher.setAAD(wrapAad(WRAP_FORMAT_V1, context));
    const sealed = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    return Buffer.concat([Buffer.of(WRAP_FORMAT_V1), iv, sealed, cipher.getAuthTag()]);
  }

  /**
   * The plaintext, or `undefined` when the wrapped bytes do not authenticate under this key and
   * context (altered, moved to another subject, or wrapped by another master key): the caller
   * knows which record it was and raises the meaningful error.
   */
  unwrap(wrapped: Uint8Array, context: Uint8Array): Buffer | undefined {
    const bytes = Buffer.from(wrapped.buffer, wrapped.byteOffset, wrapped.byteLength);
    if (bytes.length < 1 + IV_BYTES + TAG_BYTES || bytes[0] !== WRAP_FORMAT_V1) return undefined;
    const iv = bytes.subarray(1, 1 + IV_BYTES);
    const sealed = bytes.subarray(1 + IV_BYTES, bytes.length - TAG_BYTES);
    const tag = bytes.subarray(bytes.length - TAG_BYTES);
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.#key, iv, { authTagLength: TAG_BYTES });
      decipher.setAAD(wrapAad(WRAP_FORMAT_V1, context));
      decipher.setAuthTag(tag);
      return Buffer.concat([decipher.update(sealed), decipher.final()]);
    } catch {
      return undefined;
    }
  }

  toJSON(): string {
    return this.toString();
  }

  toString(): string {
    return `MasterKey(${this.id})`;
  }

  [inspect.custom](): string {
    return this.toString();
  }
}

function wrapAad(format: number, context: Uint8Array): Buffer {
  return Buffer.concat([Buffer.of(format), context]);
}

/** Kept reproducible by operators: `base64 -d master.key | sha256sum | cut -c1-16`. */
function masterKeyId(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex').slice(0, 16);
}

/**
 * Parses a base64 (standard or url-safe, padded or not) 32-byte key. Strict: Node's decoder skips
 * characters it does not know, which would silently turn a typo into another key.
 */
export function parseMasterKey(text: string, source: string = MASTER_KEY_VARIABLE): MasterKey {
  return MasterKey.fromBytes(parseKeyBytes(text, source));
}

/** The 32 bytes of a base64 key (see parseMasterKey), errors naming `source`. */
export function parseKeyBytes(text: string, source: string): Buffer {
  const value = text.trim();
  if (value === '') throw new MasterKeyError(source, 'is empty (expected 32 bytes in base64; generate one with: openssl rand -base64 32)');
  const unpadded = value.replace(/=+$/, '');
  const padding = value.length - unpadded.length;
  const wellFormed = /^[A-Za-z0-9+/]+$/.test(unpadded) || /^[A-Za-z0-9_-]+$/.test(unpadded);
  // Padding, when present, must complete the last 4-character group; a single leftover character never encodes a byte.
  const paddingFits = padding === 0 || (padding <= 2 && value.length % 4 === 0);
  const canonical = unpadded.replace(/-/g, '+').replace(/_/g, '/');
  const bytes = Buffer.from(canonical, 'base64');
  if (!wellFormed || !paddingFits || unpadded.length % 4 === 1 || bytes.toString('base64').replace(/=+$/, '') !== canonical) {
    throw new MasterKeyError(source, 'is not valid base64 (expected 32 bytes in base64; generate one with: openssl rand -base64 32)');
  }
  if (bytes.length !== MASTER_KEY_BYTES) {
    const hint = /^[0-9a-f]{64}$/i.test(value) ? ' (this looks like hex: give the same bytes in base64)' : '';
    throw new MasterKeyError(source, `must decode to ${MASTER_KEY_BYTES} bytes, got ${bytes.length}${hint}; generate one with: openssl rand -base64 32`);
  }
  return bytes;
}

export interface MasterKeyOptions {
  /**
   * The configured key: base64 (32 bytes), or already parsed (so that the frozen configuration
   * never holds the secret as text); when set, nothing is read from or written to disk.
   */
  masterKey?: string | MasterKey | undefined;
  /** The service's data directory: the key file is `<dataDir>/keys/master.key`. */
  dataDir: string;
  /**
   * Whether a missing key file may be created. True only for the embedded default (a single
   * instance on PGlite): instances sharing a PostgreSQL server must share one master key, and a
   * key generated on each of them would wrap data keys the others cannot read.
   */
  generateIfMissing: boolean;
}

export function masterKeyFile(dataDir: string): string {
  return join(dataDir, 'keys', 'master.key');
}

/**
 * The configured key if any, else the key file (created on first use when allowed, then reused).
 * Synchronous: it runs once at boot, before anything could use a key.
 */
export function loadMasterKey(options: MasterKeyOptions): MasterKey {
  if (options.masterKey instanceof MasterKey) return options.masterKey;
  if (options.masterKey !== undefined && options.masterKey.trim() !== '') return parseMasterKey(options.masterKey, MASTER_KEY_VARIABLE);
  const file = masterKeyFile(options.dataDir);
  const bytes = loadKeyFile(file, {
    generateIfMissing: options.generateIfMissing,
    missing: () =>
      new MasterKeyError(
        MASTER_KEY_VARIABLE,
        `is required with a PostgreSQL server (every instance must share one master key) and ${file} does not exist; generate one with: openssl rand -base64 32`,
      ),
  });
  return MasterKey.fromBytes(bytes);
}

/**
 * A 32-byte secret kept in a private file of `DATA_DIR/keys` (the master key, the blind-index key):
 * read and checked (mode 600, base64 of 32 bytes), or created when allowed and missing.
 */
export function loadKeyFile(file: string, options: { generateIfMissing: boolean; missing: () => Error }): Buffer {
  const existing = readKeyFile(file);
  if (existing) return existing;
  if (!options.generateIfMissing) throw options.missing();
  return createKeyFile(file) ?? readKeyFile(file) ?? unreachable(file);
}

function readKeyFile(file: string): Buffer | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if (isErrno(error, 'ENOENT')) return undefined;
    throw error;
  }
  // Like ssh with private keys: a key others can read is refused rather than trusted. Windows
  // has no such mode bits.
  const mode = statSync(file).mode & 0o777;
  if (process.platform !== 'win32' && (mode & 0o077) !== 0) {
    throw new MasterKeyError(file, `is readable by other users (mode ${mode.toString(8)}); run: chmod 600 ${file}`);
  }
  return parseKeyBytes(text, file);
}

/**
 * Writes a fresh key to a private temporary file, flushes it, then links it into place: `link`
 * fails if the file appeared meanwhile, so two processes starting together agree on one key, and
 * nobody ever reads a half-written file. Returns `undefined` when another process won.
 */
function createKeyFile(file: string): Buffer | undefined {
  const dir = join(file, '..');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  // mkdir leaves an existing directory as it was and its mode is subject to the umask.
  chmodSync(dir, 0o700);
  const bytes = randomBytes(MASTER_KEY_BYTES);
  const temporary = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const fd = openSync(temporary, 'wx', 0o600);
  try {
    writeSync(fd, `${bytes.toString('base64')}\n`);
    // The key must be on disk before any data key wrapped with it is committed to the database:
    // a key lost in a crash would make that personal data unreadable.
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    chmodSync(temporary, 0o600);
    linkSync(temporary, file);
  } catch (error) {
    if (isErrno(error, 'EEXIST')) return undefined;
    throw error;
  } finally {
    unlinkSync(temporary);
  }
  syncDirectory(dir);
  return bytes;
}

function syncDirectory(dir: string): void {
  // Makes the new directory entry durable; not supported on every platform (Windows), where the
  // file's own fsync is the best available.
  try {
    const fd = openSync(dir, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // best effort, see above
  }
}

// Structural, not `instanceof Error`: errors raised by Node's own modules may come from another realm (Jest's vm contexts).
function isErrno(error: unknown, code: string): boolean {
  return typeof error === 'object' && error !== null && (error as NodeJS.ErrnoException).code === code;
}

function unreachable(file: string): never {
  throw new MasterKeyError(file, 'could be neither created nor read');
}
