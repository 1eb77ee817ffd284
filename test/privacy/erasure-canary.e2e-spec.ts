import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { FixedClock } from '../../src/kernel/clock.js';
import { SqlClient } from '../../src/database/sql-client.js';
import { ProjectionsService } from '../../src/projections/projections.module.js';
import { BlindIndex } from '../../src/privacy/blind-index/blind-index.js';
import { KeyVault } from '../../src/privacy/crypto/key-vault.js';
import { PersonalDataCipher, isErasedPersonalData } from '../../src/privacy/crypto/personal-data-cipher.js';
import { type Consortium, seedConsortium } from '../support/consortium.js';
import { type Body, json } from '../support/http.js';
import { clientWithParcours } from '../support/parcours-fixtures.js';
import { type RunningApp, startApp } from '../support/test-app.js';

/**
 * The canary test of DESIGN §8: a parcours whose identity and free text carry unique strings; after
 * its erasure none of them is found in clear anywhere — any table, the service's logs, a fresh
 * dump of the database (pg_dump on PostgreSQL, the data folder's raw bytes on PGlite) — the old
 * ciphertext no longer decrypts, and the statistics are those of before.
 */
describe('erasure by crypto-shredding: the canary test', () => {
  const canary = `Kz${randomUUID().replaceAll('-', '').slice(0, 10)}`;
  const canaries = {
    firstName: `${canary}Prenom`,
    lastName: `${canary}Nom`,
    rectifiedLastName: `${canary}Rectifie`,
    street: `12 rue ${canary}Rue`,
    email: `${canary.toLowerCase()}@exemple.fr`,
    note: `${canary}Note : a parlé de sa santé et de ses dettes`,
  };
  // Identifiers of this run only: the blind indexes of the person must match before, and nothing after.
  const canaryNir = nirFor(Number.parseInt(canary.slice(2, 8), 16) % 1000);
  const canaryAllocataire = String(Number.parseInt(canary.slice(2, 9), 16) % 10_000_000);
  const logs: string[] = [];
  const clock = new FixedClock(new Date('2026-11-20T10:00:00Z'));
  let running: RunningApp;
  let consortium: Consortium;
  let projections: ProjectionsService;
  let parcoursId: string;
  let ciphertexts: string[];
  let statisticsBefore: Body;

  const client = clientWithParcours(() => running, () => consortium);
  const { post, aFollowedParcours } = client;
  const get = async (as: string, path: string) => json(await client.get(as, path));

  /** What the reports say of the territory and of the parcours: the erasure must change none of it. */
  async function statistics(): Promise<Body> {
    await projections.whenCaughtUp();
    const continuity = await get('cd63-coordinator', '/v1/reports/continuity?territory=cc-thiers-dore-et-montagne');
    return {
      territories: await get('cd63-coordinator', '/v1/reports/territories?from=2026-01&to=2026-11&territory=cc-thiers-dore-et-montagne'),
      caom: await get('cd63-coordinator', '/v1/reports/caom?year=2026'),
      continuity: continuity.ruptures,
      findings: (await get('cd63-coordinator', `/v1/parcours/${parcoursId}/continuity?asOf=2026-11-20`)).findings,
    };
  }

  function leaks(text: string): string[] {
    return Object.values(canaries).filter((value) => text.includes(value) || text.includes(Buffer.from(value).toString('hex')));
  }

  beforeAll(async () => {
    running = await startApp(
      { RATE_LIMIT_PER_MINUTE: '1000000', LOG_LEVEL: 'trace' },
      { clock, logDestination: { write: (line: string) => void logs.push(line) } },
    );
    consortium = await seedConsortium(running);
    projections = running.app.get(ProjectionsService);
    parcoursId = await aFollowedParcours({
      identity: {
        firstName: canaries.firstName,
        lastName: canaries.lastName,
        birthDate: '2001-04-02',
        address: { line1: canaries.street, postalCode: '63300', city: 'Thiers' },
        email: canaries.email,
        nir: canaryNir,
        allocataire: { organism: 'caf', number: canaryAllocataire },
      },
      entryOn: '2026-02-02',
      orientedOn: '2026-02-20',
      referentAssignedOn: '2026-02-25',
    });
    await post('ml-referent', `/v1/parcours/${parcoursId}/appointments`, { appointmentId: randomUUID(), kind: 'accompaniment', scheduledOn: '2026-03-02', outcome: 'seen', partnerId: consortium.missionLocale.id });
    await post('ml-referent', `/v1/parcours/${parcoursId}/contacts`, { contactId: randomUUID(), channel: 'phone', contactedOn: '2026-03-10', partnerId: consortium.missionLocale.id, note: canaries.note });
    await post('ml-referent', `/v1/parcours/${parcoursId}/employment-contracts`, {
      contractId: randomUUID(), kind: 'PEC', employerSiret: '73282932000074', weeklyHours: 26, startsOn: '2026-04-06', plannedEndOn: '2026-10-05',
    });
    await post('cd63-dpo', `/v1/parcours/${parcoursId}/identity-rectification`, { corrections: { lastName: canaries.rectifiedLastName }, rectifiedOn: '2026-05-04' });

    // Before: the canaries are there to be found, in clear where the API decrypts them.
    const read = await get('ml-referent', `/v1/parcours/${parcoursId}`);
    expect(read.identity).toMatchObject({ firstName: canaries.firstName, lastName: canaries.rectifiedLastName, email: canaries.email });
    expect(read.contacts).toEqual([expect.objectContaining({ note: canaries.note })]);
    const db = running.app.get(SqlClient);
    ciphertexts = (
      await db.query<{ ciphertext: string }>(
        `SELECT COALESCE(data->'identity'->>'ciphertext', data->'note'->>'ciphertext') AS ciphertext FROM events
          WHERE stream_id = $1 AND type IN ('ParcoursOpened', 'IdentityRectified', 'ContactRecorded') ORDER BY type = 'ContactRecorded' DESC, stream_version`,
        [`parcours-${parcoursId}`],
      )
    ).map((row) => row.ciphertext);
    expect(ciphertexts).toHaveLength(3);
    const cipher = running.app.get(PersonalDataCipher);
    expect(await cipher.decrypt(parcoursId, { ciphertext: ciphertexts[0]! })).toBe(canaries.note);
    expect(await cipher.decrypt(parcoursId, { ciphertext: ciphertexts[1]! })).toMatchObject({ lastName: canaries.lastName });
    // The blind indexes find the person by each identifier, under the rectified name.
    expect([...(await blindIndexMatches(running)).values()]).toEqual([['allocataire', 'name_birth', 'nir']]);
    statisticsBefore = await statistics();
    // Something to compare: the parcours is in the reports (a rupture: no engagement contract).
    expect(statisticsBefore.findings.length).toBeGreaterThan(0);
    expect(JSON.stringify(statisticsBefore.continuity)).toContain(parcoursId);

    const erased = await post('cd63-dpo', `/v1/parcours/${parcoursId}/erasure`, { legalGround: 'erasure_request_granted' });
    expect(erased).toMatchObject({ changed: true, events: [{ type: 'PersonalDataErased' }] });
    await projections.whenCaughtUp();
  });

  afterAll(async () => {
    await running?.close();
  });

  it('shows the identity as erased and keeps the non-personal facts', async () => {
    const read = await get('ml-referent', `/v1/parcours/${parcoursId}`);
    expect(read.identity).toEqual({ erased: true });
    expect(read.contacts).toEqual([expect.objectContaining({ channel: 'phone', contactedOn: '2026-03-10', note: null })]);
    expect(read).toMatchObject({ parcoursType: 'emploi', referent: { userId: 'ml-referent' }, employmentContracts: [expect.objectContaining({ kind: 'PEC', weeklyHours: 26 })] });
  });

  it('leaves the statistics as they were: territory indicators, CAOM, continuity', async () => {
    expect(await statistics()).toEqual(statisticsBefore);
  });

  it('keeps the hash chain verifiable: it covers the ciphertext, which stays', async () => {
    expect(await get('cd63-auditor', `/v1/audit/parcours/${parcoursId}/verify`)).toEqual({ streams: 1, events: 10, tamperings: 0, breaks: [] });
  });

  /** The parcours whose blind-index entries match the person by NIR, allocataire number, or names and birth date (each spelling). */
  async function blindIndexMatches(app: RunningApp): Promise<Map<string, string[]>> {
    const index = app.app.get(BlindIndex);
    const probes = [canaries.lastName, canaries.rectifiedLastName].flatMap((lastName) =>
      index.probesOf({ nir: canaryNir, allocataire: { organism: 'caf', number: canaryAllocataire }, lastName, firstName: canaries.firstName, birthDate: '2001-04-02' }),
    );
    const found = await index.matches(app.app.get(SqlClient), probes);
    for (const kinds of found.values()) kinds.sort();
    return found;
  }

  it('removes the blind-index entries with the key: nothing matches the person any more', async () => {
    expect(await blindIndexMatches(running)).toEqual(new Map());
    const db = running.app.get(SqlClient);
    expect(await db.query('SELECT 1 FROM parcours_blind_index WHERE parcours_id = $1', [parcoursId])).toEqual([]);
  });

  it('destroys the key: the old ciphertext no longer decrypts, on this instance or a fresh read of the vault', async () => {
    const cipher = running.app.get(PersonalDataCipher);
    for (const ciphertext of ciphertexts) expect(isErasedPersonalData(await cipher.decrypt(parcoursId, { ciphertext }))).toBe(true);
    const vault = running.app.get(KeyVault);
    expect(await vault.getDataKey(parcoursId)).toBeUndefined();
    expect(await vault.isErased(parcoursId)).toBe(true);
    const db = running.app.get(SqlClient);
    expect(await db.query('SELECT 1 FROM personal_data_keys WHERE subject_id = $1', [parcoursId])).toEqual([]);
    expect(await db.query('SELECT legal_ground FROM personal_data_erasures WHERE subject_id = $1', [parcoursId])).toEqual([{ legal_ground: 'erasure_request_granted' }]);
  });

  it('leaves no canary of a failed request in the log: refused (4xx) or failed in the database (500)', async () => {
    // Their own canaries: a request rolled back leaves dead rows in the data files, which the dump test below reads.
    const failed = {
      firstName: `${canary}Echec`,
      birthDate: '2026-07-19',
      path: `${canary}Chemin`,
      staffName: `${canary}Agent Martin`,
    };
    const refused = async (response: Response, status: number) => {
      expect({ status: response.status, type: response.headers.get('content-type') }).toEqual({ status, type: expect.stringContaining('application/problem+json') });
    };
    const identity = { firstName: failed.firstName, lastName: canaries.lastName, birthDate: failed.birthDate };
    const opening = { identity, householdRole: 'demandeur', rsaSocle: true, entryOn: '2026-02-02', territory: 'cc-thiers-dore-et-montagne', source: 'caf' };
    // A rule of the parcours (it was a 500 whose log line held both dates)…
    await refused(await client.send('cd63-orientation_manager', '/v1/parcours', opening), 422);
    // …malformed input in the body, in the path, in the query.
    await refused(await client.send('cd63-orientation_manager', '/v1/parcours', { ...opening, identity: { ...identity, birthDate: '2001-04-02', lastName: `${canary}\u0000` } }), 400);
    await refused(await client.get('ml-referent', `/v1/parcours/${failed.path}`), 400);
    await refused(await client.get('ml-referent', `/v1/parcours/${failed.path}/continuity`), 400);
    await refused(await client.get('cd63-auditor', `/v1/access-journal?userId=${encodeURIComponent(`${failed.path} x`)}`), 400);

    // A real database error that quotes the staff member's name in its message and its detail.
    const db = running.app.get(SqlClient);
    await db.exec(`
      CREATE FUNCTION canary_trap() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'display name % refused', NEW.display_name USING DETAIL = 'row: ' || NEW.display_name;
      END $$;
      CREATE TRIGGER canary_trap BEFORE INSERT ON partner_members FOR EACH ROW WHEN (NEW.display_name LIKE '${canary}%') EXECUTE FUNCTION canary_trap();
    `);
    try {
      const member = { userId: `${canary.toLowerCase()}-agent`, displayName: failed.staffName, roles: ['referent'] };
      const answer = await client.send('cd63-platform_admin', `/v1/partners/${consortium.missionLocale.id}/members`, member);
      await refused(answer, 500);
      expect(await json(answer)).toMatchObject({ code: 'internal_error' });
    } finally {
      await db.exec('DROP TRIGGER canary_trap ON partner_members; DROP FUNCTION canary_trap()');
    }

    // The failure is logged, by class, SQLSTATE and correlation id…
    const errors = logs.map((line) => JSON.parse(line) as Body).filter((line) => line.level >= 50 && line.msg === 'unhandled error');
    expect(errors).toEqual([expect.objectContaining({ err: expect.objectContaining({ type: 'DatabaseError', code: 'P0001' }), correlationId: expect.any(String) })]);
    // …and nothing of what the failed requests carried is, in the log or in a table.
    const text = logs.join('');
    expect(Object.values(failed).filter((value) => text.includes(value))).toEqual([]);
    expect(text).not.toContain(canaries.lastName);
    const members = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM partner_members WHERE display_name = $1', [failed.staffName]);
    expect(members).toEqual([{ n: 0 }]);
  });

  it('finds no canary in clear in any table, events included, nor in the logs', async () => {
    const db = running.app.get(SqlClient);
    const tables = await db.query<{ table_name: string }>(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name`,
    );
    // The read models, the feeds, the journal, the keys: every table there is, not a list that could miss one.
    expect(tables.map((table) => table.table_name)).toEqual(expect.arrayContaining(['events', 'parcours_details', 'access_journal', 'personal_data_keys', 'idempotency_keys']));
    expect(tables.some((table) => table.table_name.startsWith('partner_feed'))).toBe(true);
    for (const { table_name } of tables) {
      const rows = await db.query<{ row: string }>(`SELECT t::text AS row FROM "${table_name}" t`);
      const found = leaks(rows.map((row) => row.row).join('\n'));
      expect({ table: table_name, found }).toEqual({ table: table_name, found: [] });
    }
    expect(logs.length).toBeGreaterThan(10);
    expect(leaks(logs.join(''))).toEqual([]);
  });

  it('finds no canary in a fresh dump of the database', async () => {
    await running.stop();
    if (running.database?.url) {
      const url = new URL(running.database.url);
      const schema = /search_path=(\w+)/.exec(decodeURIComponent(url.searchParams.get('options') ?? ''))?.[1];
      expect(schema).toBeTruthy();
      url.searchParams.delete('options');
      const { stdout } = await promisify(execFile)('pg_dump', ['--schema', schema!, '--no-owner', url.toString()], { maxBuffer: 256 * 1024 * 1024 });
      expect(stdout).toContain('CREATE TABLE');
      expect(stdout).toContain(parcoursId);
      expect(leaks(stdout)).toEqual([]);
    } else {
      // PGlite: its data folder is the database; its raw bytes are a dump and more (dead rows included).
      const files = filesUnder(running.config.dataDir);
      expect(files.length).toBeGreaterThan(10);
      let bytes = 0;
      for (const file of files) {
        const content = readFileSync(file);
        bytes += content.length;
        for (const value of Object.values(canaries)) expect({ file, found: content.includes(Buffer.from(value)) }).toEqual({ file, found: false });
      }
      expect(bytes).toBeGreaterThan(1_000_000);
    }
  });
});

/** A valid NIR (key checked) distinct per run: a man born in May 1984 in commune 63113, order number `order`. */
function nirFor(order: number): string {
  const body = `1840563113${String(order).padStart(3, '0')}`;
  return `${body}${String(97 - (Number(body) % 97)).padStart(2, '0')}`;
}

function filesUnder(directory: string): string[] {
  return readdirSync(directory).flatMap((name) => {
    const path = join(directory, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}
