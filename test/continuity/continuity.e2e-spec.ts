import { FixedClock } from '../../src/kernel/clock.js';
import { ContinuityScheduler } from '../../src/continuity/read-models/continuity.scheduler.js';
import { ProjectionsService } from '../../src/projections/projections.module.js';
import { type Consortium, seedConsortium } from '../support/consortium.js';
import { type Body, consortiumClient, json } from '../support/http.js';
import { anOpening } from '../support/parcours-fixtures.js';
import { type RunningApp, startApp } from '../support/test-app.js';

describe('continuity: findings per parcours, alerts that time alone raises, report', () => {
  const clock = new FixedClock(new Date('2026-06-01T09:00:00+02:00'));
  let running: RunningApp;
  let consortium: Consortium;
  let projections: ProjectionsService;
  let parcoursId: string;

  const { post, get } = consortiumClient(() => running, () => consortium);

  beforeAll(async () => {
    running = await startApp({ RATE_LIMIT_PER_MINUTE: '1000000' }, { clock });
    consortium = await seedConsortium(running);
    projections = running.app.get(ProjectionsService);
    // Entered on 20 April and never oriented: on 1 June, 42 days later, R1 warns; on day 43 it is breached.
    const opening = anOpening({ identity: { firstName: 'Noé', lastName: 'Farge', birthDate: '1991-02-03' }, entryOn: '2026-04-20' });
    ({ parcoursId } = (await post('cd63-orientation_manager', '/v1/parcours', opening)) as { parcoursId: string });
    await projections.whenCaughtUp();
  });

  afterAll(async () => {
    await running.close();
  });

  async function alerts(): Promise<Body[]> {
    const report = await json(await get('cd63-coordinator', `/v1/reports/continuity?territory=cc-thiers-dore-et-montagne`));
    return (report.ruptures as Body[]).filter((rupture) => rupture.parcoursId === parcoursId);
  }

  it('warns of an entry without orientation on day 42, and shows it in the caseload', async () => {
    expect(await alerts()).toEqual([expect.objectContaining({ ruleId: 'R1', severity: 'warning', status: 'open', dueOn: '2026-06-01' })]);
    const caseload = await json(await get('cd63-orientation_manager', '/v1/caseload'));
    expect(caseload.items.find((item: Body) => item.parcoursId === parcoursId)).toMatchObject({ openAlerts: 1, openBreaches: 0, nextDeadlineOn: '2026-06-02' });
  });

  it('turns into a breach when the deadline passes with no event, once the scheduler ran', async () => {
    clock.set(new Date('2026-06-03T09:00:00+02:00'));
    expect(await running.app.get(ContinuityScheduler).reevaluateDue()).toBeGreaterThanOrEqual(1);
    const [finding] = await alerts();
    expect(finding).toMatchObject({ ruleId: 'R1', severity: 'breach', status: 'open', observedOn: '2026-06-02', durationDays: 2 });
    expect(finding!.evidence.eventIds).toHaveLength(1);
    expect(finding!.policy).toMatchObject({ version: expect.any(String), thresholds: { warningAfterDays: 30, breachAfterDays: 42 } });
  });

  it('answers the findings of one parcours as of any date, and 404 to an organisation that does not follow it', async () => {
    const before = await json(await get('cd63-orientation_manager', `/v1/parcours/${parcoursId}/continuity?asOf=2026-05-15`));
    expect(before).toMatchObject({ asOf: '2026-05-15', findings: [] });
    const after = await json(await get('cd63-orientation_manager', `/v1/parcours/${parcoursId}/continuity`));
    expect(after.findings).toEqual([expect.objectContaining({ ruleId: 'R1', severity: 'breach' })]);
    expect((await get('aci-referent', `/v1/parcours/${parcoursId}/continuity`)).status).toBe(404);
  });

  it('closes the rupture when the orientation comes, with its duration, and reports it in CSV', async () => {
    await post('cd63-orientation_manager', `/v1/parcours/${parcoursId}/orientation`, {
      parcoursType: 'social',
      organismeReferentId: consortium.departement.id,
      reason: 'diagnostic_outcome',
      decidedOn: '2026-06-03',
    });
    await projections.whenCaughtUp();
    expect(await alerts()).toEqual(expect.arrayContaining([expect.objectContaining({ ruleId: 'R1', severity: 'breach', status: 'closed', endedOn: '2026-06-03', durationDays: 2 })]));
    // Entered in 2026: judged by the plein-emploi entries, counted under that regime.
    const report = await json(await get('cd63-auditor', '/v1/reports/continuity?rule=R1&territory=cc-thiers-dore-et-montagne'));
    expect(report.summaryByRegime.plein_emploi.R1.closed).toBeGreaterThanOrEqual(1);
    expect(report.summaryByRegime.spie_2021.R1).toEqual({ open: 0, closed: 0, breaches: 0, warnings: 0 });
    const csv = await (await get('cd63-auditor', '/v1/reports/continuity?rule=R1', 'text/csv')).text();
    expect(csv.split('\r\n')[0]).toContain('Règle;Gravité;État');
    expect(csv).toContain(parcoursId);
  });

  it("names to a coordinator only the parcours of the territories their organisation serves, and journals the report", async () => {
    // The ACI serves Billom only: the Thiers parcours is not theirs to list.
    const elsewhere = await json(await get('aci-coordinator', '/v1/reports/continuity'));
    expect((elsewhere.ruptures as Body[]).some((rupture) => rupture.parcoursId === parcoursId)).toBe(false);
    expect(await json(await get('aci-coordinator', '/v1/reports/continuity?territory=cc-thiers-dore-et-montagne'))).toMatchObject({ ruptures: [] });
    const journal = await json(await get('cd63-auditor', '/v1/access-journal?userId=aci-coordinator'));
    expect(JSON.stringify(journal)).toContain('reports.continuity');
  });
});
