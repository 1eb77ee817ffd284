import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FixedClock } from '../../src/kernel/clock.js';
import { openDatabase } from '../../src/database/open-database.js';
import { SqlClient } from '../../src/database/sql-client.js';
import { buildOpenApiDocument } from '../../src/openapi.js';
import { ProjectionsService } from '../../src/projections/projections.module.js';
import { exportErasuresCommand, replayErasuresCommand, retentionCommand } from '../../src/personal-data/privacy-cli.js';
import { Retention } from '../../src/personal-data/retention/retention.js';
import { type Consortium, seedConsortium } from '../support/consortium.js';
import { KNOWN_FREE_FORM, OpenApiValidator } from '../support/openapi-validator.js';
import { type Body, json } from '../support/http.js';
import { clientWithParcours } from '../support/parcours-fixtures.js';
import { type RunningApp, startApp } from '../support/test-app.js';

/**
 * R. 263-8 CASF with a clock the test moves: two years without activity → the intermediate
 * archive; two more years → erasure. A contact in between starts the two years again.
 */
describe('retention: archive after two years without activity, erasure two years later', () => {
  const clock = new FixedClock(new Date('2026-01-12T10:00:00Z'));
  let running: RunningApp;
  let consortium: Consortium;
  let projections: ProjectionsService;
  let retention: Retention;
  let openapi: OpenApiValidator;
  /** Nothing recorded after its opening. */
  let idle: string;
  /** A contact a year later restarts its clock. */
  let contacted: string;
  /** Erased on request at once: it still leaves the active base when its time comes. */
  let erasedEarly: string;

  const { post, get, anOrientedParcours } = clientWithParcours(() => running, () => consortium);

  async function aParcours(lastName: string): Promise<string> {
    return anOrientedParcours({ identity: { firstName: 'Jo', lastName, birthDate: '1985-01-01' }, entryOn: '2026-01-12', orientedOn: '2026-01-12' });
  }

  beforeAll(async () => {
    running = await startApp({ RATE_LIMIT_PER_MINUTE: '1000000' }, { clock });
    consortium = await seedConsortium(running);
    projections = running.app.get(ProjectionsService);
    retention = running.app.get(Retention);
    openapi = new OpenApiValidator(buildOpenApiDocument(running.app), { freeForm: KNOWN_FREE_FORM });
    idle = await aParcours('Dormant');
    contacted = await aParcours('Suivi');
    erasedEarly = await aParcours('Efface');
    await post('cd63-dpo', `/v1/parcours/${erasedEarly}/erasure`, { legalGround: 'erasure_request_granted' });
    clock.set(new Date('2027-03-01T10:00:00Z'));
    await post('ml-referent', `/v1/parcours/${contacted}/contacts`, { contactId: '7d3c1f40-0000-4000-8000-000000000001', channel: 'phone', contactedOn: '2027-03-01', partnerId: consortium.missionLocale.id });
  });

  afterAll(async () => {
    await running.close();
  });

  it('plans nothing before two years', async () => {
    clock.set(new Date('2028-01-11T10:00:00Z'));
    expect(await retention.plan()).toMatchObject({ asOf: '2028-01-11', policy: { activeMonths: 24, archiveMonths: 24 }, toArchive: [], toErase: [] });
  });

  it('archives the parcours idle for two years, not the one contacted since; the report says when the next are due', async () => {
    clock.set(new Date('2028-01-12T10:00:00Z'));
    const report = await json(await get('cd63-dpo', '/v1/privacy/retention'));
    expect(openapi.errors('GET', '/v1/privacy/retention', 200, report)).toEqual([]);
    expect(report).toMatchObject({ asOf: '2028-01-12', policy: { activeMonths: 24, archiveMonths: 24 }, toErase: [] });
    expect(report.toArchive).toHaveLength(2);
    expect(report.toArchive).toEqual(
      expect.arrayContaining([
        { parcoursId: idle, lastActivityOn: '2026-01-12', dueOn: '2028-01-12' },
        { parcoursId: erasedEarly, lastActivityOn: '2026-01-12', dueOn: '2028-01-12' },
      ]),
    );

    const run = await retention.run();
    expect(run).toMatchObject({ asOf: '2028-01-12', archived: 2, erased: 0, failed: [] });
    expect(await json(await get('cd63-platform_admin', '/v1/privacy/retention?asOf=2029-03-01'))).toMatchObject({
      toArchive: [{ parcoursId: contacted, lastActivityOn: '2027-03-01', dueOn: '2029-03-01' }],
      toErase: [],
    });
    // The one erased already has nothing left to erase.
    const toErase = await json(await get('cd63-dpo', '/v1/privacy/retention?asOf=2030-01-12'));
    expect(openapi.errors('GET', '/v1/privacy/retention', 200, toErase)).toEqual([]);
    expect(toErase).toMatchObject({ toErase: [{ parcoursId: idle, archivedOn: '2028-01-12', dueOn: '2030-01-12' }] });
    // Run again the same day: nothing left to do.
    expect(await retention.run()).toMatchObject({ archived: 0, erased: 0 });
  });

  it('takes the archived parcours out of caseloads, feeds and caseworkers’ reach; auditors and the DPO still see it', async () => {
    await projections.whenCaughtUp();
    const caseload = await json(await get('ml-referent', '/v1/caseload'));
    expect(caseload.items.map((item: Body) => item.parcoursId)).toEqual([contacted]);
    expect((await get('ml-referent', `/v1/parcours/${idle}`)).status).toBe(404);
    expect((await get('cd63-coordinator', `/v1/parcours/${idle}`)).status).toBe(404);
    const write = await fetch(`${running.baseUrl}/v1/parcours/${idle}/contacts`, {
      method: 'POST',
      headers: { ...(await consortium.as('ml-referent')), 'content-type': 'application/json' },
      body: JSON.stringify({ contactId: '7d3c1f40-0000-4000-8000-000000000002', channel: 'phone', contactedOn: '2028-01-12', partnerId: consortium.missionLocale.id }),
    });
    expect(write.status).toBe(404);
    const feed = await json(await get('ml-referent', '/v1/feed?limit=500'));
    expect(feed.items.filter((item: Body) => item.parcoursId === idle).map((item: Body) => item.type)).toEqual(['ParcoursArchived']);
    expect(feed.items.some((item: Body) => item.parcoursId === contacted && item.type === 'ContactRecorded')).toBe(true);

    // Nobody follows an archived parcours any more: the territory's stock of open parcours drops on the archive day.
    const territories = (await json(await get('cd63-coordinator', '/v1/reports/territories?territory=cc-thiers-dore-et-montagne&from=2027-12&to=2028-01'))) as Body[];
    expect(openapi.errors('GET', '/v1/reports/territories', 200, territories)).toEqual([]);
    const stock = (month: string) => territories.find((row) => row.month === month)?.openAtMonthEnd;
    expect([stock('2027-12'), stock('2028-01')]).toEqual([3, 1]);

    expect(await json(await get('cd63-auditor', `/v1/parcours/${idle}`))).toMatchObject({ archived: { archivedOn: '2028-01-12', lastActivityOn: '2026-01-12' }, identity: null });
    const archivedExport = await json(await get('cd63-dpo', `/v1/parcours/${idle}/personal-data-export`));
    expect(openapi.errors('GET', '/v1/parcours/{parcoursId}/personal-data-export', 200, archivedExport)).toEqual([]);
    expect(archivedExport.status).toMatchObject({ archivedOn: '2028-01-12' });
    // An erased identity is exported as {"erased": true}, as the document says.
    const erasedExport = await json(await get('cd63-dpo', `/v1/parcours/${erasedEarly}/personal-data-export`));
    expect(openapi.errors('GET', '/v1/parcours/{parcoursId}/personal-data-export', 200, erasedExport)).toEqual([]);
    expect(erasedExport.identity).toEqual({ erased: true });
  });

  it('erases the archived parcours two years later, and archives the other then', async () => {
    clock.set(new Date('2030-01-12T10:00:00Z'));
    const run = await retention.run();
    expect(run).toMatchObject({ asOf: '2030-01-12', archived: 1, erased: 1, failed: [] });
    const exported = await json(await get('cd63-dpo', `/v1/parcours/${idle}/personal-data-export`));
    expect(exported.identity).toEqual({ erased: true });
    expect(exported.events.at(-1)).toMatchObject({ type: 'PersonalDataErased', detail: 'durée de conservation écoulée', on: '2030-01-12' });
    const db = running.app.get(SqlClient);
    expect(await db.query('SELECT legal_ground FROM personal_data_erasures WHERE subject_id = $1', [idle])).toEqual([{ legal_ground: 'retention_period_elapsed' }]);
    expect(await db.query(`SELECT to_char(as_of, 'YYYY-MM-DD') AS as_of, archived, erased, failed FROM retention_runs ORDER BY run_id`)).toEqual([
      { as_of: '2028-01-12', archived: 2, erased: 0, failed: 0 },
      { as_of: '2028-01-12', archived: 0, erased: 0, failed: 0 },
      { as_of: '2030-01-12', archived: 1, erased: 1, failed: 0 },
    ]);
  });

  it('is for the DPO and the platform administrator, with a valid date', async () => {
    expect((await get('ml-referent', '/v1/privacy/retention')).status).toBe(403);
    expect((await get('cd63-auditor', '/v1/privacy/retention')).status).toBe(403);
    expect((await get('cd63-dpo', '/v1/privacy/retention?asOf=2030-02-30')).status).toBe(400);
  });

  describe('from the CLI, on the same database once the service is stopped', () => {
    const folder = mkdtempSync(join(tmpdir(), 'spie-ledger-'));
    afterAll(() => rmSync(folder, { recursive: true, force: true }));

    it('plans with --dry-run, runs, and keeps the erasure ledger for restores', async () => {
      await running.stop();
      const later = new FixedClock(new Date('2032-01-12T10:00:00Z'));
      expect(await retentionCommand(running.config, { dryRun: true }, later)).toMatch(
        new RegExp(`^retention plan as of 2032-01-12 \\(active 24 months, archive 24 months\\): 0 to archive, 1 to erase\\nerase   ${contacted}  archived 2030-01-12, due 2032-01-12\\n$`),
      );
      await expect(retentionCommand(running.config, { asOf: '2032-01-12' }, later)).rejects.toThrow(/--dry-run/);

      // A backup taken before the run holds the key the run destroys.
      const db = await openDatabase(running.config);
      const [backup] = await db.query<{ wrapped: string; master_key_id: string }>(
        `SELECT encode(wrapped_key, 'hex') AS wrapped, master_key_id FROM personal_data_keys WHERE subject_id = $1`,
        [contacted],
      );
      expect(backup).toBeDefined();
      await db.close();

      expect(await retentionCommand(running.config, {}, later)).toMatch(/^retention run \d+ as of 2032-01-12: 0 archived, 1 erased, 0 failed\n$/);
      const ledgerFile = join(folder, 'ledger.json');
      expect(await exportErasuresCommand(running.config, ledgerFile)).toBe(`3 erasures written to ${ledgerFile}\n`);
      const ledger = JSON.parse(readFileSync(ledgerFile, 'utf8'));
      expect(ledger.erasures.map((entry: Body) => entry.subjectId).sort()).toEqual([idle, contacted, erasedEarly].sort());

      // The restore: the key is back, the erasure the backup did not know of is gone.
      const restored = await openDatabase(running.config);
      await restored.query('DELETE FROM personal_data_erasures WHERE subject_id = $1', [contacted]);
      await restored.query(`INSERT INTO personal_data_keys (subject_id, wrapped_key, master_key_id) VALUES ($1, decode($2, 'hex'), $3)`, [contacted, backup!.wrapped, backup!.master_key_id]);
      await restored.close();

      expect(await replayErasuresCommand(running.config, ledgerFile)).toBe('1 erasures imported, 1 keys destroyed again, 3 erasures in the ledger\n');
      const after = await openDatabase(running.config);
      expect(await after.query('SELECT 1 FROM personal_data_keys WHERE subject_id = ANY($1::uuid[])', [[idle, contacted]])).toEqual([]);
      await after.close();
    });
  });
});
