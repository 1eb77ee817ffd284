import { readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { SqlClient } from '../../src/database/sql-client.js';
import { BlindIndex } from '../../src/privacy/blind-index/blind-index.js';
import { blindIndexKeyFile } from '../../src/privacy/blind-index/blind-index-keys.js';
import { reindexBlindIndexes } from '../../src/personal-data/reindex.js';
import { PersonalDataCipher } from '../../src/privacy/crypto/personal-data-cipher.js';
import { type Consortium, seedConsortium } from '../support/consortium.js';
import { type Body, consortiumClient, json } from '../support/http.js';
import { testNir, uniqueLastName } from '../support/people.js';
import { type RunningApp, startApp } from '../support/test-app.js';

/**
 * Finding a person without clear identifiers (blind indexes), and one open parcours per person:
 * search by each identifier and its spellings, what each caller may see of the answer, the 409 in
 * both forms, concurrent openings, rectification, exit and reopening, key rotation and re-index.
 */
describe('identity look-up and one open parcours per person', () => {
  let running: RunningApp;
  let consortium: Consortium;
  const client = consortiumClient(() => running, () => consortium);

  function person() {
    const allocataire = String(randomBytes(3).readUIntBE(0, 3) % 10_000_000).padStart(7, '0');
    return {
      firstName: 'Marie-Élise Anne',
      lastName: `D'${uniqueLastName('Épinay')}`,
      birthDate: '1988-02-29',
      nir: testNir(),
      allocataire: { organism: 'caf' as const, number: allocataire },
    };
  }

  function opening(identity: Body, overrides: Body = {}) {
    return { identity, householdRole: 'demandeur', rsaSocle: true, entryOn: '2026-03-02', territory: 'cc-thiers-dore-et-montagne', source: 'caf', ...overrides };
  }

  async function send(as: string, path: string, body: unknown): Promise<{ status: number; body: Body }> {
    const response = await client.send(as, path, body);
    return { status: response.status, body: await json(response) };
  }

  async function open(as: string, identity: Body, overrides: Body = {}): Promise<string> {
    return ((await client.post(as, '/v1/parcours', opening(identity, overrides))) as { parcoursId: string }).parcoursId;
  }

  async function search(as: string, criteria: Body): Promise<{ status: number; body: Body }> {
    return send(as, '/v1/parcours/search', criteria);
  }

  const ids = (answer: { body: Body }) => (answer.body.items as Body[]).map((item) => item.id);

  beforeAll(async () => {
    running = await startApp({ RATE_LIMIT_PER_MINUTE: '1000000' });
    consortium = await seedConsortium(running);
  });

  afterAll(async () => {
    await running?.close();
  });

  it('finds a person by NIR, allocataire number, or names and birth date, however they are spelled', async () => {
    const identity = person();
    const parcoursId = await open('cd63-orientation_manager', identity);
    const nirAsWritten = `${identity.nir.slice(0, 1)} ${identity.nir.slice(1, 3)} ${identity.nir.slice(3, 5)} ${identity.nir.slice(5, 7)} ${identity.nir.slice(7, 10)} ${identity.nir.slice(10, 13)} ${identity.nir.slice(13)}`;
    const byNir = await search('cd63-orientation_manager', { nir: nirAsWritten });
    expect(byNir).toMatchObject({ status: 200, body: { items: [{ id: parcoursId, status: 'open', matchedBy: ['nir'], identity: { lastName: identity.lastName } }] } });
    const unpadded = String(Number(identity.allocataire.number));
    expect(ids(await search('cd63-orientation_manager', { allocataire: { organism: 'caf', number: unpadded } }))).toEqual([parcoursId]);
    // The same number at the MSA is another household's file.
    expect(ids(await search('cd63-orientation_manager', { allocataire: { organism: 'msa', number: unpadded } }))).toEqual([]);
    const respelled = {
      lastName: identity.lastName.normalize('NFD').replace(/\p{M}/gu, '').replace("'", ' ').toUpperCase(),
      firstName: 'anne  ELISE-marie',
      birthDate: identity.birthDate,
    };
    expect(await search('cd63-coordinator', respelled)).toMatchObject({ status: 200, body: { items: [{ id: parcoursId, matchedBy: ['name_birth'] }] } });
    const all = await search('cd63-orientation_manager', { ...respelled, nir: identity.nir, allocataire: identity.allocataire });
    expect(all.body.items).toEqual([expect.objectContaining({ id: parcoursId, matchedBy: ['allocataire', 'name_birth', 'nir'] })]);
    // Another birth date, another first name: another person.
    expect(ids(await search('cd63-orientation_manager', { ...respelled, birthDate: '1988-03-01' }))).toEqual([]);
    expect(ids(await search('cd63-orientation_manager', { ...respelled, firstName: 'Anne Elise' }))).toEqual([]);
  });

  it('answers only the parcours the caller may see, journals every search, and refuses roles that must not identify people', async () => {
    const identity = person();
    const parcoursId = await open('cd63-orientation_manager', identity);
    // The mission locale does not follow it (yet): nothing, exactly as if the person had none.
    expect(await search('ml-referent', { nir: identity.nir })).toEqual({ status: 200, body: { items: [] } });
    await client.post('cd63-orientation_manager', `/v1/parcours/${parcoursId}/orientation`, {
      parcoursType: 'emploi',
      organismeReferentId: consortium.missionLocale.id,
      reason: 'diagnostic_outcome',
      decidedOn: '2026-03-20',
    });
    expect(ids(await search('ml-referent', { nir: identity.nir }))).toEqual([parcoursId]);
    // An auditor reads pseudonymised data: a search by identifier would undo that.
    expect((await search('cd63-auditor', { nir: identity.nir })).status).toBe(403);
    expect((await search('cd63-platform_admin', { nir: identity.nir })).status).toBe(403);
    const db = running.app.get(SqlClient);
    const journal = await db.query<{ actor_user_id: string; record_id: string; outcome: string }>(
      `SELECT actor_user_id, record_id, outcome FROM access_journal WHERE operation = 'parcours.search' AND actor_user_id = 'ml-referent' ORDER BY entry_id`,
    );
    expect(journal.slice(-2)).toEqual([
      { actor_user_id: 'ml-referent', record_id: '*', outcome: 'not_found' },
      { actor_user_id: 'ml-referent', record_id: parcoursId, outcome: 'ok' },
    ]);
    // Never the identifiers, in the journal or anywhere but the encrypted identity.
    const everything = await db.query<{ row: string }>(`SELECT t::text AS row FROM access_journal t UNION ALL SELECT t::text FROM parcours_blind_index t UNION ALL SELECT t::text FROM events t`);
    expect(everything.filter((row) => row.row.includes(identity.nir) || row.row.includes(identity.allocataire.number))).toEqual([]);
  });

  it('refuses a search without a whole criterion, one message per field', async () => {
    expect(await search('cd63-orientation_manager', {})).toMatchObject({ status: 400, body: { code: 'validation_failed', errors: [{ field: 'nir' }] } });
    const partial = await search('cd63-orientation_manager', { lastName: 'Martin' });
    expect(partial).toMatchObject({ status: 400, body: { code: 'validation_failed' } });
    expect((partial.body.errors as Body[]).map((error) => error.field).sort()).toEqual(['birthDate', 'firstName']);
    expect((await search('cd63-orientation_manager', { nir: '184056311300199' })).body.errors).toEqual([{ field: 'nir', message: expect.stringContaining('valid NIR') }]);
  });

  it('refuses a second open parcours for one person: 409 with its id for a caller who sees it, else the organisation in charge only', async () => {
    const identity = person();
    const parcoursId = await open('cd63-orientation_manager', identity);
    const db = running.app.get(SqlClient);
    const count = async () => (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM events'))[0]!.n;
    const before = await count();
    // The same person spelled otherwise, by NIR only, by allocataire number only.
    const again = await send('cd63-orientation_manager', '/v1/parcours', opening({ firstName: 'Anne Marie Élise', lastName: identity.lastName.toLowerCase(), birthDate: identity.birthDate }));
    expect(again).toMatchObject({ status: 409, body: { code: 'parcours_exists', parcoursId } });
    expect((await send('cd63-orientation_manager', '/v1/parcours', opening({ ...person(), nir: identity.nir }))).body).toMatchObject({ code: 'parcours_exists', parcoursId });
    expect((await send('cd63-orientation_manager', '/v1/parcours', opening({ ...person(), allocataire: identity.allocataire }))).body).toMatchObject({ code: 'parcours_exists', parcoursId });
    // The mission locale does not see it: the name of the organisation in charge, nothing of the parcours or the person.
    const foreign = await send('ml-referent', '/v1/parcours', opening(identity));
    expect(foreign.status).toBe(409);
    expect(foreign.body).toMatchObject({ code: 'parcours_exists', organismeReferent: consortium.departement.name });
    expect(foreign.body).not.toHaveProperty('parcoursId');
    expect(JSON.stringify(foreign.body)).not.toContain(parcoursId);
    // Oriented to the mission locale, the organisme référent is named.
    await client.post('cd63-orientation_manager', `/v1/parcours/${parcoursId}/orientation`, {
      parcoursType: 'emploi',
      organismeReferentId: consortium.missionLocale.id,
      reason: 'diagnostic_outcome',
      decidedOn: '2026-03-20',
    });
    expect((await send('aci-referent', '/v1/parcours', opening(identity))).body).toMatchObject({ code: 'parcours_exists', organismeReferent: consortium.missionLocale.name });
    // The conjoint of the same household (same allocataire number) is another person.
    const conjoint = await send('cd63-orientation_manager', '/v1/parcours', opening({ ...person(), allocataire: identity.allocataire }, { householdRole: 'conjoint' }));
    expect(conjoint.status).toBe(201);
    // Nothing was written by the refusals (the orientation wrote 2 events, the conjoint's opening 2).
    expect(await count()).toBe(before + 4);
  });

  it('lets a person who left come back, and refuses to reopen a parcours while another is open', async () => {
    const identity = person();
    const first = await open('cd63-orientation_manager', identity);
    await client.post('cd63-orientation_manager', `/v1/parcours/${first}/exit`, { category: 'autre', reason: 'moved_out_of_territory', exitedOn: '2026-04-01' });
    const second = await open('cd63-orientation_manager', identity, { entryOn: '2026-05-04' });
    expect(ids(await search('cd63-orientation_manager', { nir: identity.nir })).sort()).toEqual([first, second].sort());
    const reopening = await send('cd63-orientation_manager', `/v1/parcours/${first}/reopening`, { reason: 'rsa_rights_reopened', reopenedOn: '2026-06-01' });
    expect(reopening).toMatchObject({ status: 409, body: { code: 'parcours_exists', parcoursId: second } });
    await client.post('cd63-orientation_manager', `/v1/parcours/${second}/exit`, { category: 'autre', reason: 'moved_out_of_territory', exitedOn: '2026-06-02' });
    expect((await send('cd63-orientation_manager', `/v1/parcours/${first}/reopening`, { reason: 'rsa_rights_reopened', reopenedOn: '2026-06-03' })).status).toBe(200);
  });

  it('follows a rectification of the identity: found under the new name, no longer under the old', async () => {
    const identity = person();
    const parcoursId = await open('cd63-orientation_manager', identity);
    const renamed = uniqueLastName('Fayolle');
    await client.post('cd63-dpo', `/v1/parcours/${parcoursId}/identity-rectification`, { corrections: { lastName: renamed, nir: null }, rectifiedOn: '2026-04-01' });
    const names = { firstName: identity.firstName, birthDate: identity.birthDate };
    expect(ids(await search('cd63-orientation_manager', { ...names, lastName: renamed }))).toEqual([parcoursId]);
    expect(ids(await search('cd63-orientation_manager', { ...names, lastName: identity.lastName }))).toEqual([]);
    expect(ids(await search('cd63-orientation_manager', { nir: identity.nir }))).toEqual([]);
    expect(ids(await search('cd63-orientation_manager', { allocataire: identity.allocataire }))).toEqual([parcoursId]);
  });

  it('opens one parcours when several openings for one person race', async () => {
    const identity = person();
    const answers = await Promise.all(
      Array.from({ length: 8 }, (_, index) => send(index % 2 ? 'cd63-orientation_manager' : 'cd63-coordinator', '/v1/parcours', opening({ ...identity, lastName: index % 3 ? identity.lastName : identity.lastName.toUpperCase() }))),
    );
    expect(answers.map((answer) => answer.status).sort()).toEqual([201, 409, 409, 409, 409, 409, 409, 409]);
    const winner = answers.find((answer) => answer.status === 201)!.body.parcoursId as string;
    for (const loser of answers.filter((answer) => answer.status === 409)) expect(loser.body).toMatchObject({ code: 'parcours_exists', parcoursId: winner });
    expect(ids(await search('cd63-orientation_manager', { nir: identity.nir }))).toEqual([winner]);
    const db = running.app.get(SqlClient);
    // No data key left by the losers: every key belongs to a parcours that was opened.
    const orphans = await db.query(`SELECT k.subject_id FROM personal_data_keys k WHERE NOT EXISTS (SELECT 1 FROM events e WHERE e.stream_id = 'parcours-' || k.subject_id::text)`);
    expect(orphans).toEqual([]);
  });

  it('rotates the key: both keys while rotating, then a re-index leaves the new one only; a backfill indexes what has no entry', async () => {
    const identity = person();
    const parcoursId = await open('cd63-orientation_manager', identity);
    const oldKey = running.config.blindIndexKey ?? readFileSync(blindIndexKeyFile(running.config.dataDir), 'utf8').trim();
    const newKey = randomBytes(32).toString('base64');
    await running.stop();
    const rotating = await startApp({ RATE_LIMIT_PER_MINUTE: '1000000', BLIND_INDEX_KEY: newKey, BLIND_INDEX_PREVIOUS_KEY: oldKey }, {}, { instanceOf: running });
    try {
      running = rotating;
      const db = running.app.get(SqlClient);
      const index = running.app.get(BlindIndex);
      // Rows under the old key still find the person and still refuse a second parcours.
      expect(ids(await search('cd63-orientation_manager', { nir: identity.nir }))).toEqual([parcoursId]);
      expect((await send('cd63-orientation_manager', '/v1/parcours', opening(identity))).body).toMatchObject({ code: 'parcours_exists', parcoursId });
      // A parcours opened meanwhile is written under both keys.
      const newcomer = person();
      const newcomerId = await open('cd63-orientation_manager', newcomer);
      const versions = async (id: string) => (await db.query<{ key_version: string }>('SELECT DISTINCT key_version FROM parcours_blind_index WHERE parcours_id = $1 ORDER BY 1', [id])).map((row) => row.key_version);
      expect((await versions(newcomerId)).length).toBe(2);
      // A parcours from before the blind indexes: no entry at all.
      await db.query('DELETE FROM parcours_blind_index WHERE parcours_id = $1', [parcoursId]);
      const report = await reindexBlindIndexes(db, running.app.get(PersonalDataCipher), index);
      expect(report.duplicates).toEqual([]);
      expect(report.reindexed).toBeGreaterThanOrEqual(2);
      const left = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM parcours_blind_index WHERE key_version <> $1', [index.currentKeyVersion]);
      expect(left).toEqual([{ n: 0 }]);
      expect(await versions(parcoursId)).toEqual([index.currentKeyVersion]);
      expect(await versions(newcomerId)).toEqual([index.currentKeyVersion]);
      // Nothing left to do: a second run changes nothing.
      expect(await reindexBlindIndexes(db, running.app.get(PersonalDataCipher), index)).toMatchObject({ reindexed: 0, cleared: 0 });
    } finally {
      await rotating.stop();
    }
    // The previous key retired: everything is found, and refused, under the new key alone.
    running = await startApp({ RATE_LIMIT_PER_MINUTE: '1000000', BLIND_INDEX_KEY: newKey }, {}, { instanceOf: rotating });
    expect(ids(await search('cd63-orientation_manager', { nir: identity.nir }))).toEqual([parcoursId]);
    expect((await send('ml-referent', '/v1/parcours', opening({ ...person(), nir: identity.nir }))).body).toMatchObject({ code: 'parcours_exists', organismeReferent: consortium.departement.name });
  });
});
