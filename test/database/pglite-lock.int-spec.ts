import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseInUseError, PgliteSqlClient } from '../../src/database/pglite-sql-client.js';

/**
 * Two PGlite on one data folder each work on their own copy and one's writes are lost: found when
 * `cli partners bootstrap` ran beside the service. The second opener is refused with a message.
 */
describe('the embedded database folder is opened by one client at a time', () => {
  let folder: string;
  let dataDir: string;

  beforeEach(() => {
    folder = mkdtempSync(join(tmpdir(), 'spie-lock-'));
    dataDir = join(folder, 'pglite');
  });

  afterEach(() => rmSync(folder, { recursive: true, force: true }));

  it('refuses a second opener while the first holds it, and lets it in once closed', async () => {
    const first = await PgliteSqlClient.open(dataDir);
    await first.query('CREATE TABLE kept (value text)');
    await first.query(`INSERT INTO kept VALUES ('written by the first')`);
    expect(readFileSync(join(folder, 'pglite.lock'), 'utf8')).toBe(String(process.pid));

    const refused = await PgliteSqlClient.open(dataDir).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(DatabaseInUseError);
    expect((refused as Error).message).toMatch(/is open in process \d+ \(this one\): stop the service before running this command/);

    await first.close();
    expect(existsSync(join(folder, 'pglite.lock'))).toBe(false);
    const second = await PgliteSqlClient.open(dataDir);
    expect(await second.query('SELECT value FROM kept')).toEqual([{ value: 'written by the first' }]);
    await second.close();
  });

  it('takes over a lock left by a process that died', async () => {
    // The pid of a process that has exited: its lock is stale.
    const gone = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout;
    writeFileSync(join(folder, 'pglite.lock'), gone);
    const client = await PgliteSqlClient.open(dataDir);
    expect(readFileSync(join(folder, 'pglite.lock'), 'utf8')).toBe(String(process.pid));
    await client.close();
  });
});
