import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { INTAKE_HEADER, intakeFile, intakeLine, nirOf } from '../../bench/intake-file.js';
import { SqlClient } from '../../src/database/sql-client.js';
import { type Consortium, seedConsortium } from '../support/consortium.js';
import { type Body, consortiumClient, json } from '../support/http.js';
import { anOpening } from '../support/parcours-fixtures.js';
import { type RunningApp, startApp } from '../support/test-app.js';

const ROOT = join(import.meta.dirname, '../..');

/**
 * The intake of the CAF/MSA monthly flow, over HTTP and through the CLI: new entrants opened in the
 * EPCI of their commune, people already followed recognised (no duplicate, a change of rights
 * recorded), a line-level report, a file imported twice writing nothing, and an import killed
 * (SIGKILL) in the middle that resumes and ends with each person opened once.
 */
describe('intake of the monthly file of RSA entrants', () => {
  let running: RunningApp;
  let consortium: Consortium;
  let db: SqlClient;
  const client = consortiumClient(() => running, () => consortium);

  async function upload(as: string, file: string): Promise<{ status: number; body: Body }> {
    const response = await fetch(`${running.baseUrl}/v1/intake/imports`, { method: 'POST', headers: { ...(await consortium.as(as)), 'content-type': 'text/csv' }, body: file });
    return { status: response.status, body: await json(response) };
  }

  /** Row counts of every table that an import could write to. */
  async function footprint(): Promise<Record<string, number>> {
    const tables = ['events', 'parcours_details', 'parcours_blind_index', 'personal_data_keys', 'intake_imports', 'intake_lines', 'access_journal'];
    const counts: Record<string, number> = {};
    for (const table of tables) counts[table] = (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`))[0]!.n;
    return counts;
  }

  const search = async (nir: string) => (await client.post('cd63-coordinator', '/v1/parcours/search', { nir })).items as Body[];

  beforeAll(async () => {
    running = await startApp({ RATE_LIMIT_PER_MINUTE: '1000000' });
    consortium = await seedConsortium(running);
    db = running.app.get(SqlClient);
  });

  afterAll(async () => {
    await running?.close();
  });

  it('opens one parcours per new entrant in the EPCI of its commune, recognises people already followed, and reports each bad line', async () => {
    const seed = `http${randomUUID().slice(0, 8)}`;
    // Already followed, opened by a caseworker with the same NIR (its name spelled otherwise).
    const known = await client.post('cd63-orientation_manager', '/v1/parcours', anOpening({ identity: { firstName: 'Déjà', lastName: 'Suivie', birthDate: '1990-01-01', nir: nirOf(2, seed) }, entryOn: '2026-06-01' }));
    const lines = [
      INTAKE_HEADER,
      intakeLine({ person: 0, seed, commune: '63430' }), // Thiers
      intakeLine({ person: 1, seed, commune: '63003', rights: 'majore', organism: 'CAF' }), // Ambert
      intakeLine({ person: 2, seed, rights: 'non_socle', organism: 'CAF' }), // already followed, no longer RSA socle
      intakeLine({ person: 3, seed, commune: '63040' }).replace(/;2026-10-01;/, ';31/02/2026;'), // no such date
      intakeLine({ person: 4, seed, commune: '75056' }), // Paris: not in the map
      intakeLine({ person: 5, seed }).replace(nirOf(5, seed), `${nirOf(5, seed).slice(0, 13)}00`).replace(';socle;', ';rsa;'), // bad NIR key, unknown rights
      intakeLine({ person: 0, seed, commune: '63430' }), // the same person twice in the file
    ];
    const before = await footprint();
    const imported = await upload('cd63-coordinator', `${lines.join('\r\n')}\r\n`);
    expect(imported.status).toBe(201);
    expect(imported.body).toMatchObject({ lines: 7, opened: 2, rightsChanged: 1, unchanged: 1, invalid: 3, alreadyImported: false, resumedLines: 0 });
    expect(imported.body.errors).toEqual([
      { line: 5, column: 'date_ouverture_droits', code: 'invalid_date' },
      { line: 6, column: 'code_commune', code: 'unknown_commune' },
      { line: 7, column: 'nir', code: 'invalid_nir' },
      { line: 7, column: 'droit_rsa', code: 'unknown_value' },
    ]);
    // Each new entrant in the EPCI of its commune, with its rights; found by its NIR.
    expect(await search(nirOf(0, seed))).toEqual([expect.objectContaining({ territory: 'cc-thiers-dore-et-montagne', status: 'open' })]);
    const ambert = await search(nirOf(1, seed));
    expect(ambert).toEqual([expect.objectContaining({ territory: 'cc-ambert-livradois-forez' })]);
    const read = await json(await client.get('cd63-coordinator', `/v1/parcours/${ambert[0]!.id}`));
    expect(read).toMatchObject({ rsaSocle: true, source: 'caf', entryOn: '2026-10-01', identity: { allocataire: { organism: 'caf' } } });
    // Socle majoré: recorded with the opening, so that next month's file finds nothing changed.
    expect(await db.query<{ data: Body }>(`SELECT data FROM events WHERE stream_id = $1 AND type = 'RsaRightsRecorded'`, [`parcours-${ambert[0]!.id}`])).toEqual([{ data: expect.objectContaining({ rights: 'socle_majore' }) }]);
    // The person already followed: no second parcours, the change of rights recorded on hers.
    expect((await search(nirOf(2, seed))).map((item) => item.id)).toEqual([known.parcoursId]);
    const rights = await db.query<{ data: Body }>(`SELECT data FROM events WHERE stream_id = $1 AND type = 'RsaRightsRecorded'`, [`parcours-${known.parcoursId}`]);
    expect(rights).toEqual([{ data: expect.objectContaining({ rights: 'non_socle', rsaSocle: false, source: 'caf' }) }]);
    expect((await json(await client.get('cd63-coordinator', `/v1/parcours/${known.parcoursId}`))).rsaSocle).toBe(false);
    const after = await footprint();
    expect(after.intake_lines - before.intake_lines).toBe(7);
    // The report holds no value of the file: codes, columns, lines.
    expect(JSON.stringify(imported.body)).not.toContain(seed);

    // The same file again: found done, nothing written anywhere.
    const again = await upload('cd63-coordinator', `${lines.join('\r\n')}\r\n`);
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ importId: imported.body.importId, alreadyImported: true, opened: 2, rightsChanged: 1, invalid: 3 });
    expect(await footprint()).toEqual(after);

    // Next month's file, with the same people and one more: only the newcomer is opened.
    const next = await upload('cd63-coordinator', `${[...lines, intakeLine({ person: 9, seed, commune: '63430' })].join('\n')}\n`);
    expect(next.body).toMatchObject({ lines: 8, opened: 1, rightsChanged: 0, unchanged: 4, invalid: 3 });

    // A coordinator opens parcours only where its organisation serves: the Département's coordinators
    // serve the four EPCI of Thiers, not Clermont.
    const clermont = await upload('cd63-coordinator', `${[INTAKE_HEADER, intakeLine({ person: 10, seed, commune: '63113' })].join('\n')}\n`);
    expect(clermont.body).toMatchObject({ opened: 0, invalid: 1, errors: [{ line: 2, column: 'code_commune', code: 'territory_not_served' }] });
    expect(await search(nirOf(10, seed))).toEqual([]);
    const anywhere = await upload('cd63-platform_admin', `${[INTAKE_HEADER, intakeLine({ person: 10, seed, commune: '63113' })].join('\n')}\n`);
    expect(anywhere.body).toMatchObject({ opened: 1, invalid: 0 });
  });

  it('refuses callers other than coordinators and the platform administrator, and files it cannot read', async () => {
    const file = intakeFile(2, `roles${randomUUID().slice(0, 8)}`);
    expect((await upload('cd63-referent', file)).status).toBe(403);
    expect((await upload('cd63-auditor', file)).status).toBe(403);
    expect(await upload('cd63-coordinator', 'nom;prenoms\nA;B\n')).toMatchObject({
      status: 422,
      body: { code: 'invalid_intake_file', errors: expect.arrayContaining([{ line: 1, column: 'numero_allocataire', code: 'missing_column' }]) },
    });
    expect(await upload('cd63-coordinator', `${INTAKE_HEADER}\n1;"CAF\n`)).toMatchObject({ status: 422, body: { code: 'invalid_intake_file' } });
    const json415 = await fetch(`${running.baseUrl}/v1/intake/imports`, { method: 'POST', headers: { ...(await consortium.as('cd63-coordinator')), 'content-type': 'application/json' }, body: '{}' });
    expect(json415.status).toBe(415);
    expect((await upload('cd63-platform_admin', file)).body).toMatchObject({ opened: 2 });
  });

  it('resumes an import killed in the middle (SIGKILL of the CLI) and opens each person once', async () => {
    const seed = `kill${randomUUID().slice(0, 8)}`;
    const count = 400;
    const dir = mkdtempSync(join(tmpdir(), 'spie-intake-'));
    const file = join(dir, 'flux.csv');
    writeFileSync(file, intakeFile(count, seed));
    const before = (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM parcours_details'))[0]!.n;
    await running.stop();
    const env = {
      ...process.env,
      DATA_DIR: running.config.dataDir,
      DATABASE_URL: running.config.databaseUrl ?? '',
      MASTER_KEY: running.config.masterKey ?? '',
      BLIND_INDEX_KEY: running.config.blindIndexKey ?? '',
      LOG_LEVEL: 'silent',
      PGLITE_FSYNC: 'on',
      // One batch of 100 lines at a time: the kill lands after the first batch reported, with the
      // rest of the file still to do (batches run together would all be done at once).
      INTAKE_CONCURRENCY: '1',
    };
    const cli = (args: string[]) =>
      spawn(process.execPath, ['--import', '@swc-node/register/esm-register', join(ROOT, 'src/cli.ts'), 'intake', 'import', file, '--as', 'cd63-platform_admin', ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    // The first run is killed once its progress says some lines, but not all, are done.
    const first = cli([]);
    let progress = '';
    const killed = await new Promise<{ signal: NodeJS.Signals | null; done: number }>((resolve) => {
      let done = 0;
      first.stderr.on('data', (chunk: Buffer) => {
        progress += chunk.toString();
        const seen = [...progress.matchAll(/(\d+)\/(\d+) lines/g)].map((match) => Number(match[1]));
        done = Math.max(done, ...seen, 0);
        if (done > 0 && done < count && first.exitCode === null) first.kill('SIGKILL');
      });
      first.once('exit', (_code, signal) => resolve({ signal, done }));
    });
    expect(killed.signal).toBe('SIGKILL');
    expect(killed.done).toBeGreaterThan(0);
    // The second run finishes the file.
    const second = cli(['--json', '--quiet']);
    let output = '';
    second.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    let errors = '';
    second.stderr.on('data', (chunk: Buffer) => (errors += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => second.once('exit', resolve));
    expect({ code, errors }).toEqual({ code: 0, errors: '' });
    const report = JSON.parse(output) as Body;
    expect(report).toMatchObject({ lines: count, opened: count, invalid: 0, alreadyImported: false });
    expect(report.resumedLines).toBeGreaterThanOrEqual(killed.done);
    expect(report.resumedLines).toBeLessThan(count);

    running = await startApp({ RATE_LIMIT_PER_MINUTE: '1000000' }, {}, { instanceOf: running });
    db = running.app.get(SqlClient);
    // Each person once: as many new parcours as lines, one per NIR, no data key without its parcours.
    expect((await db.query<{ n: number }>('SELECT count(*)::int AS n FROM parcours_details'))[0]!.n - before).toBe(count);
    const perNir = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM parcours_blind_index WHERE kind = 'nir' GROUP BY digest HAVING count(*) > 1`);
    expect(perNir).toEqual([]);
    expect(await db.query(`SELECT k.subject_id FROM personal_data_keys k WHERE NOT EXISTS (SELECT 1 FROM events e WHERE e.stream_id = 'parcours-' || k.subject_id::text)`)).toEqual([]);
    expect((await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM intake_lines WHERE import_id = $1`, [report.importId]))[0]!.n).toBe(count);
    expect(readFileSync(file, 'utf8').split('\n').length).toBe(count + 2);
  });
});
