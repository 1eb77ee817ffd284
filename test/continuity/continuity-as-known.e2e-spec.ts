import { randomUUID } from 'node:crypto';
import { SqlClient } from '../../src/database/sql-client.js';
import { ProjectionsService } from '../../src/projections/projections.module.js';
import { type Consortium, seedConsortium } from '../support/consortium.js';
import { day, today } from '../support/days.js';
import { type Body, json } from '../support/http.js';
import { clientWithParcours } from '../support/parcours-fixtures.js';
import { type RunningApp, startApp } from '../support/test-app.js';

/**
 * Issue 14: "on that date, did you know this person had had no contact for 90 days?". A contact
 * back-dated 20 days and recorded today: as known yesterday the R9 rupture was open; as known
 * today, and as the facts were on any date, it closed on the contact's day.
 *
 * The store stamps `recordedAt` with the database's clock, which a test cannot move: the history
 * before the contact is made "recorded months ago" by rewriting its `recorded_at` in SQL (which,
 * being part of the hash chain, `verify` would flag — this stream is not verified here).
 */
describe('continuity as known (recording dates) and as the facts were (business dates)', () => {
  let running: RunningApp;
  let consortium: Consortium;
  let parcoursId: string;
  const yesterday = day(-1);

  const { post, get, aFollowedParcours } = clientWithParcours(() => running, () => consortium);
  const r9 = async (query: string): Promise<Body> => {
    const answer = await json(await get('cd63-auditor', `/v1/parcours/${parcoursId}/continuity?${query}`));
    return { ...answer, findings: (answer.findings as Body[]).filter((finding) => finding.ruleId === 'R9') };
  };

  beforeAll(async () => {
    running = await startApp({ RATE_LIMIT_PER_MINUTE: '1000000' });
    consortium = await seedConsortium(running);
    // Assigned 170 days ago: no contact for 90 days makes R9 a rupture from day -79.
    parcoursId = await aFollowedParcours({
      identity: { firstName: 'Léa', lastName: 'Boissonnade', birthDate: '1984-05-06' },
      entryOn: day(-180),
      orientedOn: day(-175),
      notifiedOn: day(-175),
      referentAssignedOn: day(-170),
    });
    const earlier = `${day(-170)}T10:00:00.000Z`;
    const db = running.app.get(SqlClient);
    await db.query(`UPDATE events SET recorded_at = $2::timestamptz WHERE stream_id = $1`, [`parcours-${parcoursId}`, earlier]);
    // The continuity read model keeps its own copy of the events (for the report): the same rewrite there.
    await running.app.get(ProjectionsService).whenCaughtUp();
    await db.query(`UPDATE continuity_events SET event = jsonb_set(event, '{recordedAt}', to_jsonb($2::text)) WHERE parcours_id = $1`, [parcoursId, earlier]);
    // The contact of 20 days ago, recorded only today.
    await post('ml-referent', `/v1/parcours/${parcoursId}/contacts`, { contactId: randomUUID(), channel: 'phone', contactedOn: day(-20), partnerId: consortium.missionLocale.id });
    await running.app.get(ProjectionsService).whenCaughtUp();
  });

  afterAll(async () => {
    await running.close();
  });

  it('as known yesterday, before the recording day: the rupture is open, 79 days long', async () => {
    const answer = await r9(`asOf=${yesterday}&asKnown=true`);
    expect(answer).toMatchObject({ asOf: yesterday, mode: 'known', regime: 'plein_emploi' });
    expect(answer.findings).toEqual([expect.objectContaining({ severity: 'breach', status: 'open', observedOn: day(-79), endedOn: null, durationDays: 79 })]);
  });

  it('as known today, the recording day: the rupture closed on the contact’s day', async () => {
    const answer = await r9(`asOf=${today}&asKnown=true`);
    expect(answer.mode).toBe('known');
    expect(answer.findings).toEqual([expect.objectContaining({ severity: 'breach', status: 'closed', observedOn: day(-79), endedOn: day(-20), durationDays: 60 })]);
  });

  it('as the facts were yesterday (the default): closed on the contact’s day already', async () => {
    const answer = await r9(`asOf=${yesterday}`);
    expect(answer.mode).toBe('facts');
    expect(answer.findings).toEqual([expect.objectContaining({ status: 'closed', endedOn: day(-20) })]);
    expect(await r9(`asOf=${yesterday}&asKnown=false`)).toEqual(answer);
  });

  it('as known before the parcours was recorded at all: nothing, and no regime', async () => {
    expect(await r9(`asOf=${day(-171)}&asKnown=true`)).toMatchObject({ regime: null, findings: [] });
  });

  it('the continuity report: as known yesterday, the open rupture; as known today or as the facts were, the closed one', async () => {
    const report = async (query: string) => {
      const answer = await json(await get('cd63-auditor', `/v1/reports/continuity?territory=cc-thiers-dore-et-montagne&rule=R9&${query}`));
      return { ...answer, ruptures: (answer.ruptures as Body[]).filter((rupture) => rupture.parcoursId === parcoursId) };
    };
    const knownYesterday = await report(`asOf=${yesterday}&asKnown=true`);
    expect(knownYesterday).toMatchObject({ evaluatedOn: yesterday, mode: 'known' });
    expect(knownYesterday.ruptures).toEqual([expect.objectContaining({ ruleId: 'R9', status: 'open', observedOn: day(-79), durationDays: 79 })]);
    expect((await report(`asKnown=true`)).ruptures).toEqual([expect.objectContaining({ status: 'closed', endedOn: day(-20) })]);
    expect((await report(`asOf=${yesterday}`)).ruptures).toEqual([expect.objectContaining({ status: 'closed', endedOn: day(-20) })]);
    // Without either, the findings the read model keeps: the same as the facts today.
    expect((await report('')).ruptures).toEqual([expect.objectContaining({ status: 'closed', endedOn: day(-20) })]);
  });

  it('refuses an asKnown that is not a boolean, with a 400 naming the field', async () => {
    const response = await get('cd63-auditor', `/v1/parcours/${parcoursId}/continuity?asOf=${today}&asKnown=maybe`);
    expect(response.status).toBe(400);
    expect(JSON.stringify(await json(response))).toContain('asKnown');
  });
});
