import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/app-config.js';
import { SqlClient } from '../../src/database/sql-client.js';
import { bootstrapPlatform } from '../../src/bootstrap.js';
import { type Consortium, seedConsortium } from '../support/consortium.js';
import { type Body, json } from '../support/http.js';
import { anOpening } from '../support/parcours-fixtures.js';
import { uniqueLastName } from '../support/people.js';
import { type RunningApp, startApp } from '../support/test-app.js';
import { type RowCounts, writtenRows } from '../support/written-rows.js';

/**
 * The seven causes of 500 an outside review found in bad input (issue 12, finding 6) and the
 * member ids that accepted any string (finding 12): each is a 4xx problem that names the field,
 * and a refused request writes nothing (events, keys, partner tables, idempotency records).
 */
describe('bad input: a 4xx problem naming the field, and nothing written', () => {
  let running: RunningApp;
  let consortium: Consortium;
  let db: SqlClient;
  let parcoursId: string;

  const opening = (identity: Record<string, unknown> = {}) => anOpening({ identity: { firstName: 'Aurore', lastName: uniqueLastName('Testé'), birthDate: '1990-06-15', ...identity }, entryOn: '2026-02-02' });

  beforeAll(async () => {
    running = await startApp({ RATE_LIMIT_PER_MINUTE: '1000000' });
    consortium = await seedConsortium(running);
    db = running.app.get(SqlClient);
    const opened = await send('cd63-orientation_manager', 'POST', '/v1/parcours', opening());
    expect(opened.status).toBe(201);
    parcoursId = (await json(opened)).parcoursId as string;
  });

  afterAll(async () => {
    await running?.close();
  });

  /** `body` as a string is sent as is (raw JSON); anything else is serialised. */
  async function send(as: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Response> {
    return fetch(`${running.baseUrl}${path}`, {
      method,
      headers: { ...(await consortium.as(as)), ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
  }

  /** Sends a request that must be refused: a problem document, and the written tables as they were. */
  async function refused(as: string, method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<{ status: number; problem: Body }> {
    const before: RowCounts = await writtenRows(db);
    const response = await send(as, method, path, body, headers);
    const problem = await json(response);
    expect({ path, statusClass: Math.floor(response.status / 100), contentType: response.headers.get('content-type') }).toEqual({
      path,
      statusClass: 4,
      contentType: expect.stringContaining('application/problem+json'),
    });
    expect(await writtenRows(db)).toEqual(before);
    return { status: response.status, problem };
  }

  const fields = (problem: Body) => (problem.errors as Array<{ field: string }>).map((error) => error.field).sort();

  it('refuses NUL in a query parameter, a body field, a path segment and a page cursor, naming each', async () => {
    const query = await refused('cd63-coordinator', 'GET', '/v1/parcours?referent=ml%00referent');
    expect(query).toMatchObject({ status: 400, problem: { code: 'validation_failed', errors: [{ field: 'referent', message: 'referent must not contain a NUL character' }] } });

    const body = await refused('cd63-orientation_manager', 'POST', '/v1/parcours', opening({ firstName: 'Au\u0000rore' }));
    expect(body).toMatchObject({ status: 400, problem: { errors: [{ field: 'identity.firstName', message: 'identity.firstName must not contain a NUL character' }] } });

    const note = await refused('cd63-orientation_manager', 'POST', `/v1/parcours/${parcoursId}/contacts`, {
      contactId: randomUUID(),
      channel: 'phone',
      contactedOn: '2026-03-01',
      partnerId: consortium.departement.id,
      note: 'a\u0000b',
    });
    expect(fields(note.problem)).toEqual(['note']);

    const path = await refused('cd63-platform_admin', 'PUT', `/v1/partners/${consortium.missionLocale.id}/members/ml%00referent/roles`, { roles: ['referent'] });
    expect(path).toMatchObject({ status: 400, problem: { errors: [{ field: 'userId' }] } });

    const cursor = Buffer.from(JSON.stringify({ name: 'Mission\u0000', id: randomUUID() })).toString('base64url');
    expect(await refused('cd63-referent', 'GET', `/v1/partners?cursor=${cursor}`)).toMatchObject({ status: 400, problem: { code: 'invalid_cursor' } });
    const malformedId = Buffer.from(JSON.stringify({ name: 'Mission', id: '-'.repeat(36) })).toString('base64url');
    expect(await refused('cd63-referent', 'GET', `/v1/partners?cursor=${malformedId}`)).toMatchObject({ status: 400, problem: { code: 'invalid_cursor' } });
  });

  it('refuses a JSON body nested 5 000 levels deep with a 400, without overflowing the stack', async () => {
    let deep = '"x"';
    for (let level = 0; level < 5_000; level += 1) deep = `{"a":${deep}}`;
    const answer = await refused('cd63-orientation_manager', 'POST', '/v1/parcours', `{"identity":${deep}}`);
    expect(answer.status).toBe(400);
    expect(answer.problem.errors).toEqual([{ field: expect.stringMatching(/^identity\.a\.a/), message: expect.stringContaining('nested more than 32 levels deep') }]);
    const array = await refused('cd63-platform_admin', 'POST', `/v1/partners/${consortium.missionLocale.id}/members`, `{"roles":${'['.repeat(5_000)}${']'.repeat(5_000)}}`);
    expect(array.status).toBe(400);
  });

  it('refuses non-strict dates and an out-of-range cursor in the access journal', async () => {
    for (const [query, field] of [
      ['from=2021-02-30', 'from'],
      ['from=-2021-01', 'from'],
      ['to=2021-W01', 'to'],
      ['to=0000-01-01', 'to'],
      ['from=2026-01-01T24:00:00Z', 'from'],
      ['cursor=1e20', 'cursor'],
    ] as const) {
      const answer = await refused('cd63-auditor', 'GET', `/v1/access-journal?${query}`);
      expect({ query, status: answer.status, fields: fields(answer.problem) }).toEqual({ query, status: 400, fields: [field] });
    }
    const valid = await send('cd63-auditor', 'GET', '/v1/access-journal?from=2026-01-01&to=2026-12-31T23:59:59.5%2B01:00&cursor=0');
    expect(valid.status).toBe(200);
  });

  it('refuses feed cursors and dates past what the database and the calendar arithmetic hold (found by the fuzz suite)', async () => {
    // Past xid8 or 2^53…
    for (const after of ['99999999999999999999-1', '18446744073709551616-1', '1-9999999999999999']) {
      expect(await refused('ml-referent', 'GET', `/v1/feed?after=${after}`)).toMatchObject({ status: 400, problem: { code: 'invalid_cursor' } });
    }
    // …or with a leading zero, which no cursor of the feed has (PostgreSQL reads 010 as octal, 08 not at all).
    for (const after of ['08-58620', '010-1', '1-07']) {
      expect(await refused('ml-referent', 'GET', `/v1/feed?after=${after}`)).toMatchObject({ status: 400, problem: { errors: [{ field: 'after' }] } });
    }
    const stream = await refused('ml-referent', 'GET', '/v1/feed/stream', undefined, { 'last-event-id': '99999999999999999999-1' });
    expect(stream).toMatchObject({ status: 400, problem: { code: 'invalid_cursor' } });
    for (const path of ['/v1/privacy/retention?asOf=0001-01-01', '/v1/privacy/retention?asOf=0000-02-29', '/v1/reports/continuity?from=0000-01-01', `/v1/parcours/${parcoursId}/continuity?asOf=9999-12-31`]) {
      const answer = await refused(path.includes('retention') ? 'cd63-dpo' : 'cd63-coordinator', 'GET', path);
      expect({ path, status: answer.status, message: answer.problem.errors?.[0]?.message }).toEqual({ path, status: 400, message: expect.stringContaining('from 1900-01-01 to 2999-12-31') });
    }
    expect((await send('cd63-dpo', 'GET', '/v1/privacy/retention?asOf=2999-12-31')).status).toBe(200);
  });

  it('answers a birth date after the entry date with 422 birth_date_after_entry, at the opening and at a rectification, and creates no key', async () => {
    const opened = await refused('cd63-orientation_manager', 'POST', '/v1/parcours', opening({ birthDate: '2026-02-03' }));
    expect(opened).toMatchObject({ status: 422, problem: { code: 'birth_date_after_entry' } });
    // The problem names no date: the dates are the person's.
    expect(JSON.stringify(opened.problem)).not.toContain('2026-02-03');

    const rectified = await refused('cd63-dpo', 'POST', `/v1/parcours/${parcoursId}/identity-rectification`, { corrections: { birthDate: '2027-01-01' }, rectifiedOn: '2026-03-01' });
    expect(rectified).toMatchObject({ status: 422, problem: { code: 'birth_date_after_entry' } });

    // Born the day of the entry is a fact one can have.
    expect((await send('cd63-orientation_manager', 'POST', '/v1/parcours', opening({ birthDate: '2026-02-02' }))).status).toBe(201);
  });

  it('writes no data key for a command refused after its personal data was encrypted', async () => {
    // A stale If-Match, a rule of the decider, a parcours that does not exist: the key was created before, and stayed.
    expect(await refused('cd63-orientation_manager', 'POST', '/v1/parcours', opening(), { 'if-match': '"5"' })).toMatchObject({ status: 412 });
    expect(await refused('cd63-orientation_manager', 'POST', '/v1/parcours', { ...opening(), entryOn: '2099-01-01' })).toMatchObject({ status: 422, problem: { code: 'date_in_future' } });
    const contact = { contactId: randomUUID(), channel: 'phone', contactedOn: '2026-03-01', partnerId: consortium.departement.id, note: 'a parlé de sa santé' };
    expect(await refused('cd63-orientation_manager', 'POST', `/v1/parcours/${randomUUID()}/contacts`, contact)).toMatchObject({ status: 404 });
    // The key of a parcours opened is there, and reads back.
    const opened = await json(await send('cd63-orientation_manager', 'POST', '/v1/parcours', opening({ firstName: 'Clélia' })));
    expect(await db.query('SELECT 1 FROM personal_data_keys WHERE subject_id = $1', [opened.parcoursId])).toHaveLength(1);
    const read = await json(await send('cd63-orientation_manager', 'GET', `/v1/parcours/${opened.parcoursId}`));
    expect(read.identity).toMatchObject({ firstName: 'Clélia' });
  });

  it('refuses a null name or null territories in a partner update, one message per field', async () => {
    const path = `/v1/partners/${consortium.missionLocale.id}`;
    const name = await refused('cd63-platform_admin', 'PATCH', path, { name: null });
    expect(name).toMatchObject({ status: 400, problem: { errors: [{ field: 'name', message: 'name must not be null' }] } });
    const both = await refused('cd63-platform_admin', 'PATCH', path, { name: null, territories: null });
    expect(both.problem.errors).toEqual([
      { field: 'name', message: 'name must not be null' },
      { field: 'territories', message: 'territories must not be null' },
    ]);
    // The SIRET may be removed: null is its way to say so.
    expect((await send('cd63-platform_admin', 'PATCH', path, { siret: null })).status).toBe(200);
  });

  it('refuses a territories report over 240 months with 400 invalid_period, and answers 240', async () => {
    const long = await refused('cd63-coordinator', 'GET', '/v1/reports/territories?from=2000-01&to=2026-12');
    expect(long).toMatchObject({ status: 400, problem: { code: 'invalid_period' } });
    expect((await send('cd63-coordinator', 'GET', '/v1/reports/territories?from=2007-01&to=2026-12')).status).toBe(200);
  });

  it('refuses a lone surrogate in a member id before the member is written', async () => {
    const path = `/v1/partners/${consortium.missionLocale.id}/members`;
    // JSON.stringify writes a lone surrogate as the escape \ud800, which JSON.parse turns back into one.
    const answer = await refused('cd63-platform_admin', 'POST', path, { userId: 'agent\ud800x', displayName: 'Agent', roles: ['referent'] });
    expect(answer).toMatchObject({ status: 400, problem: { errors: [{ field: 'userId', message: expect.stringContaining('lone surrogate') }] } });
    const members = await json(await send('cd63-platform_admin', 'GET', path));
    expect(members.map((member: Body) => member.userId)).not.toContain('agent\ufffdx');
  });

  it('validates member ids wherever one enters: a member added, a référent assigned, a path, a filter, a token', async () => {
    const members = `/v1/partners/${consortium.missionLocale.id}/members`;
    for (const userId of ["' OR 1=1--", 'jean dupont', 'agent\u202Eeviltxt', 'x'.repeat(256), '']) {
      const answer = await refused('cd63-platform_admin', 'POST', members, { userId, displayName: 'Agent', roles: ['referent'] });
      expect({ userId, status: answer.status, fields: fields(answer.problem) }).toEqual({ userId, status: 400, fields: ['userId'] });
    }
    const referent = await refused('cd63-orientation_manager', 'POST', `/v1/parcours/${parcoursId}/referent`, { referentUserId: 'ml referent', assignedOn: '2026-02-10' });
    expect(fields(referent.problem)).toEqual(['referentUserId']);
    const segment = await refused('cd63-platform_admin', 'DELETE', `${members}/${encodeURIComponent("' OR 1=1--")}`);
    expect(segment).toMatchObject({ status: 400, problem: { errors: [{ field: 'userId' }] } });
    expect(fields((await refused('ml-referent', 'GET', '/v1/caseload?referent=a%20b')).problem)).toEqual(['referent']);
    expect(fields((await refused('cd63-auditor', 'GET', '/v1/access-journal?userId=%E2%80%AEx')).problem)).toEqual(['userId']);

    const forged = await fetch(`${running.baseUrl}/v1/me`, { headers: { authorization: `Bearer ${await consortium.token('ml referent')}` } });
    expect(forged.status).toBe(401);
    expect(await json(forged)).toMatchObject({ code: 'invalid_token' });

    // The subs identity providers issue: ProConnect's pairwise digests, uuids, provider-prefixed ids.
    for (const userId of [`${'a1'.repeat(32)}v1`, randomUUID(), 'auth0|5f7c8ec7c33c6c004bbafe82', 'agent.martin@cd63']) {
      const added = await send('cd63-platform_admin', 'POST', members, { userId, displayName: 'Agent', roles: ['referent'] });
      expect({ userId, status: added.status }).toEqual({ userId, status: 201 });
    }
  });

  it('says a missing field is required, once, and gives one message per invalid field', async () => {
    const path = `/v1/partners/${consortium.missionLocale.id}/members`;
    const missing = await refused('cd63-platform_admin', 'POST', path, { displayName: 'Agent', roles: ['referent'] });
    expect(missing.problem.errors).toEqual([{ field: 'userId', message: 'userId is required' }]);
    // A nested object is required too (ValidateNested alone let a missing one through: a 500).
    const { identity: _identity, ...withoutIdentity } = opening();
    expect((await refused('cd63-orientation_manager', 'POST', '/v1/parcours', withoutIdentity)).problem.errors).toEqual([{ field: 'identity', message: 'identity is required' }]);
    const diagnostic = { recentActivity: 'employed', qualificationLevel: '3', diagnosedOn: '2026-02-10' };
    const withoutBarriers = await refused('cd63-orientation_manager', 'POST', `/v1/parcours/${parcoursId}/diagnostics`, diagnostic);
    expect(withoutBarriers.problem.errors).toEqual([{ field: 'barriers', message: 'barriers is required' }]);
    const wrongType = await refused('cd63-platform_admin', 'POST', path, { userId: 'agent-1', displayName: 42, roles: 'referent' });
    expect(wrongType.problem.errors).toEqual([
      { field: 'displayName', message: 'displayName must be a string' },
      { field: 'roles', message: 'roles must be an array' },
    ]);
  });
});

describe('the bootstrap command', () => {
  it('refuses an --admin-sub that is not a user id before it opens the database', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'spie-bootstrap-'));
    try {
      const config = loadConfig({ DATA_DIR: dataDir, DATABASE_URL: '', LOG_LEVEL: 'silent', MASTER_KEY: '' });
      await expect(
        bootstrapPlatform(config, { name: 'Conseil départemental', kind: 'departement', territory: ['cc-thiers-dore-et-montagne'], adminSub: "' OR 1=1--", adminName: 'Admin' }),
      ).rejects.toThrow('--admin-sub must be a user id');
      expect(existsSync(join(dataDir, 'pglite'))).toBe(false);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
