import { randomBytes, randomUUID } from 'node:crypto';
import { DataKeyCache, KeyVaultInputError, normalizeSubjectId } from './key-vault.js';

describe('DataKeyCache', () => {
  let clock: number;
  const now = (): number => clock;

  beforeEach(() => {
    clock = 1_000;
  });

  it('hands out copies: zeroing what it returned does not corrupt the cache', () => {
    const cache = new DataKeyCache(10, 60_000, now);
    const key = randomBytes(32);
    cache.set('a', key, cache.generation);
    const first = cache.get('a')!;
    first.fill(0);
    key.fill(0);
    expect(cache.get('a')!.equals(Buffer.alloc(32))).toBe(false);
  });

  it('keeps at most maxEntries keys, evicting the least recently used', () => {
    const cache = new DataKeyCache(2, 60_000, now);
    const [a, b, c] = [randomBytes(32), randomBytes(32), randomBytes(32)];
    cache.set('a', a, cache.generation);
    cache.set('b', b, cache.generation);
    expect(cache.get('a')).toEqual(a); // a is now more recent than b
    cache.set('c', c, cache.generation);

    expect(cache.size).toBe(2);
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')).toEqual(a);
    expect(cache.get('c')).toEqual(c);
  });

  it('forgets a key after its time to live', () => {
    const cache = new DataKeyCache(10, 5_000, now);
    cache.set('a', randomBytes(32), cache.generation);
    clock += 4_999;
    expect(cache.get('a')).toBeDefined();
    clock += 1;
    expect(cache.get('a')).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('refuses a key fetched before an eviction (an erasure raced with the read)', () => {
    const cache = new DataKeyCache(10, 60_000, now);
    const before = cache.generation;
    cache.delete('a');
    cache.set('a', randomBytes(32), before);
    expect(cache.get('a')).toBeUndefined();

    const afterClear = cache.generation;
    cache.set('b', randomBytes(32), before);
    cache.set('c', randomBytes(32), afterClear);
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('c')).toBeDefined();
  });

  it('clears everything at once', () => {
    const cache = new DataKeyCache(10, 60_000, now);
    for (const id of ['a', 'b', 'c']) cache.set(id, randomBytes(32), cache.generation);
    cache.clear();
    expect(cache.size).toBe(0);
    expect(cache.get('a')).toBeUndefined();
  });

  it('caches nothing when its size is 0', () => {
    const cache = new DataKeyCache(0, 60_000, now);
    cache.set('a', randomBytes(32), cache.generation);
    expect(cache.get('a')).toBeUndefined();
  });

  it('refuses nonsensical bounds', () => {
    expect(() => new DataKeyCache(-1, 1)).toThrow(RangeError);
    expect(() => new DataKeyCache(1.5, 1)).toThrow(RangeError);
    expect(() => new DataKeyCache(1, Number.NaN)).toThrow(RangeError);
  });
});

describe('normalizeSubjectId', () => {
  it('gives the lower-case form PostgreSQL prints, since the id is authenticated', () => {
    const id = randomUUID();
    expect(normalizeSubjectId(id.toUpperCase())).toBe(id);
  });

  it.each(['', 'parcours-1', `${randomUUID()} `, `{${randomUUID()}}`, randomUUID().replace(/-/g, '')])('refuses %j', (value) => {
    expect(() => normalizeSubjectId(value)).toThrow(KeyVaultInputError);
  });
});
