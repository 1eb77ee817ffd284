import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { ConfigError } from '../../config/app-config.js';
import { MasterKey, MasterKeyError, loadMasterKey, masterKeyFile, parseMasterKey } from './master-key.js';

const context = Buffer.from('subject-a');

describe('parseMasterKey', () => {
  const bytes = randomBytes(32);

  it('accepts 32 bytes in standard or url-safe base64, padded or not, with surrounding whitespace', () => {
    const expected = MasterKey.fromBytes(bytes).id;
    const standard = bytes.toString('base64');
    const urlSafe = bytes.toString('base64url');
    for (const text of [standard, standard.replace(/=+$/, ''), urlSafe, `${urlSafe}=`, `  ${standard}\n`]) {
      expect(parseMasterKey(text).id).toBe(expected);
    }
  });

  it('names the key by the first 8 bytes of its sha256, in hex', () => {
    const key = parseMasterKey(bytes.toString('base64'));
    expect(key.id).toBe(createHash('sha256').update(bytes).digest('hex').slice(0, 16));
    expect(key.id).toMatch(/^[0-9a-f]{16}$/);
    expect(parseMasterKey(randomBytes(32).toString('base64')).id).not.toBe(key.id);
  });

  it.each([
    ['16 bytes', randomBytes(16).toString('base64'), 'MASTER_KEY must decode to 32 bytes, got 16'],
    ['33 bytes', randomBytes(33).toString('base64'), 'MASTER_KEY must decode to 32 bytes, got 33'],
    ['hex of 32 bytes', randomBytes(32).toString('hex'), 'this looks like hex'],
    ['a character outside base64', `${randomBytes(32).toString('base64').slice(0, 40)}!${'A'.repeat(3)}`, 'MASTER_KEY is not valid base64'],
    ['a space inside', `${randomBytes(32).toString('base64').slice(0, 20)} ${randomBytes(32).toString('base64').slice(21)}`, 'is not valid base64'],
    ['mixed alphabets', `${'A'.repeat(20)}+_${'A'.repeat(21)}`, 'is not valid base64'],
    ['padding in the middle', `AAAA=AAA${'A'.repeat(36)}`, 'is not valid base64'],
    ['a dangling character', `${'A'.repeat(44)}B`, 'is not valid base64'],
    ['non-zero trailing bits', `${'A'.repeat(42)}B=`, 'is not valid base64'],
    ['nothing', '   ', 'MASTER_KEY is empty'],
  ])('refuses %s with a message naming the variable', (_case, text, message) => {
    expect(() => parseMasterKey(text)).toThrow(MasterKeyError);
    expect(() => parseMasterKey(text)).toThrow(message);
    expect(() => parseMasterKey(text)).toThrow(ConfigError);
  });

  it('never repeats the key in its errors', () => {
    const secret = randomBytes(31).toString('base64');
    let message = '';
    try {
      parseMasterKey(secret);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain('got 31');
    expect(message).not.toContain(secret);
  });
});

describe('MasterKey', () => {
  it('wraps and unwraps under the same context only', () => {
    const key = MasterKey.generate();
    const plaintext = randomBytes(32);
    const wrapped = key.wrap(plaintext, context);
    expect(wrapped).toHaveLength(1 + 12 + 32 + 16);
    expect(wrapped.includes(plaintext)).toBe(false);
    expect(key.unwrap(wrapped, context)).toEqual(plaintext);
    expect(key.unwrap(wrapped, Buffer.from('subject-b'))).toBeUndefined();
    expect(MasterKey.generate().unwrap(wrapped, context)).toBeUndefined();
  });

  it('uses a fresh iv for every wrap', () => {
    const key = MasterKey.generate();
    const plaintext = randomBytes(32);
    expect(key.wrap(plaintext, context)).not.toEqual(key.wrap(plaintext, context));
  });

  it('detects any altered byte and unknown formats', () => {
    const key = MasterKey.generate();
    const wrapped = key.wrap(randomBytes(32), context);
    for (let index = 0; index < wrapped.length; index += 1) {
      const altered = Buffer.from(wrapped);
      altered[index]! ^= 0x01;
      expect(key.unwrap(altered, context)).toBeUndefined();
    }
    expect(key.unwrap(wrapped.subarray(0, 20), context)).toBeUndefined();
  });

  it('keeps the material out of logs, JSON and string conversions', () => {
    const bytes = randomBytes(32);
    const key = MasterKey.fromBytes(bytes);
    const shown = [JSON.stringify({ key }), inspect(key, { showHidden: true, depth: 5 }), String(key), `${key}`];
    for (const text of shown) {
      expect(text).toContain(key.id);
      expect(text).not.toContain(bytes.toString('base64'));
      expect(text).not.toContain(bytes.toString('hex'));
    }
  });

  it('refuses material of the wrong length', () => {
    expect(() => MasterKey.fromBytes(randomBytes(16))).toThrow('a master key is 32 bytes, got 16');
  });
});

describe('loadMasterKey', () => {
  let dataDir: string;

  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'spie-master-key-'));
  });

  afterEach(() => {
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('prefers the configured key and then writes nothing to disk', () => {
    const bytes = randomBytes(32);
    const key = loadMasterKey({ masterKey: bytes.toString('base64'), dataDir, generateIfMissing: true });
    expect(key.id).toBe(MasterKey.fromBytes(bytes).id);
    expect(existsSync(join(dataDir, 'keys'))).toBe(false);
  });

  it('takes an already parsed key as is', () => {
    const parsed = MasterKey.generate();
    expect(loadMasterKey({ masterKey: parsed, dataDir, generateIfMissing: true })).toBe(parsed);
    expect(existsSync(join(dataDir, 'keys'))).toBe(false);
  });

  it('reports a malformed configured key under MASTER_KEY', () => {
    expect(() => loadMasterKey({ masterKey: 'c2hvcnQ=', dataDir, generateIfMissing: true })).toThrow(
      'Invalid configuration: MASTER_KEY must decode to 32 bytes, got 5',
    );
  });

  it('generates the key file on first use, private to the user, and reuses it afterwards', () => {
    const first = loadMasterKey({ masterKey: undefined, dataDir, generateIfMissing: true });
    const file = masterKeyFile(dataDir);
    expect(file).toBe(join(dataDir, 'keys', 'master.key'));
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(join(dataDir, 'keys')).mode & 0o777).toBe(0o700);
    // The file holds the key as MASTER_KEY would: an operator can move it to a secret store as is.
    const content = readFileSync(file, 'utf8');
    expect(content).toMatch(/^[A-Za-z0-9+/]{43}=\n$/);
    expect(parseMasterKey(content).id).toBe(first.id);
    // No temporary file is left behind.
    expect(readdirSync(join(dataDir, 'keys'))).toEqual(['master.key']);

    const again = loadMasterKey({ masterKey: '', dataDir, generateIfMissing: true });
    expect(again.id).toBe(first.id);
    expect(readFileSync(file, 'utf8')).toBe(content);
    const plaintext = randomBytes(32);
    expect(again.unwrap(first.wrap(plaintext, context), context)).toEqual(plaintext);
  });

  it('reads an existing key file even when it may not generate one', () => {
    const created = loadMasterKey({ dataDir, generateIfMissing: true });
    expect(loadMasterKey({ dataDir, generateIfMissing: false }).id).toBe(created.id);
  });

  it('asks for MASTER_KEY when it may not generate one and there is no file', () => {
    expect(() => loadMasterKey({ dataDir, generateIfMissing: false })).toThrow(/MASTER_KEY is required with a PostgreSQL server/);
    expect(existsSync(masterKeyFile(dataDir))).toBe(false);
  });

  it('refuses a key file others can read, naming the file and the fix', () => {
    loadMasterKey({ dataDir, generateIfMissing: true });
    const file = masterKeyFile(dataDir);
    chmodSync(file, 0o644);
    expect(() => loadMasterKey({ dataDir, generateIfMissing: true })).toThrow(`${file} is readable by other users (mode 644); run: chmod 600 ${file}`);
  });

  it('refuses a corrupted key file instead of replacing it', () => {
    mkdirSync(join(dataDir, 'keys'), { mode: 0o700 });
    const file = masterKeyFile(dataDir);
    writeFileSync(file, 'not a key\n', { mode: 0o600 });
    expect(() => loadMasterKey({ dataDir, generateIfMissing: true })).toThrow(`Invalid configuration: ${file} is not valid base64`);
    expect(readFileSync(file, 'utf8')).toBe('not a key\n');
  });
});
