import { type Consortium, seedConsortium } from '../support/consortium.js';
import { json } from '../support/http.js';
import { type RunningApp, startApp } from '../support/test-app.js';

describe('partner organisations over HTTP', () => {
  let running: RunningApp;
  let consortium: Consortium;
  let admin: Record<string, string>;

  beforeAll(async () => {
    running = await startApp();
    consortium = await seedConsortium(running);
    admin = { ...(await consortium.as('cd63-platform_admin')), 'content-type': 'application/json' };
  });

  afterAll(async () => {
    await running.close();
  });

  const url = (path: string) => `${running.baseUrl}${path}`;

  it('registers an organisation, returns it with Location and ETag, and refuses a bad SIRET with a rule code', async () => {
    const created = await fetch(url('/v1/partners'), {
      method: 'POST',
      headers: admin,
      body: JSON.stringify({ name: 'EBE Thiers', kind: 'ebe', siret: '73282932000074', territories: ['cc-thiers-dore-et-montagne'] }),
    });
    expect(created.status).toBe(201);
    expect(created.headers.get('etag')).toBe('"1"');
    const body = await json(created);
    expect(created.headers.get('location')).toBe(`/v1/partners/${body.id}`);
    expect(body).toMatchObject({ name: 'EBE Thiers', kind: 'ebe', siret: '73282932000074', active: true, version: 1 });

    const fetched = await fetch(url(`/v1/partners/${body.id}`), { headers: await consortium.as('ml-referent') });
    expect(await json(fetched)).toEqual(body);

    const badSiret = await fetch(url('/v1/partners'), {
      method: 'POST',
      headers: admin,
      body: JSON.stringify({ name: 'Employeur', kind: 'employer', siret: '73282932000075', territories: ['cc-thiers-dore-et-montagne'] }),
    });
    expect(badSiret.status).toBe(422);
    expect(await json(badSiret)).toMatchObject({ code: 'invalid_siret', status: 422 });
  });

  it('answers 400 with every invalid field listed', async () => {
    const response = await fetch(url('/v1/partners'), {
      method: 'POST',
      headers: admin,
      body: JSON.stringify({ name: '', kind: 'bank', territories: ['nowhere'], siret: 'abc' }),
    });
    expect(response.status).toBe(400);
    const body = await json(response);
    expect(body.code).toBe('validation_failed');
    expect(body.errors.map((error: { field: string }) => error.field).sort()).toEqual(['kind', 'name', 'siret', 'territories']);
  });

  it('updates with If-Match, and answers 412 to a stale version', async () => {
    const id = consortium.missionLocale.id;
    const current = await fetch(url(`/v1/partners/${id}`), { headers: admin });
    const etag = current.headers.get('etag')!;
    const updated = await fetch(url(`/v1/partners/${id}`), {
      method: 'PATCH',
      headers: { ...admin, 'if-match': etag },
      body: JSON.stringify({ name: 'Mission locale Thiers-Ambert' }),
    });
    expect(updated.status).toBe(200);
    expect(updated.headers.get('etag')).not.toBe(etag);
    expect(await json(updated)).toMatchObject({ name: 'Mission locale Thiers-Ambert' });

    const stale = await fetch(url(`/v1/partners/${id}`), {
      method: 'PATCH',
      headers: { ...admin, 'if-match': etag },
      body: JSON.stringify({ name: 'Lost update' }),
    });
    expect(stale.status).toBe(412);
    expect(await json(stale)).toMatchObject({ code: 'precondition_failed' });
  });

  it('pages through the directory with a cursor and bounds the page size', async () => {
    const first = await json(await fetch(url('/v1/partners?limit=2'), { headers: admin }));
    expect(first.items).toHaveLength(2);
    const second = await json(await fetch(url(`/v1/partners?limit=2&cursor=${first.nextCursor}`), { headers: admin }));
    expect(second.items[0].id).not.toBe(first.items[0].id);
    const names = [...first.items, ...second.items].map((item: { name: string }) => item.name);
    expect(names).toEqual([...names].sort());

    expect((await fetch(url('/v1/partners?limit=101'), { headers: admin })).status).toBe(400);
    expect((await fetch(url('/v1/partners?limit=0'), { headers: admin })).status).toBe(400);
    expect((await fetch(url('/v1/partners?cursor=garbage'), { headers: admin })).status).toBe(400);
  });

  it('adds a member who can then sign in, changes their roles, removes them', async () => {
    const id = consortium.missionLocale.id;
    const partnerAdmin = { ...(await consortium.as('ml-partner_admin')), 'content-type': 'application/json' };
    const added = await fetch(url(`/v1/partners/${id}/members`), {
      method: 'POST',
      headers: partnerAdmin,
      body: JSON.stringify({ userId: 'new-caseworker', displayName: 'Dominique Roux', roles: ['referent'] }),
    });
    expect(added.status).toBe(201);
    const newcomer = await consortium.as('new-caseworker');
    expect(await json(await fetch(url('/v1/me'), { headers: newcomer }))).toMatchObject({ roles: ['referent'], organisation: { id } });

    const reserved = await fetch(url(`/v1/partners/${id}/members/new-caseworker/roles`), {
      method: 'PUT',
      headers: partnerAdmin,
      body: JSON.stringify({ roles: ['coordinator'] }),
    });
    expect(reserved.status).toBe(422);
    expect(await json(reserved)).toMatchObject({ code: 'role_reserved_to_platform_admin' });

    const changed = await fetch(url(`/v1/partners/${id}/members/new-caseworker/roles`), {
      method: 'PUT',
      headers: partnerAdmin,
      body: JSON.stringify({ roles: ['referent', 'orientation_manager'] }),
    });
    expect(await json(changed)).toMatchObject({ roles: ['referent', 'orientation_manager'] });
    expect(await json(await fetch(url('/v1/me'), { headers: newcomer }))).toMatchObject({ roles: ['referent', 'orientation_manager'] });

    const otherPartner = await fetch(url(`/v1/partners/${consortium.aci.id}/members`), {
      method: 'POST',
      headers: admin,
      body: JSON.stringify({ userId: 'new-caseworker', displayName: 'Dominique Roux', roles: ['referent'] }),
    });
    expect(otherPartner.status).toBe(422);
    expect(await json(otherPartner)).toMatchObject({ code: 'member_of_another_partner' });

    expect((await fetch(url(`/v1/partners/${id}/members/new-caseworker`), { method: 'DELETE', headers: await consortium.as('ml-partner_admin') })).status).toBe(204);
    expect((await fetch(url('/v1/me'), { headers: newcomer })).status).toBe(403);
  });
});

describe('rate limiting per partner organisation', () => {
  let running: RunningApp;
  let consortium: Consortium;

  beforeAll(async () => {
    running = await startApp({ RATE_LIMIT_PER_MINUTE: '5' });
    consortium = await seedConsortium(running);
  });

  afterAll(async () => {
    await running.close();
  });

  it('answers 429 with Retry-After once an organisation used its minute, counting all its members, not others', async () => {
    const statuses: number[] = [];
    for (const role of ['referent', 'orientation_manager', 'coordinator', 'auditor', 'dpo'] as const) {
      statuses.push((await fetch(`${running.baseUrl}/v1/me`, { headers: await consortium.as(consortium.missionLocale.members[role]) })).status);
    }
    expect(statuses).toEqual([200, 200, 200, 200, 200]);
    const limited = await fetch(`${running.baseUrl}/v1/me`, { headers: await consortium.as('ml-referent') });
    expect(limited.status).toBe(429);
    const retryAfter = Number(limited.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(await json(limited)).toMatchObject({ status: 429, code: 'rate_limited' });

    const otherPartner = await fetch(`${running.baseUrl}/v1/me`, { headers: await consortium.as('aci-referent') });
    expect(otherPartner.status).toBe(200);
    expect((await fetch(`${running.baseUrl}/health`)).status).toBe(200);
  });
});
