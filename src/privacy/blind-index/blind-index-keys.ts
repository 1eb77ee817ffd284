import { type KeyObject, createHash, createHmac, createSecretKey, timingSafeEqual } from 'node:crypto';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { type MasterKey, MasterKeyError, loadKeyFile, parseKeyBytes } from '../crypto/master-key.js';

/**
 * The keys of the blind indexes (keyed HMAC-SHA256 of normalised identifiers). A key of its own,
 * never the master key: the master key protects the data keys, this one only makes identifiers
 * findable, and either can be rotated without the other. Without the key, a digest cannot be
 * tested against guesses (a NIR has few enough values for a plain hash to be reversed).
 */

export const BLIND_INDEX_KEY_VARIABLE = 'BLIND_INDEX_KEY';
export const BLIND_INDEX_PREVIOUS_KEY_VARIABLE = 'BLIND_INDEX_PREVIOUS_KEY';

export type BlindIndexKind = 'nir' | 'allocataire' | 'name_birth';

export class BlindIndexKey {
  /** First 8 bytes of sha256(key), hex: the `key_version` of the rows it computed (rotation). */
  readonly version: string;
  readonly #key: KeyObject;

  private constructor(bytes: Buffer) {
    this.version = createHash('sha256').update(bytes).digest('hex').slice(0, 16);
    this.#key = createSecretKey(bytes);
  }

  static fromBytes(bytes: Uint8Array): BlindIndexKey {
    if (bytes.length !== 32) throw new RangeError(`a blind-index key is 32 bytes, got ${bytes.length}`);
    return new BlindIndexKey(Buffer.from(bytes));
  }

  /** The digest of one normalised identifier; the kind is part of the input, so kinds never collide. */
  digest(kind: BlindIndexKind, normalised: string): Buffer {
    return createHmac('sha256', this.#key).update(`${kind}\u0000${normalised}`, 'utf8').digest();
  }

  toJSON(): string {
    return this.toString();
  }

  toString(): string {
    return `BlindIndexKey(${this.version})`;
  }

  [inspect.custom](): string {
    return this.toString();
  }
}

/** The key that writes, and during a rotation the previous one, whose rows are still read and kept unique. */
export class BlindIndexKeys {
  constructor(readonly current: BlindIndexKey, readonly previous?: BlindIndexKey) {}

  /** Every key in force: rows are written under each, so uniqueness holds across a rotation. */
  get all(): BlindIndexKey[] {
    return this.previous ? [this.current, this.previous] : [this.current];
  }
}

export function blindIndexKeyFile(dataDir: string): string {
  return join(dataDir, 'keys', 'blind-index.key');
}

export interface BlindIndexKeyOptions {
  /** BLIND_INDEX_KEY (base64 of 32 bytes); unset → DATA_DIR/keys/blind-index.key. */
  key?: string | undefined;
  /** BLIND_INDEX_PREVIOUS_KEY: set only while a rotation is under way (until `blind-index reindex` has run). */
  previousKey?: string | undefined;
  dataDir: string;
  /** The embedded default only, as for the master key: instances sharing a server must share the key. */
  generateIfMissing: boolean;
  /** Refused as a blind-index key: one secret must not serve two purposes. */
  masterKey: MasterKey;
}

export function loadBlindIndexKeys(options: BlindIndexKeyOptions): BlindIndexKeys {
  const file = blindIndexKeyFile(options.dataDir);
  const currentBytes = options.key?.trim()
    ? parseKeyBytes(options.key, BLIND_INDEX_KEY_VARIABLE)
    : loadKeyFile(file, {
        generateIfMissing: options.generateIfMissing,
        missing: () =>
          new MasterKeyError(
            BLIND_INDEX_KEY_VARIABLE,
            `is required with a PostgreSQL server (every instance must compute the same digests) and ${file} does not exist; generate one with: openssl rand -base64 32`,
          ),
      });
  const current = BlindIndexKey.fromBytes(currentBytes);
  const previous = options.previousKey?.trim() ? BlindIndexKey.fromBytes(parseKeyBytes(options.previousKey, BLIND_INDEX_PREVIOUS_KEY_VARIABLE)) : undefined;
  for (const [key, variable] of [[current, BLIND_INDEX_KEY_VARIABLE], [previous, BLIND_INDEX_PREVIOUS_KEY_VARIABLE]] as const) {
    if (key && sameId(key.version, options.masterKey.id)) throw new MasterKeyError(variable, 'must not be the master key (generate another one with: openssl rand -base64 32)');
  }
  if (previous && previous.version === current.version) throw new MasterKeyError(BLIND_INDEX_PREVIOUS_KEY_VARIABLE, `must differ from ${BLIND_INDEX_KEY_VARIABLE}`);
  return new BlindIndexKeys(current, previous);
}

function sameId(a: string, b: string): boolean {
  return a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));
}
