import { randomBytes, randomUUID } from 'node:crypto';
import { Test } from '@nestjs/testing';
import fc from 'fast-check';
import { type ErasureOutcome, type ErasureRecord, KeyVault, KeyVaultInputError, type ReplayReport, SubjectErasedError, normalizeSubjectId } from './key-vault.js';
import {
  DataKeyMissingError,
  ERASED,
  type EncryptedValue,
  InvalidCiphertextError,
  PersonalDataCipher,
  isEncryptedValue,
  isErasedPersonalData,
} from './personal-data-cipher.js';

/** The KeyVault contract in memory; `sharedKey` gives every subject the same key, to isolate the AAD. */
class MemoryKeyVault extends KeyVault {
  readonly keys = new Map<string, Buffer>();
  readonly erasures = new Map<string, ErasureRecord>();

  constructor(private readonly sharedKey?: Buffer) {
    super();
  }

  override async createDataKey(subjectId: string): Promise<Buffer> {
    const id = normalizeSubjectId(subjectId);
    if (this.erasures.has(id)) throw new SubjectErasedError(id);
    if (!this.keys.has(id)) this.keys.set(id, this.sharedKey ?? randomBytes(32));
    return Buffer.from(this.keys.get(id)!);
  }

  override async getDataKey(subjectId: string): Promise<Buffer | undefined> {
    const key = this.keys.get(normalizeSubjectId(subjectId));
    return key && Buffer.from(key);
  }

  override async destroyDataKey(subjectId: string, legalGround: string): Promise<ErasureOutcome> {
    const id = normalizeSubjectId(subjectId);
    const keyDestroyed = this.keys.delete(id);
    const existing = this.erasures.get(id);
    const record = existing ?? { subjectId: id, erasedAt: new Date().toISOString(), legalGround };
    this.erasures.set(id, record);
    return { ...record, alreadyErased: existing !== undefined, keyDestroyed };
  }

  override async isErased(subjectId: string): Promise<boolean> {
    return this.erasures.has(normalizeSubjectId(subjectId));
  }

  override async listErasures(): Promise<ErasureRecord[]> {
    return [...this.erasures.values()];
  }

  override async replayErasures(): Promise<ReplayReport> {
    const keysDestroyed = [...this.erasures.keys()].filter((id) => this.keys.delete(id));
    return { imported: 0, ledgerEntries: this.erasures.size, keysDestroyed };
  }
}

const FORMAT = /^v1\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]+$/;

function alter(encrypted: EncryptedValue, segment: 1 | 2, at: number): EncryptedValue {
  const parts = encrypted.ciphertext.split('.');
  const bytes = Buffer.from(parts[segment]!, 'base64url');
  bytes[at < 0 ? bytes.length + at : at]! ^= 0x01;
  parts[segment] = bytes.toString('base64url');
  return { ciphertext: parts.join('.') };
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

describe('PersonalDataCipher', () => {
  let vault: MemoryKeyVault;
  let cipher: PersonalDataCipher;
  const subject = randomUUID();

  beforeEach(() => {
    vault = new MemoryKeyVault();
    cipher = new PersonalDataCipher(vault);
  });

  it('produces v1.<iv>.<ciphertext+tag> in base64url with a 12-byte iv, creating the key on first use', async () => {
    expect(await vault.getDataKey(subject)).toBeUndefined();
    const identity = { firstName: 'Camille', lastName: 'Martin', birthDate: '1990-04-12' };
    const encrypted = await cipher.encrypt(subject, identity);

    expect(Object.keys(encrypted)).toEqual(['ciphertext']);
    expect(encrypted.ciphertext).toMatch(FORMAT);
    const [, iv, sealed] = encrypted.ciphertext.split('.');
    expect(Buffer.from(iv!, 'base64url')).toHaveLength(12);
    expect(Buffer.from(sealed!, 'base64url')).toHaveLength(JSON.stringify(identity).length + 16);
    expect(encrypted.ciphertext).not.toContain('Camille');
    expect(isEncryptedValue(encrypted)).toBe(true);
    expect(vault.keys.size).toBe(1);
    expect(await cipher.decrypt(subject, encrypted)).toEqual(identity);
  });

  it('round-trips any JSON value', async () => {
    await fc.assert(
      fc.asyncProperty(fc.jsonValue(), async (value) => {
        const encrypted = await cipher.encrypt(subject, value);
        // JSON has no -0: it comes back as 0, like any JSON round trip.
        expect(await cipher.decrypt(subject, encrypted)).toEqual(JSON.parse(JSON.stringify(value)));
      }),
      { numRuns: 200 },
    );
  });

  it('uses a fresh iv every time, so equal values do not give equal ciphertexts', async () => {
    const texts = new Set<string>();
    for (let i = 0; i < 50; i += 1) texts.add((await cipher.encrypt(subject, 'same')).ciphertext);
    expect(texts.size).toBe(50);
  });

  it('accepts the subject id in any case: it is normalised before being authenticated', async () => {
    const encrypted = await cipher.encrypt(subject.toUpperCase(), 42);
    expect(await cipher.decrypt(subject, encrypted)).toBe(42);
  });

  it('binds the ciphertext to its subject: same key, other subject, no decryption', async () => {
    const shared = new PersonalDataCipher(new MemoryKeyVault(randomBytes(32)));
    const other = randomUUID();
    await shared.encrypt(other, 'creates the key of the other subject');
    const encrypted = await shared.encrypt(subject, { nir: '190041234567890' });

    const error = await rejection(shared.decrypt(other, encrypted));
    expect(error).toBeInstanceOf(InvalidCiphertextError);
    expect(error).toMatchObject({ reason: 'authentication_failed', subjectId: other });
    expect(await shared.decrypt(subject, encrypted)).toEqual({ nir: '190041234567890' });
  });

  it.each([
    ['the first ciphertext byte', 2, 0],
    ['the last ciphertext byte', 2, -17],
    ['the tag', 2, -1],
    ['the iv', 1, 5],
  ] as const)('detects an altered byte in %s', async (_where, segment, at) => {
    const encrypted = await cipher.encrypt(subject, { phone: '0601020304' });
    const error = await rejection(cipher.decrypt(subject, alter(encrypted, segment, at)));
    expect(error).toBeInstanceOf(InvalidCiphertextError);
    expect(error).toMatchObject({ reason: 'authentication_failed' });
    expect((error as Error).message).not.toContain('0601020304');
  });

  it('detects a truncated or extended ciphertext', async () => {
    const encrypted = await cipher.encrypt(subject, 'Rue des Lilas');
    const [version, iv, sealed] = encrypted.ciphertext.split('.');
    const bytes = Buffer.from(sealed!, 'base64url');
    for (const changed of [bytes.subarray(0, bytes.length - 1), Buffer.concat([bytes, Buffer.of(0)])]) {
      const error = await rejection(cipher.decrypt(subject, { ciphertext: `${version}.${iv}.${changed.toString('base64url')}` }));
      expect(error).toMatchObject({ name: 'InvalidCiphertextError', reason: 'authentication_failed' });
    }
  });

  it('refuses an unknown version, even when the rest is authentic', async () => {
    const encrypted = await cipher.encrypt(subject, 'x');
    const error = await rejection(cipher.decrypt(subject, { ciphertext: encrypted.ciphertext.replace(/^v1/, 'v2') }));
    expect(error).toBeInstanceOf(InvalidCiphertextError);
    expect(error).toMatchObject({ reason: 'unsupported_version' });
  });

  it.each([
    ['no version', 'AAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAAAA'],
    ['two segments', 'v1.AAAAAAAAAAAAAAAA'],
    ['four segments', 'v1.AAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAAAA.AA'],
    ['a short iv', 'v1.AAAAAAAA.AAAAAAAAAAAAAAAAAAAAAAAA'],
    ['no room for a tag', 'v1.AAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAA'],
    ['standard base64', 'v1.AAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAAA+'],
    ['padding', 'v1.AAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAA=='],
    ['an empty string', ''],
  ])('refuses a malformed ciphertext (%s) before looking for a key', async (_case, ciphertext) => {
    const error = await rejection(cipher.decrypt(randomUUID(), { ciphertext }));
    expect(error).toBeInstanceOf(InvalidCiphertextError);
    expect(error).toMatchObject({ reason: 'malformed' });
  });

  it('refuses something that is not an encrypted value', async () => {
    const notEncrypted = { nom: 'Martin' } as unknown as EncryptedValue;
    await expect(cipher.decrypt(subject, notEncrypted)).rejects.toMatchObject({ name: 'InvalidCiphertextError', reason: 'malformed' });
    expect(isEncryptedValue(notEncrypted)).toBe(false);
    expect(isEncryptedValue(null)).toBe(false);
    expect(isEncryptedValue({ ciphertext: 'Martin' })).toBe(false);
  });

  it('returns the erased marker once the key was destroyed, and refuses new data for the subject', async () => {
    const erased = randomUUID();
    const encrypted = await cipher.encrypt(erased, { email: 'c.martin@example.org' });
    await vault.destroyDataKey(erased, 'retention-R263-8');

    const result = await cipher.decrypt(erased, encrypted);
    expect(result).toBe(ERASED);
    expect(isErasedPersonalData(result)).toBe(true);
    expect(JSON.stringify(result)).toBe('{"erased":true}');
    await expect(cipher.encrypt(erased, 'new data')).rejects.toBeInstanceOf(SubjectErasedError);
  });

  it('does not mistake a decrypted { erased: true } for the marker', async () => {
    const decrypted = await cipher.decrypt(subject, await cipher.encrypt(subject, { erased: true }));
    expect(decrypted).toEqual({ erased: true });
    expect(isErasedPersonalData(decrypted)).toBe(false);
    expect(Object.isFrozen(ERASED)).toBe(true);
  });

  it('reports a key missing without an erasure as such, not as an erasure', async () => {
    const lost = randomUUID();
    const encrypted = await cipher.encrypt(lost, 'x');
    vault.keys.delete(lost);
    await expect(cipher.decrypt(lost, encrypted)).rejects.toBeInstanceOf(DataKeyMissingError);
  });

  it.each([
    ['undefined', undefined],
    ['a function', () => 1],
    ['a BigInt', { amount: 10n }],
  ])('refuses to encrypt %s, without quoting the value', async (_case, value) => {
    const error = await rejection(cipher.encrypt(subject, value));
    expect(error).toBeInstanceOf(TypeError);
    expect((error as Error).message).toContain('JSON-serialisable');
  });

  it('refuses a cyclic value without quoting it', async () => {
    const cyclic: Record<string, unknown> = { nir: '190041234567890' };
    cyclic.self = cyclic;
    const error = await rejection(cipher.encrypt(subject, cyclic));
    expect(error).toBeInstanceOf(TypeError);
    expect((error as Error).message).not.toContain('190041234567890');
  });

  it('is resolved by Nest with the KeyVault token', async () => {
    const moduleRef = await Test.createTestingModule({
      providers: [{ provide: KeyVault, useValue: vault }, PersonalDataCipher],
    }).compile();
    const injected = moduleRef.get(PersonalDataCipher);
    expect(await injected.decrypt(subject, await cipher.encrypt(subject, 'x'))).toBe('x');
    await moduleRef.close();
  });

  it('refuses a subject id that is not a uuid', async () => {
    await expect(cipher.encrypt('parcours-42', 'x')).rejects.toBeInstanceOf(KeyVaultInputError);
    await expect(cipher.decrypt('parcours-42', { ciphertext: 'v1.a.b' })).rejects.toBeInstanceOf(KeyVaultInputError);
  });
});
