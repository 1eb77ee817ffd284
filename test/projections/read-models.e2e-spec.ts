import { randomUUID } from 'node:crypto';
import { ProjectionsService } from '../../src/projections/projections.module.js';
import { type Consortium, seedConsortium } from '../support/consortium.js';
import { type Body, json } from '../support/http.js';
import { clientWithParcours } from '../support/parcours-fixtures.js';
import { type RunningApp, startApp } from '../support/test-app.js';

describe('read models over HTTP: caseload, reports, partner feeds', () => {
  let running: RunningApp;
  let consortium: Consortium;
  let projections: ProjectionsService;
  const parcours: Record<string, string> = {};

  const client = clientWithParcours(() => running, () => consortium);
  const { post, get } = client;

  /**
   * A parcours opened by the Département in Thiers, diagnosed (health barriers among others),
   * oriented to the mission locale, with a référent who has seen the person.
   */
  async function aFollowedParcours(birthDate: string, rsaSocle = true): Promise<string> {
    const parcoursId = await client.aFollowedParcours({
      identity: { firstName: 'Lou', lastName: 'Canteloup', birthDate },
      rsaSocle,
      diagnosedOn: '2026-01-20',
      barriers: { family: 'medium', health: 'strong' },
      orientedOn: '2026-02-02',
      referentAssignedOn: '2026-02-05',
    });
    await post('ml-referent', `/v1/parcours/${parcoursId}/appointments`, { appointmentId: randomUUID(), kind: 'accompaniment', scheduledOn: '2026-02-16', outcome: 'seen', partnerId: consortium.missionLocale.id });
    return parcoursId;
  }

  beforeAll(async () => {
    running = await startApp({ RATE_LIMIT_PER_MINUTE: '1000000' });
    consortium = await seedConsortium(running);
    projections = running.app.get(ProjectionsService);

    // A PEC of 26 h for a young RSA-socle beneficiary (co-funded), a PEC of 20 h (refused), a part-time CDDI in the ACI.
    parcours.pecYoung = await aFollowedParcours('2002-05-01');
    await post('ml-referent', `/v1/parcours/${parcours.pecYoung}/employment-contracts`, {
      contractId: randomUUID(), kind: 'PEC', employerSiret: '73282932000074', weeklyHours: 26, startsOn: '2026-03-02', plannedEndOn: '2026-08-31',
    });
    parcours.pecShort = await aFollowedParcours('1980-05-01');
    await post('ml-referent', `/v1/parcours/${parcours.pecShort}/employment-contracts`, {
      contractId: randomUUID(), kind: 'PEC', employerSiret: '73282932000074', weeklyHours: 20, startsOn: '2026-03-09', plannedEndOn: '2026-09-08',
    });
    parcours.cddi = await aFollowedParcours('1975-05-01');
    await post('ml-referent', `/v1/parcours/${parcours.cddi}/follow-up-group`, { partnerId: consortium.aci.id, joinedOn: '2026-03-01' });
    await post('ml-referent', `/v1/parcours/${parcours.cddi}/employment-contracts`, {
      contractId: randomUUID(), kind: 'CDDI', employerPartnerId: consortium.aci.id, structureKind: 'ACI', weeklyHours: 24, startsOn: '2026-03-16', plannedEndOn: '2026-09-15',
    });
    await projections.whenCaughtUp();
  });

  afterAll(async () => {
    await running.close();
  });

  it("lists the caseload of the mission locale's référent, and nothing of it to another organisation", async () => {
    const mine = await json(await get('ml-referent', '/v1/caseload?referent=me'));
    const ids = mine.items.map((item: { parcoursId: string }) => item.parcoursId);
    expect(ids).toEqual(expect.arrayContaining([parcours.pecYoung, parcours.pecShort, parcours.cddi]));
    expect(mine.items[0]).toMatchObject({ status: 'open', parcoursType: 'emploi', referent: { userId: 'ml-referent', partnerId: consortium.missionLocale.id } });
    expect(JSON.stringify(mine)).not.toContain('Canteloup');

    const aci = await json(await get('aci-referent', '/v1/caseload'));
    expect(aci.items.map((item: { parcoursId: string }) => item.parcoursId)).toEqual([parcours.cddi]);
  });

  it('computes the CAOM report from the projected contracts, in JSON and in CSV', async () => {
    const report = await json(await get('cd63-coordinator', '/v1/reports/caom?year=2026'));
    expect(report.policy).toMatchObject({ departement: '63' });
    expect(report.pec.envelopes.jeunes.fundedCount).toBe(1);
    expect(report.pec.lines).toEqual(expect.arrayContaining([expect.objectContaining({ status: 'refused', reason: 'hours_below_minimum' })]));
    // 24 h in an ACI: 24/35 × 3 306 € = 2 266,97 €.
    expect(report.aci.committedCents).toBe(226_697);

    const csv = await get('cd63-auditor', '/v1/reports/caom?year=2026', 'text/csv');
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toContain('text/csv');
    const text = await csv.text();
    expect(text).toContain('Volet;Enveloppe;Contrat');
    expect(text).toContain('2266,97');
    expect((await get('ml-referent', '/v1/reports/caom?year=2026')).status).toBe(403);
  });

  it('reports territory indicators per EPCI and month, in JSON and CSV', async () => {
    const rows = await json(await get('cd63-coordinator', '/v1/reports/territories?from=2026-01&to=2026-03&territory=cc-thiers-dore-et-montagne'));
    const january = (rows as unknown as Body[]).find((row) => row.month === '2026-01')!;
    const february = (rows as unknown as Body[]).find((row) => row.month === '2026-02')!;
    expect(january.entries).toBeGreaterThanOrEqual(3);
    expect(february.orientationsByType.emploi).toBeGreaterThanOrEqual(3);
    // Entered 12 January, oriented 2 February: 21 days.
    expect(february.delayEntryToOrientationDays.median).toBe(21);
    const csv = await (await get('cd63-coordinator', '/v1/reports/territories?from=2026-01&to=2026-03', 'text/csv')).text();
    expect(csv.split('\r\n')[0]).toContain('EPCI;Mois;Entrées');
    expect((await get('cd63-coordinator', '/v1/reports/territories?from=2026-04&to=2026-01')).status).toBe(400);
  });

  it('feeds each partner only the parcours it follows, minimised: no identity, no health barrier to the ACI', async () => {
    const aci = await json(await get('aci-referent', '/v1/feed?limit=500'));
    const aciParcours = new Set(aci.items.map((item: { parcoursId: string }) => item.parcoursId));
    expect([...aciParcours]).toEqual([parcours.cddi]);
    const text = JSON.stringify(aci);
    expect(text).not.toContain('identity');
    expect(text).not.toContain('"health"');
    expect(aci.items.map((item: { type: string }) => item.type)).toEqual(expect.arrayContaining(['FollowUpMemberJoined', 'EmploymentContractStarted']));

    const ml = await json(await get('ml-referent', '/v1/feed?limit=500'));
    expect(new Set(ml.items.map((item: { parcoursId: string }) => item.parcoursId))).toEqual(new Set([parcours.pecYoung, parcours.pecShort, parcours.cddi]));

    // Paging by cursor gives the same items.
    const first = await json(await get('ml-referent', '/v1/feed?limit=3'));
    const second = await json(await get('ml-referent', `/v1/feed?limit=3&after=${first.nextCursor}`));
    expect([...first.items, ...second.items].map((item: Body) => item.eventId)).toEqual(ml.items.slice(0, 6).map((item: Body) => item.eventId));
  });

  it('stops feeding a parcours to a partner that left its follow-up group', async () => {
    await post('ml-referent', `/v1/parcours/${parcours.cddi}/follow-up-group/${consortium.aci.id}/leave`, { leftOn: '2026-03-20' });
    await post('ml-referent', `/v1/parcours/${parcours.cddi}/contacts`, { contactId: randomUUID(), channel: 'phone', contactedOn: '2026-03-25', partnerId: consortium.missionLocale.id });
    await projections.whenCaughtUp();
    const aci = await json(await get('aci-referent', '/v1/feed?limit=500'));
    const types = aci.items.map((item: { type: string }) => item.type);
    expect(types.at(-1)).toBe('FollowUpMemberLeft');
    expect(types).not.toContain('ContactRecorded');
  });

  it('streams the feed as Server-Sent Events, live', async () => {
    const controller = new AbortController();
    const response = await fetch(`${running.baseUrl}/v1/feed/stream`, { headers: await consortium.as('ml-referent'), signal: controller.signal });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    let received = '';
    const contactId = randomUUID();
    await post('ml-referent', `/v1/parcours/${parcours.pecYoung}/contacts`, { contactId, channel: 'sms', contactedOn: '2026-03-26', partnerId: consortium.missionLocale.id });
    while (!received.includes(contactId)) {
      const { value, done } = await reader.read();
      if (done) break;
      received += decoder.decode(value);
    }
    controller.abort();
    // The mission locale follows these parcours from their orientation on: that is where its feed starts.
    expect(received).toMatch(/id: \d+-\d+\nevent: OrientationDecided\n/);
    expect(received).toContain(contactId);
  });

  it('shows each projection in /metrics and in readiness', async () => {
    // Caught up first: an earlier test's last command may still be on its way to the read models.
    await projections.whenCaughtUp();
    const metrics = await (await fetch(`${running.baseUrl}/metrics`)).text();
    expect(metrics).toMatch(/spie_projection_lag_events\{projection="caseload"\} 0/);
    expect(metrics).toContain('spie_projection_lag_seconds{projection="partner_feed"}');
    const ready = await json(await fetch(`${running.baseUrl}/health/ready`));
    expect(ready.info.projections.status).toBe('up');
    expect(ready.info.projections.caom_funding).toEqual({ lagEvents: 0, lagSeconds: 0 });
  });

  // Last: it stops the service.
  it('ends the open streams when the service shuts down, instead of waiting for their clients', async () => {
    const response = await fetch(`${running.baseUrl}/v1/feed/stream`, { headers: await consortium.as('ml-referent') });
    const reader = response.body!.getReader();
    expect((await reader.read()).done).toBe(false);
    await running.stop();
    let done = false;
    while (!done) ({ done } = await reader.read());
    expect(done).toBe(true);
  });
});
