import { randomUUID } from 'node:crypto';
import { SqlClient } from '../../src/database/sql-client.js';
import { buildOpenApiDocument } from '../../src/openapi.js';
import { type Consortium, seedConsortium } from '../support/consortium.js';
import type { Body } from '../support/http.js';
import { KNOWN_FREE_FORM, OpenApiValidator } from '../support/openapi-validator.js';
import { anEngagementContract, anOpening } from '../support/parcours-fixtures.js';
import { testNir, uniqueLastName } from '../support/people.js';
import { type RunningApp, startApp } from '../support/test-app.js';

/** A beneficiary whose identity is easy to find if it ever leaks in clear. */
const IDENTITY = {
  firstName: 'Zéphyrine',
  lastName: 'Quenouillard',
  birthDate: '1990-06-15',
  nir: '290067512345685',
  email: 'zephyrine.quenouillard@example.fr',
  phone: '06 12 34 56 78',
  address: { line1: '12 rue de la Coutellerie', postalCode: '63300', city: 'Thiers' },
};

describe('the parcours over HTTP', () => {
  let running: RunningApp;
  let consortium: Consortium;
  let openapi: OpenApiValidator;

  beforeAll(async () => {
    running = await startApp({ RATE_LIMIT_PER_MINUTE: '1000000' });
    consortium = await seedConsortium(running);
    openapi = new OpenApiValidator(buildOpenApiDocument(running.app), { freeForm: KNOWN_FREE_FORM });
  });

  afterAll(async () => {
    await running.close();
  });

  /** Sends a request as a member, checks the answer against the OpenAPI document, returns it. */
  async function call(
    as: string,
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<{ status: number; body: Body; headers: Headers }> {
    const response = await fetch(`${running.baseUrl}${path}`, {
      method,
      headers: { ...(await consortium.as(as)), ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    const parsed = text ? (JSON.parse(text) as Body) : {};
    expect(response.status).toBeLessThan(500);
    if (response.status >= 300) expect(response.headers.get('content-type')).toContain('application/problem+json');
    // Problems too: each status an operation answers is documented, with its codes.
    const template = path.split('?')[0]!.replace(/[0-9a-f]{8}-[0-9a-f-]{27}/g, (id, offset: number, whole: string) => templateFor(whole, offset));
    expect(openapi.errors(method, template, response.status, parsed, response.headers.get('content-type') ?? 'none')).toEqual([]);
    expect(openapi.headerErrors(method, template, response.status, response.headers)).toEqual([]);
    // A request the service accepted matches the documented request body.
    if (response.status < 300 && body !== undefined) expect(openapi.requestErrors(method, template, body)).toEqual([]);
    return { status: response.status, body: parsed, headers: response.headers };
  }

  /** The identity each parcours was opened with: one person per parcours (one open parcours per person). */
  const identities = new Map<string, typeof IDENTITY>();

  async function openParcours(as = 'cd63-orientation_manager', overrides: Record<string, unknown> = {}): Promise<string> {
    const identity = { ...IDENTITY, lastName: uniqueLastName(IDENTITY.lastName), nir: testNir() };
    const opened = await call(as, 'POST', '/v1/parcours', { ...anOpening({ identity, entryOn: '2026-03-02' }), ...overrides });
    expect(opened.status).toBe(201);
    identities.set(opened.body.parcoursId as string, identity);
    return opened.body.parcoursId as string;
  }

  it('records a parcours from entry to an exit to lasting employment, each step read back at once', async () => {
    const id = await openParcours();
    const ml = consortium.missionLocale.id;
    const aci = consortium.aci.id;
    const step = async (as: string, path: string, body: unknown, expectedVersion: number) => {
      const result = await call(as, 'POST', `/v1/parcours/${id}${path}`, body);
      expect(result.status).toBe(200);
      expect(result.body).toMatchObject({ parcoursId: id, version: expectedVersion, changed: true });
      expect(result.headers.get('etag')).toBe(`"${expectedVersion}"`);
    };

    const opened = await call('cd63-orientation_manager', 'GET', `/v1/parcours/${id}`);
    expect(opened.body).toMatchObject({ id, version: 2, status: 'open', identity: identities.get(id), followUpGroup: [consortium.departement.id], ageBandAtEntry: '26_to_49' });

    await step('cd63-orientation_manager', '/diagnostics', {
      barriers: { mobility: 'strong', family: 'none', health: 'none', literacy: 'none', housing: 'medium', finances: 'medium', administrative: 'none', digital: 'medium', language: 'none' },
      recentActivity: 'job_seeker_12_to_24_months',
      qualificationLevel: '3',
      diagnosedOn: '2026-03-10',
    }, 3);
    await step('cd63-orientation_manager', '/orientation', {
      parcoursType: 'emploi',
      organismeReferentId: ml,
      reason: 'diagnostic_outcome',
      decidedOn: '2026-03-20',
      notifiedOn: '2026-03-23',
    }, 5); // orientation + the organisme référent joins the follow-up group
    await step('ml-referent', '/referent', { referentUserId: 'ml-referent', assignedOn: '2026-03-25' }, 6);
    await step('ml-referent', '/appointments', { appointmentId: randomUUID(), kind: 'accompaniment', scheduledOn: '2026-04-02', outcome: 'seen', partnerId: ml }, 7);
    await step('ml-referent', '/engagement-contracts', anEngagementContract({ signedOn: '2026-04-10', endsOn: '2026-10-09' }), 8);
    await step('ml-referent', '/follow-up-group', { partnerId: aci, joinedOn: '2026-04-28' }, 9);
    const cddi = randomUUID();
    await step('ml-referent', '/employment-contracts', {
      contractId: cddi,
      kind: 'CDDI',
      employerPartnerId: aci,
      structureKind: 'ACI',
      weeklyHours: 26,
      startsOn: '2026-05-04',
      plannedEndOn: '2026-11-03',
    }, 10);
    await step('ml-referent', '/contacts', { contactId: randomUUID(), channel: 'phone', contactedOn: '2026-06-15', partnerId: ml }, 11);
    await step('aci-referent', `/employment-contracts/${cddi}/end`, { endedOn: '2026-09-30', reason: 'hired_permanent' }, 12);
    const exit = await call('ml-referent', 'POST', `/v1/parcours/${id}/exit`, { category: 'emploi_durable', reason: 'cdi', exitedOn: '2026-10-15' });
    expect(exit.status).toBe(200);
    expect(exit.body.events.map((event: { type: string }) => event.type)).toEqual(['ReferentReleased', 'EngagementContractEnded', 'ParcoursExited']);

    const final = await call('ml-referent', 'GET', `/v1/parcours/${id}`);
    expect(final.headers.get('etag')).toBe(`"${final.body.version}"`);
    expect(final.body).toMatchObject({
      status: 'exited',
      parcoursType: 'emploi',
      organismeReferentId: ml,
      referent: null,
      lastExit: { category: 'emploi_durable', exitedOn: '2026-10-15' },
      lastContactOn: '2026-06-15',
    });
    expect(final.body.employmentContracts).toEqual([
      expect.objectContaining({ contractId: cddi, kind: 'CDDI', structureKind: 'ACI', weeklyHours: 26, rsaSocleAtStart: true, beneficiaryUnder26AtStart: false, ended: { endedOn: '2026-09-30', reason: 'hired_permanent' } }),
    ]);
    // The CE had reached its term (9 October) before the exit: it is closed at its own end date.
    expect(final.body.engagementContracts[0].ended).toEqual({ endedOn: '2026-10-09', reason: 'term_reached' });
  });

  it('lets one of two writers with the same If-Match win and answers 412 to the other', async () => {
    const id = await openParcours();
    const read = await call('cd63-orientation_manager', 'GET', `/v1/parcours/${id}`);
    const etag = read.headers.get('etag')!;
    const contact = () => ({ contactId: randomUUID(), channel: 'phone', contactedOn: '2026-04-01', partnerId: consortium.departement.id });
    const [first, second] = await Promise.all([
      call('cd63-orientation_manager', 'POST', `/v1/parcours/${id}/contacts`, contact(), { 'if-match': etag }),
      call('cd63-coordinator', 'POST', `/v1/parcours/${id}/contacts`, contact(), { 'if-match': etag }),
    ]);
    expect([first.status, second.status].sort()).toEqual([200, 412]);
    const loser = first.status === 412 ? first : second;
    expect(loser.body).toMatchObject({ code: 'precondition_failed', currentVersion: read.body.version + 1 });

    // Without If-Match the command runs against the latest version.
    expect((await call('cd63-orientation_manager', 'POST', `/v1/parcours/${id}/contacts`, contact())).status).toBe(200);
  });

  it('answers a retried request with the same Idempotency-Key identically, writing nothing more; another body with that key is 422', async () => {
    const key = `retry-${randomUUID()}`;
    const body = anOpening({ identity: IDENTITY, entryOn: '2026-02-02', territory: 'cc-billom-communaute' });
    const first = await call('cd63-orientation_manager', 'POST', '/v1/parcours', body, { 'idempotency-key': key });
    const retried = await call('cd63-orientation_manager', 'POST', '/v1/parcours', body, { 'idempotency-key': key });
    expect(first.status).toBe(201);
    expect(retried.status).toBe(201);
    expect(retried.body).toEqual(first.body);
    expect(retried.headers.get('location')).toBe(first.headers.get('location'));
    expect(retried.headers.get('idempotent-replayed')).toBe('true');
    const id = first.body.parcoursId as string;
    const rows = await running.app.get(SqlClient).query<{ n: number }>('SELECT count(*)::int AS n FROM events WHERE stream_id = $1', [`parcours-${id}`]);
    expect(rows[0]!.n).toBe(2);

    const contactKey = `contact-${randomUUID()}`;
    const contact = { contactId: randomUUID(), channel: 'sms', contactedOn: '2026-03-01', partnerId: consortium.departement.id };
    const racing = await Promise.all([1, 2, 3].map(() => call('cd63-orientation_manager', 'POST', `/v1/parcours/${id}/contacts`, contact, { 'idempotency-key': contactKey })));
    expect(new Set(racing.map((answer) => JSON.stringify(answer.body))).size).toBe(1);
    const after = await running.app.get(SqlClient).query<{ n: number }>('SELECT count(*)::int AS n FROM events WHERE stream_id = $1', [`parcours-${id}`]);
    expect(after[0]!.n).toBe(3);

    const reused = await call('cd63-orientation_manager', 'POST', '/v1/parcours', { ...body, rsaSocle: false }, { 'idempotency-key': key });
    expect(reused.status).toBe(422);
    expect(reused.body.code).toBe('idempotency_key_reused');
  });

  it('answers malformed bodies with 400 and the list of invalid fields, never 500', async () => {
    const id = await openParcours();
    const cases: Array<{ path: string; body: unknown; fields: string[] }> = [
      {
        path: '/v1/parcours',
        body: { identity: { ...IDENTITY, nir: '290067512345699', birthDate: '15/06/1990' }, householdRole: 'chef', rsaSocle: 'yes', entryOn: '2026-3-2', territory: 'paris', source: 'caf' },
        fields: ['entryOn', 'householdRole', 'identity.birthDate', 'identity.nir', 'rsaSocle', 'territory'],
      },
      { path: `/v1/parcours/${id}/contacts`, body: { contactId: 'not-a-uuid', channel: 'pigeon', contactedOn: 20260301, partnerId: consortium.departement.id }, fields: ['channel', 'contactId', 'contactedOn'] },
      { path: `/v1/parcours/${id}/employment-contracts`, body: { contractId: randomUUID(), kind: 'PEC', weeklyHours: 200, startsOn: '2026-05-01' }, fields: ['weeklyHours'] },
      { path: `/v1/parcours/${id}/orientation`, body: [], fields: ['decidedOn', 'organismeReferentId', 'parcoursType', 'reason'] },
    ];
    for (const { path, body, fields } of cases) {
      const answer = await call('cd63-orientation_manager', 'POST', path, body);
      expect(answer.status).toBe(400);
      expect(answer.body.code).toBe('validation_failed');
      expect([...new Set(answer.body.errors.map((error: { field: string }) => error.field))].sort()).toEqual(fields);
    }
    const notJson = await fetch(`${running.baseUrl}/v1/parcours/${id}/contacts`, {
      method: 'POST',
      headers: { ...(await consortium.as('cd63-orientation_manager')), 'content-type': 'application/json' },
      body: '{"contactId": ',
    });
    expect(notJson.status).toBe(400);
  });

  it('refuses unknown properties (mass assignment) with 400', async () => {
    const id = await openParcours();
    const answer = await call('cd63-orientation_manager', 'POST', `/v1/parcours/${id}/contacts`, {
      contactId: randomUUID(),
      channel: 'phone',
      contactedOn: '2026-03-03',
      partnerId: consortium.departement.id,
      version: 99,
      referent: { userId: 'me' },
    });
    expect(answer.status).toBe(400);
    expect(answer.body.errors.map((error: { field: string }) => error.field).sort()).toEqual(['referent', 'version']);
  });

  it('answers 404 for a parcours another organisation follows, exactly as for one that does not exist', async () => {
    const id = await openParcours();
    const foreign = await call('aci-referent', 'GET', `/v1/parcours/${id}`);
    const missing = await call('aci-referent', 'GET', `/v1/parcours/${randomUUID()}`);
    expect(foreign.status).toBe(404);
    expect(missing.status).toBe(404);
    const strip = (body: Body) => ({ ...body, correlationId: undefined });
    expect(strip(foreign.body)).toEqual(strip(missing.body));
    const write = await call('aci-referent', 'POST', `/v1/parcours/${id}/contacts`, { contactId: randomUUID(), channel: 'phone', contactedOn: '2026-03-03', partnerId: consortium.aci.id });
    expect(write.status).toBe(404);
    const listed = await call('aci-referent', 'GET', '/v1/parcours?limit=100');
    expect(listed.body.items.map((item: { id: string }) => item.id)).not.toContain(id);

    // The Département's coordinator sees its territory; an auditor sees it, pseudonymised.
    expect((await call('cd63-coordinator', 'GET', `/v1/parcours/${id}`)).status).toBe(200);
    const audited = await call('cd63-auditor', 'GET', `/v1/parcours/${id}`);
    expect(audited.status).toBe(200);
    expect(audited.body.identity).toBeNull();
  });

  it('lists the parcours the caller may see, filtered and paged with a cursor', async () => {
    const mine = [await openParcours('aci-orientation_manager', { territory: 'cc-billom-communaute' }), await openParcours('aci-orientation_manager', { territory: 'cc-billom-communaute' })];
    await openParcours('aci-orientation_manager', { territory: 'cc-billom-communaute' });
    await call('aci-orientation_manager', 'POST', `/v1/parcours/${mine[0]}/exit`, { category: 'autre', reason: 'other', exitedOn: '2026-03-10' });

    const pages: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { body: Body } = await call('aci-referent', 'GET', `/v1/parcours?territory=cc-billom-communaute&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      pages.push(...page.body.items.map((item: { id: string }) => item.id));
      for (const item of page.body.items) expect(item.identity).toMatchObject({ firstName: IDENTITY.firstName, lastName: expect.stringContaining(IDENTITY.lastName) });
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(pages).toHaveLength(3);
    expect(new Set(pages).size).toBe(3);

    const exited = await call('aci-referent', 'GET', '/v1/parcours?status=exited&territory=cc-billom-communaute');
    expect(exited.body.items.map((item: { id: string }) => item.id)).toEqual([mine[0]]);
    const byOrganisation = await call('cd63-coordinator', 'GET', `/v1/parcours?organisation=${consortium.aci.id}&territory=cc-billom-communaute&limit=100`);
    expect(byOrganisation.body.items.map((item: { id: string }) => item.id).sort()).toEqual([...pages].sort());
    const elsewhere = await call('aci-referent', 'GET', '/v1/parcours?territory=cc-ambert-livradois-forez');
    expect(elsewhere.body.items).toEqual([]);
    expect((await call('aci-referent', 'GET', '/v1/parcours?limit=500')).status).toBe(400);
  });

  it('answers a rule broken with 422 and its stable code', async () => {
    const id = await openParcours();
    const future = await call('cd63-orientation_manager', 'POST', `/v1/parcours/${id}/contacts`, {
      contactId: randomUUID(),
      channel: 'phone',
      contactedOn: '2099-01-01',
      partnerId: consortium.departement.id,
    });
    expect(future.status).toBe(422);
    expect(future.body).toMatchObject({ code: 'date_in_future' });
    const notMember = await call('cd63-orientation_manager', 'POST', `/v1/parcours/${id}/referent`, { referentUserId: 'aci-referent', assignedOn: '2026-03-05' });
    expect(notMember.status).toBe(422);
    expect(notMember.body.code).toBe('referent_partner_not_in_follow_up_group');
  });

  it('keeps the identity out of the stored rows: no clear name, NIR or e-mail in events or read models', async () => {
    const id = await openParcours();
    const db = running.app.get(SqlClient);
    const events = await db.query<{ row: string }>(`SELECT e::text AS row FROM events e WHERE stream_id = $1`, [`parcours-${id}`]);
    const details = await db.query<{ row: string }>(`SELECT d::text AS row FROM parcours_details d WHERE parcours_id = $1`, [id]);
    const stored = [...events, ...details].map((item) => item.row).join('\n');
    expect(stored).toContain(id);
    for (const secret of [IDENTITY.firstName, IDENTITY.lastName, identities.get(id)!.nir, IDENTITY.email, 'Coutellerie', '1990-06-15']) {
      expect(stored).not.toContain(secret);
    }
  });

  it('keeps contacts and appointments in rows of their own: a command rewrites a state that stops growing at the 20 latest', async () => {
    const id = await openParcours();
    const db = running.app.get(SqlClient);
    const stateSize = async () => (await db.query<{ size: number }>(`SELECT octet_length(state::text) AS size FROM parcours_details WHERE parcours_id = $1`, [id]))[0]!.size;
    const contact = (contactedOn: string) => ({ contactId: randomUUID(), channel: 'phone', contactedOn, partnerId: consortium.departement.id });
    const first = contact('2026-03-10');
    expect((await call('cd63-orientation_manager', 'POST', `/v1/parcours/${id}/contacts`, first)).status).toBe(200);
    const later = [contact('2026-03-05'), contact('2026-03-10'), contact('2026-03-04')];
    for (const body of later) expect((await call('cd63-orientation_manager', 'POST', `/v1/parcours/${id}/contacts`, body)).status).toBe(200);
    const appointment = { appointmentId: randomUUID(), kind: 'accompaniment', scheduledOn: '2026-03-06', outcome: 'seen', partnerId: consortium.departement.id };
    expect((await call('cd63-orientation_manager', 'POST', `/v1/parcours/${id}/appointments`, appointment)).status).toBe(200);
    const read = await call('cd63-orientation_manager', 'GET', `/v1/parcours/${id}`);
    // By date, and in the order they were recorded within a day.
    expect(read.body.contacts.map((item: Body) => item.contactId)).toEqual([later[2]!.contactId, later[0]!.contactId, first.contactId, later[1]!.contactId]);
    expect(read.body.appointments).toEqual([appointment]);
    expect(read.body.lastContactOn).toBe('2026-03-10');
    // Up to 20 contacts, then contacts as large as the earlier ones leave the state's size as it was.
    for (let index = 4; index < 20; index += 1) expect((await call('cd63-orientation_manager', 'POST', `/v1/parcours/${id}/contacts`, contact('2026-03-11'))).status).toBe(200);
    const size = await stateSize();
    for (let index = 0; index < 5; index += 1) expect((await call('cd63-orientation_manager', 'POST', `/v1/parcours/${id}/contacts`, contact('2026-03-12'))).status).toBe(200);
    expect(await stateSize()).toBe(size);
    expect((await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM parcours_contacts WHERE parcours_id = $1`, [id]))[0]!.n).toBe(25);
  });

  it('shows the 20 latest contacts with the total, and pages all of them in the order shown', async () => {
    const id = await openParcours();
    // 23 contacts, recorded out of date order; two on 2026-04-10, the first recorded first.
    const days = [15, 3, 22, 10, 7, 1, 18, 10, 12, 5, 20, 9, 14, 2, 17, 11, 6, 21, 4, 16, 8, 13, 19];
    const recorded: Array<{ contactId: string; contactedOn: string }> = [];
    for (const day of days) {
      const body = { contactId: randomUUID(), channel: 'phone', contactedOn: `2026-04-${String(day).padStart(2, '0')}`, partnerId: consortium.departement.id, note: `note ${day}` };
      const answer = await call('cd63-orientation_manager', 'POST', `/v1/parcours/${id}/contacts`, body);
      expect([answer.status, answer.body.detail]).toEqual([200, undefined]);
      recorded.push(body);
    }
    const shown = recorded
      .map((contact, index) => ({ ...contact, index }))
      .sort((a, b) => a.contactedOn.localeCompare(b.contactedOn) || a.index - b.index)
      .map((contact) => contact.contactId);
    const read = await call('cd63-orientation_manager', 'GET', `/v1/parcours/${id}`);
    expect(read.body.contacts.map((item: Body) => item.contactId)).toEqual(shown.slice(-20));
    expect(read.body).toMatchObject({ contactsTotal: 23, appointmentsTotal: 0, appointments: [] });
    expect(read.body.contacts.at(-1).note).toBe('note 22');

    const pages: Body[] = [];
    let cursor: string | null = null;
    do {
      const page: { status: number; body: Body } = await call('cd63-orientation_manager', 'GET', `/v1/parcours/${id}/contacts?limit=10${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.status).toBe(200);
      pages.push(page.body);
      cursor = page.body.nextCursor as string | null;
    } while (cursor);
    expect(pages.map((page) => page.items.length)).toEqual([10, 10, 3]);
    expect(pages.flatMap((page) => page.items.map((item: Body) => item.contactId))).toEqual(shown);
    expect(pages[0]!.items[0].note).toBe('note 1');
    // Pseudonymised for an auditor: the notes are not shown.
    const audited = await call('cd63-auditor', 'GET', `/v1/parcours/${id}/contacts?limit=5`);
    expect(audited.body.items.map((item: Body) => item.note)).toEqual([null, null, null, null, null]);
    // Another organisation's référent does not learn the parcours exists.
    expect((await call('aci-referent', 'GET', `/v1/parcours/${id}/contacts`)).status).toBe(404);
    const badCursor = await call('cd63-orientation_manager', 'GET', `/v1/parcours/${id}/contacts?cursor=2026-03-10`);
    expect(badCursor.status).toBe(400);
    expect(JSON.stringify(badCursor.body)).toContain('cursor must be the nextCursor of a previous page');
  });

  it('journals every read and write of the record with who, what and when', async () => {
    const id = await openParcours();
    await call('cd63-orientation_manager', 'GET', `/v1/parcours/${id}`);
    await call('cd63-orientation_manager', 'POST', `/v1/parcours/${id}/contacts`, { contactId: randomUUID(), channel: 'phone', contactedOn: '2026-03-04', partnerId: consortium.departement.id });
    await call('aci-referent', 'GET', `/v1/parcours/${id}`);
    const journal = await call('cd63-auditor', 'GET', `/v1/access-journal?recordId=${id}`);
    expect(journal.body.items.map((entry: Body) => [entry.operation, entry.userId, entry.outcome])).toEqual([
      ['parcours.OpenParcours', 'cd63-orientation_manager', 'ok'],
      ['parcours.read', 'cd63-orientation_manager', 'ok'],
      ['parcours.RecordContact', 'cd63-orientation_manager', 'ok'],
      ['parcours.read', 'aci-referent', 'not_found'],
    ]);
    const text = JSON.stringify(journal.body);
    expect(text).not.toContain(IDENTITY.lastName);
  });
});

/** The OpenAPI path template for a concrete path: each uuid becomes the parameter named before it. */
function templateFor(path: string, offset: number): string {
  const before = path.slice(0, offset);
  if (before.endsWith('/v1/parcours/')) return '{parcoursId}';
  if (before.endsWith('/employment-contracts/') || before.endsWith('/engagement-contracts/')) return '{contractId}';
  if (before.endsWith('/actions/')) return '{actionId}';
  if (before.endsWith('/follow-up-group/')) return '{partnerId}';
  return '{id}';
}
