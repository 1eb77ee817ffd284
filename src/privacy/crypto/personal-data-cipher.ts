import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { KeyVault, normalizeSubjectId } from './key-vault.js';

/**
 * Encrypts a subject's personal data (DESIGN §8) under the subject's data key, so that it can sit
 * in events and read models yet disappear for good when the key is destroyed.
 */

/** What an event stores in place of a personal datum. */
export interface EncryptedValue {
  /** `v1.<iv, base64url>.<ciphertext ‖ tag, base64url>`: compact, JSON-safe, versioned. */
  readonly ciphertext: string;
}

/**
 * What `decrypt` returns once the subject's key was destroyed: reads show "identity erased"
 * instead of failing. One frozen instance, recognised by identity, so that a decrypted value that
 * happens to be `{ erased: true }` is never mistaken for it. Serialises as `{"erased":true}`.
 */
export class ErasedPersonalData {
  static readonly instance: ErasedPersonalData = Object.freeze(new ErasedPersonalData());
  readonly erased = true as const;

  private constructor() {}
}

export const ERASED: ErasedPersonalData = ErasedPersonalData.instance;

export function isErasedPersonalData(value: unknown): value is ErasedPersonalData {
  return value === ERASED;
}

export function isEncryptedValue(value: unknown): value is EncryptedValue {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { ciphertext?: unknown }).ciphertext === 'string' &&
    (value as { ciphertext: string }).ciphertext.startsWith(`${FORMAT_V1}.`)
  );
}

export type InvalidCiphertextReason = 'malformed' | 'unsupported_version' | 'authentication_failed';

/**
 * A ciphertext that cannot be trusted: not in the format, of an unknown version, or failing
 * authentication (altered, or encrypted for another subject). Never the sign of an erasure.
 */
export class InvalidCiphertextError extends Error {
  constructor(readonly subjectId: string, readonly reason: InvalidCiphertextReason, detail: string) {
    super(`personal data of subject ${subjectId} cannot be decrypted (${reason}): ${detail}`);
    this.name = 'InvalidCiphertextError';
  }
}

/**
 * A ciphertext whose subject has no key and was never erased: the key was lost (a database
 * restored without its keys, a wrong database), which must not pass for a lawful erasure.
 */
export class DataKeyMissingError extends Error {
  constructor(readonly subjectId: string) {
    super(`subject ${subjectId} has encrypted personal data but no data key, and no erasure is recorded for it`);
    this.name = 'DataKeyMissingError';
  }
}

const FORMAT_V1 = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;
const BASE64URL = /^[A-Za-z0-9_-]+$/;

@Injectable()
export class PersonalDataCipher {
  constructor(@Inject(KeyVault) private readonly vault: KeyVault) {}

  /**
   * Encrypts the JSON text of `value`, creating the subject's key on first use. Refused
   * (`SubjectErasedError`) once the subject was erased. Round trips as JSON does (a Date comes
   * back as its ISO string).
   */
  async encrypt(subjectId: string, value: unknown): Promise<EncryptedValue> {
    const id = normalizeSubjectId(subjectId);
    const plaintext = jsonOf(value);
    const key = await this.vault.createDataKey(id);
    try {
      return seal(id, key, plaintext);
    } finally {
      key.fill(0);
    }
  }

  /**
   * Encrypts under a data key the caller holds (one whose storage commits with the data it
   * encrypts, see `SqlKeyVault.dataKeyToCommit`). The caller keeps the key and zeroes it.
   */
  encryptWithKey(subjectId: string, key: Buffer, value: unknown): EncryptedValue {
    return seal(normalizeSubjectId(subjectId), key, jsonOf(value));
  }

  /**
   * The decrypted value, or `ERASED` when the subject's key was destroyed. Throws
   * `InvalidCiphertextError` for a malformed or altered ciphertext (checked before the key is
   * looked up: a broken value is a bug whatever the subject's state) and `DataKeyMissingError`
   * when the key is missing without an erasure.
   */
  async decrypt(subjectId: string, encrypted: EncryptedValue): Promise<unknown> {
    const id = normalizeSubjectId(subjectId);
    const { iv, sealed } = parse(id, encrypted);
    const key = await this.vault.getDataKey(id);
    if (key === undefined) {
      if (await this.vault.isErased(id)) return ERASED;
      throw new DataKeyMissingError(id);
    }
    let plaintext: string;
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
      decipher.setAAD(aad(FORMAT_V1, id));
      decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
      plaintext = Buffer.concat([decipher.update(sealed.subarray(0, sealed.length - TAG_BYTES)), decipher.final()]).toString('utf8');
    } catch {
      throw new InvalidCiphertextError(id, 'authentication_failed', 'it was altered or encrypted for another subject');
    } finally {
      key.fill(0);
    }
    try {
      return JSON.parse(plaintext) as unknown;
    } catch {
      // Authentic bytes that are not JSON were not written by encrypt.
      throw new InvalidCiphertextError(id, 'malformed', 'the plaintext is not JSON');
    }
  }
}

function seal(subjectId: string, key: Buffer, plaintext: string): EncryptedValue {
  // A random 96-bit IV is safe for far more than the 2^32 encryptions a single subject's key will ever see.
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(aad(FORMAT_V1, subjectId));
  const sealed = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]);
  return { ciphertext: `${FORMAT_V1}.${iv.toString('base64url')}.${sealed.toString('base64url')}` };
}

/** The format version and the subject are authenticated: neither can be changed without detection. */
function aad(format: string, subjectId: string): Buffer {
  return Buffer.from(`spie-parcours:personal-data:${format}:${subjectId}`, 'utf8');
}

function jsonOf(value: unknown): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (error) {
    // The value is personal data: the message must not quote it.
    throw new TypeError('personal data must be JSON-serialisable (no BigInt, no cycles)', { cause: error });
  }
  if (typeof text !== 'string') throw new TypeError('personal data must be JSON-serialisable (got undefined, a function or a symbol)');
  return text;
}

function parse(subjectId: string, encrypted: EncryptedValue): { iv: Buffer; sealed: Buffer } {
  const text: unknown = typeof encrypted === 'object' && encrypted !== null ? encrypted.ciphertext : undefined;
  if (typeof text !== 'string') throw new InvalidCiphertextError(subjectId, 'malformed', 'expected { ciphertext: string }');
  const parts = text.split('.');
  const [version, ivText, sealedText] = parts;
  if (version !== FORMAT_V1) {
    const known = version !== undefined && /^v\d+$/.test(version);
    throw new InvalidCiphertextError(subjectId, known ? 'unsupported_version' : 'malformed', known ? `version ${version}` : 'no version prefix');
  }
  if (parts.length !== 3 || ivText === undefined || sealedText === undefined || !BASE64URL.test(ivText) || !BASE64URL.test(sealedText)) {
    throw new InvalidCiphertextError(subjectId, 'malformed', `expected ${FORMAT_V1}.<iv>.<ciphertext> in base64url`);
  }
  const iv = Buffer.from(ivText, 'base64url');
  const sealed = Buffer.from(sealedText, 'base64url');
  if (iv.length !== IV_BYTES || iv.toString('base64url') !== ivText) {
    throw new InvalidCiphertextError(subjectId, 'malformed', `the iv must be ${IV_BYTES} bytes`);
  }
  if (sealed.length <= TAG_BYTES || sealed.toString('base64url') !== sealedText) {
    throw new InvalidCiphertextError(subjectId, 'malformed', 'the ciphertext is too short or not canonical base64url');
  }
  return { iv, sealed };
}
