import { randomUUID } from 'node:crypto';
import { SqlClient } from '../../src/database/sql-client.js';
import { type Consortium, seedConsortium } from '../support/consortium.js';
import { type Body, json } from '../support/http.js';
import { anEngagementContract, anOpening, clientWithParcours } from '../support/parcours-fixtures.js';
import { type RunningApp, startApp } from '../support/test-app.js';

describe('audit API: replay as of, timeline, verify — for auditors, journaled', () => {
  let running: RunningApp;
  let consortium: Consortium;
  let parcoursId: string;

  const { post, get, aFollowedParcours } = clientWithParcours(() => running, () => consortium);

  beforeAll(async () => {
    running = await startApp({ RATE_LIMIT_PER_MINUTE: '1000000' });
    consortium = await seedConsortium(running);
    parcoursId = await aFollowedParcours({
      identity: { firstName: 'Inès', lastName: 'Chabrol', birthDate: '1988-07-14' },
      entryOn: '2026-03-02',
      orientedOn: '2026-03-20',
      notifiedOn: '2026-03-23',
      referentAssignedOn: '2026-03-25',
    });
    await post('ml-referent', `/v1/parcours/${parcoursId}/engagement-contracts`, anEngagementContract({ signedOn: '2026-04-10', endsOn: '2026-10-09' }));
  });

  afterAll(async () => {
    await running.close();
  });

  it('replays the state as the facts were at a date, and as the system knew it then', async () => {
    // Everything was recorded today, with business dates in March and April.
    const facts = await json(await get('cd63-auditor', `/v1/audit/parcours/${parcoursId}/state?asOf=2026-03-31`));
    expect(facts).toMatchObject({ asOf: '2026-03-31', mode: 'facts', eventsApplied: 5, eventsAfter: 1 });
    expect(facts.state).toMatchObject({ status: 'open', orientation: { parcoursType: 'emploi' }, referent: { userId: 'ml-referent' }, identity: { status: 'encrypted' } });
    expect(JSON.stringify(facts)).not.toMatch(/Chabrol|Inès|1988-07-14/);

    const known = await json(await get('cd63-auditor', `/v1/audit/parcours/${parcoursId}/state?asOf=2026-03-31&asKnown=true`));
    expect(known).toMatchObject({ mode: 'known', state: null, eventsApplied: 0, eventsAfter: 6, version: 0 });
  });

  it('draws the timeline as JSON with ids and hashes, as CSV and as a self-contained HTML page', async () => {
    const timeline = await json(await get('ml-auditor', `/v1/audit/parcours/${parcoursId}/timeline?asOf=2026-05-01`));
    expect(timeline.entries).toHaveLength(6);
    for (const entry of timeline.entries as Body[]) {
      expect(entry.eventId).toMatch(/^[0-9a-f-]{36}$/);
      expect(entry.hash).toMatch(/^[0-9a-f]{64}$/);
    }
    expect(timeline.lanes.referents).toEqual([expect.objectContaining({ start: '2026-03-25', partnerId: consortium.missionLocale.id, partnerName: consortium.missionLocale.name })]);
    expect(timeline.lanes.engagementContracts).toEqual([expect.objectContaining({ kind: 'CE', start: '2026-04-10' })]);

    const csv = await get('cd63-auditor', `/v1/audit/parcours/${parcoursId}/timeline`, 'text/csv');
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    const lines = (await csv.text()).trim().split(/\r?\n/);
    expect(lines).toHaveLength(7);
    expect(lines.slice(1).every((line) => line.includes(parcoursId) || /[0-9a-f]{64}/.test(line))).toBe(true);

    const html = await get('cd63-auditor', `/v1/audit/parcours/${parcoursId}/timeline`, 'text/html');
    expect(html.headers.get('content-type')).toMatch(/^text\/html/);
    const page = await html.text();
    expect(page).toMatch(/^<!doctype html>/i);
    expect(page).toContain('<svg');
    expect(page).toContain(consortium.missionLocale.name);
    expect(page).not.toMatch(/<script[^>]+src=|<link[^>]+href=|Chabrol/);
  });

  it('verifies the hash chain of the parcours and reports the version a direct SQL edit changed', async () => {
    expect(await json(await get('cd63-auditor', `/v1/audit/parcours/${parcoursId}/verify`))).toEqual({ streams: 1, events: 6, tamperings: 0, breaks: [] });

    const opening = anOpening({ identity: { firstName: 'Léo', lastName: 'Roux', birthDate: '1979-01-05' }, entryOn: '2026-03-02' });
    const other = (await post('cd63-orientation_manager', '/v1/parcours', opening)) as { parcoursId: string };
    const db = running.app.get(SqlClient);
    await db.query(`UPDATE events SET data = jsonb_set(data::jsonb, '{entryOn}', '"2026-01-02"')::json WHERE stream_id = $1 AND stream_version = 1`, [`parcours-${other.parcoursId}`]);
    const report = await json(await get('cd63-auditor', `/v1/audit/parcours/${other.parcoursId}/verify`));
    expect(report.breaks).toEqual([expect.objectContaining({ kind: 'changed', streamId: `parcours-${other.parcoursId}`, streamVersion: 1 })]);
  });

  it('is for auditors only, answers 404 to an unknown parcours and 400 to a bad date', async () => {
    for (const as of ['cd63-coordinator', 'ml-referent', 'cd63-dpo']) expect((await get(as, `/v1/audit/parcours/${parcoursId}/state?asOf=2026-03-31`)).status).toBe(403);
    const unknown = await get('cd63-auditor', `/v1/audit/parcours/${randomUUID()}/timeline`);
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    const badDate = await get('cd63-auditor', `/v1/audit/parcours/${parcoursId}/state?asOf=2026-02-30`);
    expect(badDate.status).toBe(400);
    expect((await json(badDate)).title).toBeTruthy();
    expect((await get('cd63-auditor', `/v1/audit/parcours/${parcoursId}/state`)).status).toBe(400);
    expect((await get('cd63-auditor', `/v1/audit/parcours/not-a-uuid/verify`)).status).toBe(400);
  });

  it('writes every audit read to the access journal, with the auditor and the operation', async () => {
    const journal = await json(await get('cd63-auditor', `/v1/access-journal?recordId=${parcoursId}&limit=500`));
    const operations = (journal.items as Body[]).filter((item) => item.role === 'auditor').map((item) => `${item.userId}:${item.operation}`);
    expect(operations).toEqual(expect.arrayContaining(['cd63-auditor:audit.replay', 'ml-auditor:audit.timeline', 'cd63-auditor:audit.timeline', 'cd63-auditor:audit.verify']));
    expect(operations.filter((operation) => operation === 'cd63-auditor:audit.replay')).toHaveLength(2);
  });
});
