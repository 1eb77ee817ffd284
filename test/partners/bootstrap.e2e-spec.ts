import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/app-config.js';
import { openDatabase } from '../../src/database/open-database.js';
import { BootstrapRefusedError, bootstrapPlatform } from '../../src/bootstrap.js';

/** Issue 14: `partners bootstrap` ran again on an installation that had one, creating a second département and platform admin. */
describe('the bootstrap command on an installation that already has one', () => {
  const first = { name: 'Conseil départemental', kind: 'departement', territory: ['cc-thiers-dore-et-montagne'], adminSub: 'admin-1', adminName: 'Admin' };
  const second = { ...first, name: 'Autre département', adminSub: 'admin-2' };
  let dataDir: string;
  let config: ReturnType<typeof loadConfig>;

  beforeAll(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'spie-bootstrap-'));
    config = loadConfig({ DATA_DIR: dataDir, DATABASE_URL: '', LOG_LEVEL: 'silent', MASTER_KEY: '' });
  });

  afterAll(() => {
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function counts(): Promise<{ partners: number; forced: number }> {
    const db = await openDatabase(config);
    try {
      const [partners] = await db.query<{ n: number }>(`SELECT count(DISTINCT stream_id)::int AS n FROM events WHERE category = 'partner'`);
      const [forced] = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM access_journal WHERE operation = 'partners.bootstrap.forced'`);
      return { partners: partners!.n, forced: forced!.n };
    } finally {
      await db.close();
    }
  }

  it('bootstraps a fresh installation', async () => {
    await expect(bootstrapPlatform(config, first)).resolves.toEqual(expect.any(String));
    expect(await counts()).toEqual({ partners: 1, forced: 0 });
  });

  it('refuses a second bootstrap and writes nothing', async () => {
    const refusal = bootstrapPlatform(config, second);
    await expect(refusal).rejects.toBeInstanceOf(BootstrapRefusedError);
    await expect(refusal).rejects.toThrow('already has 1 organisation(s)');
    expect(await counts()).toEqual({ partners: 1, forced: 0 });
  });

  it('bootstraps again with --force, and journals it', async () => {
    const partnerId = await bootstrapPlatform(config, { ...second, force: true });
    expect(await counts()).toEqual({ partners: 2, forced: 1 });
    const db = await openDatabase(config);
    try {
      const [entry] = await db.query<{ record_id: string; record_type: string; actor_role: string }>(
        `SELECT record_id, record_type, actor_role FROM access_journal WHERE operation = 'partners.bootstrap.forced'`,
      );
      expect(entry).toEqual({ record_id: partnerId, record_type: 'store', actor_role: 'platform_admin' });
    } finally {
      await db.close();
    }
  });
});
