import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '../../config/app-config.js';
import { MasterKey } from '../crypto/master-key.js';
import { blindIndexKeyFile, loadBlindIndexKeys } from './blind-index-keys.js';

describe('blind-index keys', () => {
  const masterBytes = Buffer.alloc(32, 1);
  const masterKey = MasterKey.fromBytes(masterBytes);
  const keyA = Buffer.alloc(32, 2).toString('base64');
  const keyB = Buffer.alloc(32, 3).toString('base64');

  it('creates a private key file in the embedded default, then reuses it', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'blind-index-'));
    const first = loadBlindIndexKeys({ dataDir, generateIfMissing: true, masterKey });
    expect(statSync(blindIndexKeyFile(dataDir)).mode & 0o777).toBe(0o600);
    const again = loadBlindIndexKeys({ dataDir, generateIfMissing: false, masterKey });
    expect(again.current.version).toBe(first.current.version);
    expect(again.current.digest('nir', 'x')).toEqual(first.current.digest('nir', 'x'));
    expect(readFileSync(blindIndexKeyFile(dataDir), 'utf8')).not.toContain(first.current.version);
  });

  it('is required with a PostgreSQL server', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'blind-index-'));
    expect(() => loadBlindIndexKeys({ dataDir, generateIfMissing: false, masterKey })).toThrow(/BLIND_INDEX_KEY is required/);
  });

  it('refuses the master key, and a previous key equal to the current one', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'blind-index-'));
    expect(() => loadBlindIndexKeys({ key: masterBytes.toString('base64'), dataDir, generateIfMissing: true, masterKey })).toThrow(ConfigError);
    expect(() => loadBlindIndexKeys({ key: masterBytes.toString('base64'), dataDir, generateIfMissing: true, masterKey })).toThrow(/BLIND_INDEX_KEY must not be the master key/);
    expect(() => loadBlindIndexKeys({ key: keyA, previousKey: masterBytes.toString('base64'), dataDir, generateIfMissing: true, masterKey })).toThrow(/BLIND_INDEX_PREVIOUS_KEY must not be the master key/);
    expect(() => loadBlindIndexKeys({ key: keyA, previousKey: keyA, dataDir, generateIfMissing: true, masterKey })).toThrow(/must differ/);
  });

  it('keys the digests: another key, another digest; each kind its own digest', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'blind-index-'));
    const keys = loadBlindIndexKeys({ key: keyA, previousKey: keyB, dataDir, generateIfMissing: false, masterKey });
    expect(keys.all.map((key) => key.version)).toEqual([keys.current.version, keys.previous!.version]);
    expect(keys.current.digest('nir', '184056311300142')).not.toEqual(keys.previous!.digest('nir', '184056311300142'));
    expect(keys.current.digest('nir', 'x')).not.toEqual(keys.current.digest('name_birth', 'x'));
    expect(JSON.stringify(keys)).not.toContain(keyA);
    expect(String(keys.current)).toBe(`BlindIndexKey(${keys.current.version})`);
  });
});
