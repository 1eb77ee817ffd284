import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqlClient } from '../../src/database/sql-client.js';
import { DEMO_ORGANISATIONS } from '../../src/demo/consortium.js';
import { type DemoLoadReport, loadDemo } from '../../src/demo/demo-loader.js';
import { DemoRefusedError, demoSettings } from '../../src/demo/demo-main.js';
import { DEMO_PERSONAS } from '../../src/demo/personas.js';
import { verifyStore } from '../../src/audit/verify.js';
import { loadOrCreateSigningKey, mintToken } from '../../src/partners/auth/signing-key.js';
import { ROLES } from '../../src/access/roles.js';
import { PersonalDataCipher } from '../../src/privacy/crypto/personal-data-cipher.js';
import { ProjectionsService } from '../../src/projections/projections.module.js';
import { rebuildProjections } from '../../src/projections/rebuild.js';
import { EventStore } from '../../src/event-store/event-store.js';
import { type RunningApp, startApp } from '../support/test-app.js';
import { json } from '../support/http.js';
import { readModelRows } from '../support/read-model-rows.js';

/**
 * `npm run demo` at a small scale: the loader on a real service (PGlite, or the PostgreSQL of
 * DATABASE_URL in a schema of its own), then what the pages would show, read over real HTTP
 * with real tokens of the demo's personas.
 */
describe('demo mode', () => {
  let running: RunningApp;
  let report: DemoLoadReport;
  /** Each read model's lag the moment the loader returns, before anything else could let it catch up. */
  let lagsAtReturn: Array<{ name: string; lagEvents: number }>;
  const as = async (userId: string) => {
    const key = await loadOrCreateSigningKey(running.config.dataDir);
    return { authorization: `Bearer ${await mintToken(key, { subject: userId, issuer: running.config.oidcIssuer, audience: running.config.oidcAudience })}` };
  };
  const get = async (userId: string, path: string) => fetch(`${running.baseUrl}${path}`, { headers: await as(userId) });

  beforeAll(async () => {
    running = await startApp();
    // Statements of 20 parcours and pages of 500 events: several statements in flight, and the read
    // models built along the load cut in several pages, as they are for 3 000 parcours.
    report = await loadDemo(running.app, { parcours: 60, statement: 20, page: 500 });
    lagsAtReturn = (await running.app.get(ProjectionsService).statuses()).map(({ name, lagEvents }) => ({ name, lagEvents }));
  }, 180_000);

  afterAll(async () => {
    await running?.close();
  });

  it('loads the consortium, every role held, and the parcours through the decider with nothing refused', async () => {
    expect(report.organisations).toBeGreaterThanOrEqual(40);
    expect(report.parcours).toBe(60);
    expect(report.refused).toEqual([]);
    const db = running.app.get(SqlClient);
    const [counts] = await db.query<{ partners: number; parcours: number; events: number }>(
      `SELECT (SELECT count(*)::int FROM partners) AS partners, (SELECT count(*)::int FROM parcours_details) AS parcours,
              (SELECT count(*)::int FROM events WHERE category = 'parcours') AS events`,
    );
    expect(counts).toEqual({ partners: DEMO_ORGANISATIONS.length, parcours: 60, events: report.events });
    const roles = await db.query<{ role: string }>('SELECT DISTINCT unnest(roles) AS role FROM partner_members ORDER BY 1');
    expect(roles.map((row) => row.role)).toEqual([...ROLES].sort());
  });

  it('seals every identity and contact note under its own parcours\' data key', async () => {
    const db = running.app.get(SqlClient);
    const cipher = running.app.get(PersonalDataCipher);
    const sealed = await db.query<{ kind: string; parcours_id: string; ciphertext: string }>(
      `SELECT 'identity' AS kind, substring(stream_id FROM 10) AS parcours_id, data #>> '{identity,ciphertext}' AS ciphertext FROM events WHERE type = 'ParcoursOpened'
       UNION ALL SELECT 'note', substring(stream_id FROM 10), data #>> '{note,ciphertext}' FROM events WHERE type = 'ContactRecorded' AND data #>> '{note,ciphertext}' IS NOT NULL
       UNION ALL SELECT 'identity', parcours_id::text, identity_ciphertext FROM parcours_details`,
    );
    expect(sealed.filter((row) => row.kind === 'identity')).toHaveLength(120);
    expect(sealed.filter((row) => row.kind === 'note').length).toBeGreaterThan(0);
    for (const row of sealed) {
      const value = await cipher.decrypt(row.parcours_id, { ciphertext: row.ciphertext });
      expect(row.kind === 'note' ? typeof value : typeof (value as { birthDate?: unknown }).birthDate).toBe('string');
    }
  });

  it('signs in every persona as a member with the role it is there to show', async () => {
    expect(new Set(DEMO_PERSONAS.map((persona) => persona.role))).toEqual(new Set(ROLES));
    for (const persona of DEMO_PERSONAS) {
      const response = await get(persona.userId, '/v1/me');
      expect(response.status).toBe(200);
      const me = await json(response);
      expect({ userId: me.userId, partnerId: me.organisation.id, hasRole: me.roles.includes(persona.role) }).toEqual({ userId: persona.userId, partnerId: persona.partnerId, hasRole: true });
    }
  });

  it('shows a caseload, territory indicators, CAOM funding and ruptures at once (read models caught up)', async () => {
    expect(lagsAtReturn.filter((status) => status.lagEvents > 0)).toEqual([]);
    expect(lagsAtReturn).toHaveLength(5);
    const caseload = await json(await get('coordinatrice.thiers', '/v1/caseload?limit=100'));
    expect(caseload.items.length).toBeGreaterThan(0);
    const today = new Date().toISOString().slice(0, 7);
    const indicators = await json(await get('auditeur.ddets', `/v1/reports/territories?from=2021-01&to=${today}`));
    const entries = (indicators as unknown as Array<{ entries: number }>).reduce((sum, row) => sum + row.entries, 0);
    // Reopenings are no entries: at most one entry per parcours.
    expect(entries).toBeGreaterThan(0);
    expect(entries).toBeLessThanOrEqual(60);
    const continuity = await json(await get('auditeur.ddets', '/v1/reports/continuity'));
    const ruptures = Object.values(continuity.summary as Record<string, { open: number; closed: number }>).reduce((sum, rule) => sum + rule.open + rule.closed, 0);
    expect(ruptures).toBeGreaterThan(0);
    const caom = await get('auditrice.cd63', '/v1/reports/caom?year=2024');
    expect(caom.status).toBe(200);
  });

  it('builds the read models along the load exactly as a rebuild from the store gives them', async () => {
    expect(report.events).toBeGreaterThan(1_000);
    const db = running.app.get(SqlClient);
    const loaded = await readModelRows(db);
    const projections = running.app.get(ProjectionsService);
    await Promise.all(projections.runners.map((runner) => runner.stop()));
    try {
      await rebuildProjections(db, running.app.get(EventStore), projections.runners.map((runner) => runner.projection));
    } finally {
      await Promise.all(projections.runners.map((runner) => runner.start()));
    }
    expect(await readModelRows(db)).toEqual(loaded);
  });

  it('writes hash chains that verify, in every stream', async () => {
    const verified = await verifyStore(running.app.get(SqlClient));
    expect(verified.breaks).toEqual([]);
    expect(verified.events).toBeGreaterThanOrEqual(report.events);
  });
});

describe('demo mode and DATABASE_URL', () => {
  it('is refused with DATABASE_URL unless --force-database-url says so', () => {
    expect(() => demoSettings([], { DATABASE_URL: 'postgres://spie@db.example:5432/spie' })).toThrow(DemoRefusedError);
    expect(() => demoSettings(['--reset'], { DATABASE_URL: 'postgres://spie@db.example:5432/spie' })).toThrow(/DATABASE_URL/);
    expect(demoSettings(['--force-database-url'], { DATABASE_URL: 'postgres://spie@db.example:5432/spie' }).databaseUrl).toBe('postgres://spie@db.example:5432/spie');
    expect(demoSettings([], {}).databaseUrl).toBeUndefined();
  });

  it('refuses to serve a load that was cut short, and says to start again with --reset', async () => {
    const parent = mkdtempSync(join(tmpdir(), 'spie-demo-interrupted-'));
    const dataDir = join(parent, 'demo-data');
    const demo = () =>
      spawn(process.execPath, ['--import', '@swc-node/register/esm-register', 'src/demo/demo-main.ts', '--data-dir', dataDir, '--parcours', '5'], {
        env: { ...process.env, DATABASE_URL: '', PORT: '0' },
      });
    try {
      // A whole load of five parcours, stopped once it serves.
      const first = demo();
      let output = '';
      await new Promise<void>((resolve, reject) => {
        first.stdout.on('data', (chunk: Buffer) => {
          output += chunk.toString();
          if (output.includes('http://')) resolve();
        });
        first.once('exit', (code) => reject(new Error(`the demo exited with ${code}: ${output}`)));
      });
      first.kill('SIGTERM');
      await new Promise((resolve) => first.once('exit', resolve));
      // As if it had been killed before the end of its load: the marker says nothing was loaded.
      const marker = JSON.parse(readFileSync(join(dataDir, 'spie-demo.json'), 'utf8')) as Record<string, unknown>;
      delete marker.loaded;
      writeFileSync(join(dataDir, 'spie-demo.json'), JSON.stringify(marker));
      const second = demo();
      let errors = '';
      second.stderr.on('data', (chunk: Buffer) => (errors += chunk.toString()));
      // A demo that serves instead of refusing is stopped (the test then fails on its status).
      const stop = setTimeout(() => second.kill('SIGKILL'), 60_000);
      const status = await new Promise((resolve) => second.once('exit', (code) => resolve(code)));
      clearTimeout(stop);
      expect({ status, said: /interrupted: start again with --reset/.test(errors) }).toEqual({ status: 2, said: true });
    } finally {
      rmSync(parent, { recursive: true, force: true });
    }
  }, 120_000);

  it('stops the real entry point before it touches anything', () => {
    const parent = mkdtempSync(join(tmpdir(), 'spie-demo-refused-'));
    const dataDir = join(parent, 'demo-data');
    try {
      const result = spawnSync(process.execPath, ['--import', '@swc-node/register/esm-register', 'src/demo/demo-main.ts', '--data-dir', dataDir], {
        env: { ...process.env, DATABASE_URL: 'postgres://spie@127.0.0.1:1/spie' },
        encoding: 'utf8',
        timeout: 60_000,
      });
      expect({ status: result.status, refused: /DATABASE_URL is set/.test(result.stderr) }).toEqual({ status: 2, refused: true });
      expect(existsSync(dataDir)).toBe(false);
    } finally {
      rmSync(parent, { recursive: true, force: true });
    }
  }, 60_000);
});
