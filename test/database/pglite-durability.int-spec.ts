import { spawnSync } from 'node:child_process';
import { chmodSync, lstatSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp } from '../../src/app.factory.js';
import { ConfigError, loadConfig } from '../../src/config/app-config.js';
import { SqlClient } from '../../src/database/sql-client.js';
import { loadOrCreateSigningKey } from '../../src/partners/auth/signing-key.js';

/** Every file and folder under `dir` whose mode lets its group or others in. */
function openToOthers(dir: string): string[] {
  const found: string[] = [];
  const walk = (path: string) => {
    const stat = lstatSync(path);
    if ((stat.mode & 0o077) !== 0) found.push(`${path} ${(stat.mode & 0o777).toString(8)}`);
    if (stat.isDirectory()) for (const entry of readdirSync(path)) walk(join(path, entry));
  };
  walk(dir);
  return found;
}

describe('the embedded database on disk', () => {
  let dataDir: string;

  beforeEach(() => {
    dataDir = join(mkdtempSync(join(tmpdir(), 'spie-durability-')), 'data');
  });

  afterEach(() => {
    rmSync(join(dataDir, '..'), { recursive: true, force: true });
  });

  it('is private after a real start: DATA_DIR 0700, nothing in it readable by group or others', async () => {
    const app = await createApp(loadConfig({ LOG_LEVEL: 'silent', DATA_DIR: dataDir, DATABASE_URL: '', MASTER_KEY: '' }));
    await app.listen(0, '127.0.0.1');
    try {
      // The keys, the WAL, the catalog and pg_control are all there by now.
      expect(readdirSync(join(dataDir, 'keys')).sort()).toEqual(['blind-index.key', 'master.key', 'token-signing-key.json']);
      expect(readdirSync(join(dataDir, 'pglite'))).toEqual(expect.arrayContaining(['PG_VERSION', 'pg_wal', 'global', 'base']));
      expect(lstatSync(dataDir).mode & 0o777).toBe(0o700);
      expect(openToOthers(dataDir)).toEqual([]);
    } finally {
      await app.close();
    }
    expect(openToOthers(dataDir)).toEqual([]);
  });

  it('takes group and other bits off the files an older version left open', async () => {
    const first = await createApp(loadConfig({ LOG_LEVEL: 'silent', DATA_DIR: dataDir, DATABASE_URL: '', MASTER_KEY: '' }));
    await first.init();
    await first.close();
    const walFile = readdirSync(join(dataDir, 'pglite', 'pg_wal')).find((name) => /^[0-9A-F]{24}$/.test(name))!;
    chmodSync(join(dataDir, 'pglite', 'pg_wal', walFile), 0o666);
    chmodSync(join(dataDir, 'pglite', 'base'), 0o755);
    const again = await createApp(loadConfig({ LOG_LEVEL: 'silent', DATA_DIR: dataDir, DATABASE_URL: '', MASTER_KEY: '' }));
    await again.init();
    await again.close();
    expect(openToOthers(join(dataDir, 'pglite'))).toEqual([]);
  });

  it('runs with fsync on, flushing the WAL with fsync (Emscripten makes fdatasync a no-op)', async () => {
    const app = await createApp(loadConfig({ LOG_LEVEL: 'silent', DATA_DIR: dataDir, DATABASE_URL: '', MASTER_KEY: '' }));
    await app.init();
    try {
      const db = app.get(SqlClient);
      expect(await db.query('SHOW fsync')).toEqual([{ fsync: 'on' }]);
      expect(await db.query('SHOW wal_sync_method')).toEqual([{ wal_sync_method: 'fsync' }]);
    } finally {
      await app.close();
    }
  });

  it.each([
    ['on', (fsyncs: number) => expect(fsyncs).toBeGreaterThanOrEqual(20)],
    ['off', (fsyncs: number) => expect(fsyncs).toBe(0)],
  ])('with PGLITE_FSYNC=%s, the kernel sees an fsync per acknowledged commit (or none)', (fsync, expectation) => {
    const trace = join(dataDir, '..', 'strace.txt');
    const child = spawnSync(
      'strace',
      ['-f', '-qq', '-e', 'trace=fsync,fdatasync,write', '-o', trace, process.execPath, '--import', '@swc-node/register/esm-register', join(import.meta.dirname, '../support/pglite-writer-child.ts'), dataDir, fsync, '20'],
      { encoding: 'utf8', timeout: 50_000 },
    );
    if (child.error) throw new Error(`strace is needed for this test (apt-get install strace): ${child.error.message}`);
    expect(child.stdout).toContain('done');
    // Only the calls made while committing, between the child's two words: opening the database
    // and creating the table flush too.
    const lines = readFileSync(trace, 'utf8').split('\n');
    const from = lines.findIndex((line) => line.includes('write(1, "writing'));
    const to = lines.findIndex((line) => line.includes('write(1, "done'));
    expect(from).toBeGreaterThan(-1);
    expect(to).toBeGreaterThan(from);
    expectation(lines.slice(from, to).filter((line) => /\bf(data)?sync\(/.test(line)).length);
  });
});

describe('the local token signing key', () => {
  it('is refused when others can read it, with the file and the fix in the message', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'spie-signing-key-'));
    try {
      await loadOrCreateSigningKey(dataDir);
      const file = join(dataDir, 'keys', 'token-signing-key.json');
      expect(lstatSync(file).mode & 0o777).toBe(0o600);
      chmodSync(file, 0o644);
      await expect(loadOrCreateSigningKey(dataDir)).rejects.toThrow(ConfigError);
      await expect(loadOrCreateSigningKey(dataDir)).rejects.toThrow(`${file} is readable by other users (mode 644): anyone who reads it can sign tokens; run: chmod 600 ${file}`);
      chmodSync(file, 0o600);
      await expect(loadOrCreateSigningKey(dataDir)).resolves.toMatchObject({ kid: expect.any(String) });
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
