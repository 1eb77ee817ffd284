import { randomUUID } from 'node:crypto';
import { FixedClock } from '../../src/kernel/clock.js';
import { SqlClient } from '../../src/database/sql-client.js';
import { buildOpenApiDocument } from '../../src/openapi.js';
import { ProjectionsService } from '../../src/projections/projections.module.js';
import { type Consortium, seedConsortium } from '../support/consortium.js';
import { KNOWN_FREE_FORM, OpenApiValidator } from '../support/openapi-validator.js';
import { type Body, json } from '../support/http.js';
import { clientWithParcours } from '../support/parcours-fixtures.js';
import { type RunningApp, startApp } from '../support/test-app.js';

/** Rectification (art. 16), restriction (art. 18) and opposition (art. 21), access (art. 15). */
describe('the rights of the person over HTTP', () => {
  const clock = new FixedClock(new Date('2026-06-15T10:00:00Z'));
  let running: RunningApp;
  let consortium: Consortium;
  let projections: ProjectionsService;
  let parcoursId: string;

  const { send, post, get, aFollowedParcours } = clientWithParcours(() => running, () => consortium);

  const appointment = (scheduledOn: string) => ({ appointmentId: randomUUID(), kind: 'accompaniment', scheduledOn, outcome: 'seen', partnerId: consortium.missionLocale.id });

  /** The feed of an organisation about the parcours: types, in order, with their data. */
  async function feedOf(as: string): Promise<Array<{ type: string; data: Body }>> {
    await projections.whenCaughtUp();
    const page = await json(await get(as, '/v1/feed?limit=500'));
    return (page.items as Body[]).filter((item) => item.parcoursId === parcoursId).map((item) => ({ type: item.type, data: item.data }));
  }

  beforeAll(async () => {
    running = await startApp({ RATE_LIMIT_PER_MINUTE: '1000000' }, { clock });
    consortium = await seedConsortium(running);
    projections = running.app.get(ProjectionsService);
    parcoursId = await aFollowedParcours({
      identity: { firstName: 'Maëlle', lastName: 'Fayolle', birthDate: '1990-09-09', email: 'maelle.f@exemple.fr' },
      entryOn: '2026-03-02',
      parcoursType: 'socio_professionnel',
      orientedOn: '2026-03-10',
      referentAssignedOn: '2026-03-12',
    });
    await post('ml-referent', `/v1/parcours/${parcoursId}/follow-up-group`, { partnerId: consortium.aci.id, joinedOn: '2026-03-20' });
    await post('ml-referent', `/v1/parcours/${parcoursId}/contacts`, { contactId: randomUUID(), channel: 'in_person', contactedOn: '2026-04-01', partnerId: consortium.missionLocale.id, note: 'Souhaite une formation <cariste> & un permis' });
    // Reads, to be found in the access journal and the export.
    expect((await get('ml-referent', `/v1/parcours/${parcoursId}`)).status).toBe(200);
    expect((await get('aci-referent', `/v1/parcours/${parcoursId}`)).status).toBe(200);
  });

  afterAll(async () => {
    await running.close();
  });

  describe('rectification (art. 16)', () => {
    it('lets a caseworker correct identity fields: a new encrypted event naming the fields, the new value read back', async () => {
      const rectified = await post('ml-referent', `/v1/parcours/${parcoursId}/identity-rectification`, { corrections: { lastName: 'Fayolle-Brun', email: 'maelle.f@exemple.fr' } });
      expect(rectified).toMatchObject({ changed: true, events: [{ type: 'IdentityRectified' }] });
      const db = running.app.get(SqlClient);
      const [event] = await db.query<{ data: Body }>(`SELECT data FROM events WHERE event_id = $1`, [rectified.events[0].eventId]);
      // Only the field whose value changed is named; values only as ciphertext.
      expect(event!.data).toMatchObject({ fields: ['lastName'], identity: { ciphertext: expect.any(String) }, rectifiedOn: '2026-06-15' });
      expect(JSON.stringify(event)).not.toContain('Fayolle');
      expect((await json(await get('ml-referent', `/v1/parcours/${parcoursId}`))).identity).toMatchObject({ firstName: 'Maëlle', lastName: 'Fayolle-Brun' });
    });

    it('records nothing when nothing differs, and refuses what is not an identity field', async () => {
      expect(await post('ml-referent', `/v1/parcours/${parcoursId}/identity-rectification`, { corrections: { lastName: 'Fayolle-Brun' } })).toMatchObject({ changed: false, events: [] });
      const unknown = await send('ml-referent', `/v1/parcours/${parcoursId}/identity-rectification`, { corrections: { nickname: 'Mae' } });
      expect(unknown.status).toBe(400);
      expect(unknown.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect((await send('ml-referent', `/v1/parcours/${parcoursId}/identity-rectification`, { corrections: { birthDate: '1990-02-30' } })).status).toBe(400);
      expect((await send('ml-referent', `/v1/parcours/${parcoursId}/identity-rectification`, { corrections: { lastName: null } })).status).toBe(400);
    });
  });

  describe('opposition (art. 21) and restriction (art. 18)', () => {
    it('after an opposition, only the organisations in charge receive the record; every follower is told of the opposition, never its ground', async () => {
      await post('cd63-dpo', `/v1/parcours/${parcoursId}/processing-restrictions`, { right: 'opposition', ground: 'particular_situation' });
      await post('ml-referent', `/v1/parcours/${parcoursId}/appointments`, appointment('2026-06-15'));
      const aci = await feedOf('aci-referent');
      expect(aci.at(-1)).toEqual({ type: 'ProcessingRestricted', data: { right: 'opposition', restrictedOn: '2026-06-15' } });
      expect(aci.some((item) => item.type === 'AppointmentRecorded')).toBe(false);
      const missionLocale = await feedOf('ml-referent');
      expect(missionLocale.slice(-2).map((item) => item.type)).toEqual(['ProcessingRestricted', 'AppointmentRecorded']);
      expect(JSON.stringify(missionLocale)).not.toContain('particular_situation');
      const caseload = await json(await get('ml-referent', '/v1/caseload'));
      expect(caseload.items.find((item: Body) => item.parcoursId === parcoursId)).toMatchObject({ opposedSince: '2026-06-15', restrictedSince: null });
    });

    it('under a restriction nothing can be recorded nor shared, until it is lifted', async () => {
      await post('cd63-dpo', `/v1/parcours/${parcoursId}/processing-restrictions`, { right: 'restriction', ground: 'accuracy_contested' });
      const refused = await send('ml-referent', `/v1/parcours/${parcoursId}/appointments`, appointment('2026-06-15'));
      expect(refused.status).toBe(422);
      expect(await json(refused)).toMatchObject({ code: 'processing_restricted' });
      expect((await json(await get('ml-referent', `/v1/parcours/${parcoursId}`))).restrictions).toMatchObject({ restriction: { ground: 'accuracy_contested', since: '2026-06-15' } });
      // Another ground while one is in force is a conflict; the same one again changes nothing.
      expect((await send('cd63-dpo', `/v1/parcours/${parcoursId}/processing-restrictions`, { right: 'restriction', ground: 'objection_pending' })).status).toBe(409);
      expect(await post('cd63-dpo', `/v1/parcours/${parcoursId}/processing-restrictions`, { right: 'restriction', ground: 'accuracy_contested' })).toMatchObject({ changed: false });

      clock.advanceDays(3);
      await post('cd63-dpo', `/v1/parcours/${parcoursId}/processing-restrictions/restriction/lifting`, {});
      await post('ml-referent', `/v1/parcours/${parcoursId}/appointments`, appointment('2026-06-18'));
      expect((await feedOf('ml-referent')).slice(-3).map((item) => item.type)).toEqual(['ProcessingRestricted', 'ProcessingRestrictionLifted', 'AppointmentRecorded']);
    });

    it('is the DPO’s: 403 to caseworkers, 400 to an unknown right or ground', async () => {
      expect((await send('ml-referent', `/v1/parcours/${parcoursId}/processing-restrictions`, { right: 'restriction', ground: 'accuracy_contested' })).status).toBe(403);
      expect((await send('cd63-dpo', `/v1/parcours/${parcoursId}/processing-restrictions`, { right: 'silence', ground: 'accuracy_contested' })).status).toBe(400);
      expect((await send('cd63-dpo', `/v1/parcours/${parcoursId}/processing-restrictions`, { right: 'restriction', ground: 'because' })).status).toBe(400);
      expect((await send('cd63-dpo', `/v1/parcours/${parcoursId}/processing-restrictions/silence/lifting`, {})).status).toBe(400);
      expect((await send('cd63-dpo', `/v1/parcours/${parcoursId}/erasure`, { legalGround: 'tired' })).status).toBe(400);
      expect((await send('ml-referent', `/v1/parcours/${parcoursId}/erasure`, { legalGround: 'erasure_request_granted' })).status).toBe(403);
    });
  });

  describe('access (art. 15): the personal-data export', () => {
    it('holds the identity, the replaced value, every event in French with the notes, and every access journal entry', async () => {
      const db = running.app.get(SqlClient);
      const [{ count: events }] = await db.query<{ count: string }>('SELECT count(*)::text AS count FROM events WHERE stream_id = $1', [`parcours-${parcoursId}`]);
      // Its own entries, and the pages of partners' feeds that carried it.
      const journal = await db.query<{ operation: string }>(
        `SELECT operation FROM access_journal WHERE (record_type = 'parcours' AND record_id = $1) OR (record_type = 'feed_page' AND record_ids @> ARRAY[$1]) ORDER BY at, entry_id`,
        [parcoursId],
      );
      expect(journal.map((entry) => entry.operation)).toContain('feed.read');
      expect(journal.length).toBeGreaterThan(10);

      const response = await get('cd63-dpo', `/v1/parcours/${parcoursId}/personal-data-export`);
      expect(response.status).toBe(200);
      expect(response.headers.get('cache-control')).toBe('no-store');
      const data = await json(response);
      // As the document declares it, strictly: a replaced identity, a decrypted note, recipients and journal entries.
      const openapi = new OpenApiValidator(buildOpenApiDocument(running.app), { freeForm: KNOWN_FREE_FORM });
      expect(openapi.errors('GET', '/v1/parcours/{parcoursId}/personal-data-export', 200, data)).toEqual([]);
      expect(data.identity).toMatchObject({ firstName: 'Maëlle', lastName: 'Fayolle-Brun', email: 'maelle.f@exemple.fr' });
      expect(data.replacedIdentities).toEqual([{ until: '2026-06-15', identity: expect.objectContaining({ lastName: 'Fayolle' }) }]);
      expect(data.events).toHaveLength(Number(events));
      expect(data.events.map((event: Body) => event.streamVersion)).toEqual(expect.arrayContaining(Array.from({ length: Number(events) }, (_, index) => index + 1)));
      expect(data.events.find((event: Body) => event.type === 'ContactRecorded')).toMatchObject({ title: 'Contact', note: 'Souhaite une formation <cariste> & un permis', organisation: consortium.missionLocale.name });
      expect(data.events.find((event: Body) => event.type === 'ProcessingRestricted')).toMatchObject({ title: 'Opposition au traitement' });
      expect(data.accessJournal.map((entry: Body) => entry.operation)).toEqual(journal.map((entry) => entry.operation));
      expect(data.recipients).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ partnerId: consortium.aci.id, partnerName: consortium.aci.name, accesses: expect.any(Number) }),
          expect.objectContaining({ partnerId: consortium.missionLocale.id, partnerName: consortium.missionLocale.name }),
        ]),
      );
      expect(data.status).toEqual({ parcoursStatus: 'open', archivedOn: null, restrictedSince: null, opposedSince: '2026-06-15' });
      // Organisations, not staff: no caseworker's user id.
      expect(JSON.stringify(data)).not.toMatch(/ml-referent|cd63-orientation_manager|aci-referent/);
    });

    it('is itself journaled, and reads as a French document with Accept: text/html', async () => {
      const html = await get('cd63-dpo', `/v1/parcours/${parcoursId}/personal-data-export`, 'text/html');
      expect(html.headers.get('content-type')).toMatch(/^text\/html/);
      const page = await html.text();
      expect(page).toMatch(/^<!doctype html>/i);
      expect(page).toContain('Fayolle-Brun');
      expect(page).toContain('Souhaite une formation &lt;cariste&gt; &amp; un permis');
      expect(page).toContain(consortium.missionLocale.name);
      expect(page).not.toMatch(/<script|<link/);
      const db = running.app.get(SqlClient);
      const exports = await db.query(`SELECT 1 FROM access_journal WHERE record_id = $1 AND operation = 'privacy.export' AND actor_role = 'dpo'`, [parcoursId]);
      expect(exports.length).toBe(2);
    });

    it('is for the DPO only, and answers 404 to an unknown parcours', async () => {
      for (const as of ['ml-referent', 'cd63-auditor', 'cd63-platform_admin', 'cd63-coordinator']) {
        expect((await get(as, `/v1/parcours/${parcoursId}/personal-data-export`)).status).toBe(403);
      }
      const unknown = await get('cd63-dpo', `/v1/parcours/${randomUUID()}/personal-data-export`);
      expect(unknown.status).toBe(404);
      expect(unknown.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect((await get('cd63-dpo', '/v1/parcours/not-a-uuid/personal-data-export')).status).toBe(400);
    });
  });
});
