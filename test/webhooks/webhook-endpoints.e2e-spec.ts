import { SqlClient } from '../../src/database/sql-client.js';
import { type Consortium, seedConsortium } from '../support/consortium.js';
import { type Body, json } from '../support/http.js';
import { insertFeedRows } from '../support/feed-rows.js';
import { type RunningApp, startApp } from '../support/test-app.js';

/**
 * Registering webhook endpoints: an organisation's administrator manages its own (a platform
 * administrator any), the secret is shown once and kept wrapped, URLs are checked against the
 * deployment's target policy.
 */
describe('webhook endpoints', () => {
  let running: RunningApp;
  let consortium: Consortium;

  beforeAll(async () => {
    // Loopback allowed explicitly: on PostgreSQL the default is https to public addresses only.
    running = await startApp({ RATE_LIMIT_PER_MINUTE: '1000000', WEBHOOK_ALLOW_HTTP: 'on', WEBHOOK_ALLOW_PRIVATE_TARGETS: 'on' });
    consortium = await seedConsortium(running);
  });

  afterAll(async () => {
    await running.close();
  });

  const call = async (as: string, method: string, path: string, body?: unknown): Promise<Response> =>
    fetch(`${running.baseUrl}${path}`, {
      method,
      headers: { ...(await consortium.as(as)), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  const hooks = (partnerId: string) => `/v1/partners/${partnerId}/webhooks`;

  it('creates an endpoint for its own organisation, showing the secret once and storing it wrapped', async () => {
    const response = await call('ml-partner_admin', 'POST', hooks(consortium.missionLocale.id), { url: 'http://127.0.0.1:9/hooks', description: 'Logiciel de suivi' });
    expect(response.status).toBe(201);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const created = await json(response);
    expect(created).toMatchObject({ url: 'http://127.0.0.1:9/hooks', description: 'Logiciel de suivi', delivery: { state: 'active', delivered: 0, attempts: 0 } });
    expect(created.secret).toMatch(/^whsec_/);

    const listed = await json(await call('ml-partner_admin', 'GET', hooks(consortium.missionLocale.id)));
    expect((listed as Body[]).map((endpoint) => endpoint.id)).toContain(created.id);
    expect(JSON.stringify(listed)).not.toContain(created.secret.slice(6));
    const one = await json(await call('ml-partner_admin', 'GET', `${hooks(consortium.missionLocale.id)}/${created.id}`));
    expect(one.secret).toBeUndefined();
    expect(one.delivery.cursor).toMatch(/^\d+-\d+$/);

    const [row] = await running.app.get(SqlClient).query<{ secret_wrapped: Uint8Array }>('SELECT secret_wrapped FROM webhook_endpoints WHERE endpoint_id = $1', [created.id]);
    const key = Buffer.from(created.secret.slice(6), 'base64');
    expect(Buffer.from(row!.secret_wrapped).includes(key)).toBe(false);
    expect(Buffer.from(row!.secret_wrapped).toString('utf8')).not.toContain(created.secret);
  });

  it("keeps another organisation's endpoints out of reach (404), lets a platform admin manage any, and refuses other roles (403)", async () => {
    const created = await json(await call('ml-partner_admin', 'POST', hooks(consortium.missionLocale.id), { url: 'http://127.0.0.1:9/other' }));
    expect((await call('aci-partner_admin', 'GET', hooks(consortium.missionLocale.id))).status).toBe(404);
    expect((await call('aci-partner_admin', 'GET', `${hooks(consortium.missionLocale.id)}/${created.id}`)).status).toBe(404);
    expect((await call('aci-partner_admin', 'DELETE', `${hooks(consortium.missionLocale.id)}/${created.id}`)).status).toBe(404);
    // Its own organisation's path does not reach another's endpoint either.
    expect((await call('aci-partner_admin', 'GET', `${hooks(consortium.aci.id)}/${created.id}`)).status).toBe(404);
    expect((await call('ml-referent', 'GET', hooks(consortium.missionLocale.id))).status).toBe(403);
    expect((await call('cd63-platform_admin', 'GET', `${hooks(consortium.missionLocale.id)}/${created.id}`)).status).toBe(200);
    expect((await call('cd63-platform_admin', 'GET', hooks('00000000-0000-4000-8000-000000000000'))).status).toBe(404);
    const removed = await call('ml-partner_admin', 'DELETE', `${hooks(consortium.missionLocale.id)}/${created.id}`);
    expect(removed.status).toBe(204);
    expect((await call('ml-partner_admin', 'GET', `${hooks(consortium.missionLocale.id)}/${created.id}`)).status).toBe(404);
  });

  it('refuses bad input field by field, writing nothing', async () => {
    const count = async () => (await running.app.get(SqlClient).query<{ n: number }>('SELECT count(*)::int AS n FROM webhook_endpoints'))[0]!.n;
    const before = await count();
    const bad = async (body: unknown, field: string) => {
      const response = await call('ml-partner_admin', 'POST', hooks(consortium.missionLocale.id), body);
      expect(response.status).toBe(400);
      expect(response.headers.get('content-type')).toContain('application/problem+json');
      const problem = await json(response);
      expect(problem.errors.map((error: { field: string }) => error.field)).toEqual([field]);
    };
    await bad({ url: 'ftp://127.0.0.1/hooks' }, 'url');
    await bad({ url: 'not a url' }, 'url');
    await bad({ url: 'https://user:secret@example.org/' }, 'url');
    await bad({ url: 'https://example.org/', after: '12' }, 'after');
    await bad({ url: 'https://example.org/', description: 'x'.repeat(201) }, 'description');
    await bad({}, 'url');
    expect(await count()).toBe(before);
  });

  it('rotates the secret (shown once), and replays from a cursor', async () => {
    const created = await json(await call('ml-partner_admin', 'POST', hooks(consortium.missionLocale.id), { url: 'http://127.0.0.1:9/rotate', after: '0-0' }));
    const path = `${hooks(consortium.missionLocale.id)}/${created.id}`;
    const rotated = await call('ml-partner_admin', 'POST', `${path}/secret-rotation`, { overlapSeconds: 3600 });
    expect(rotated.status).toBe(200);
    expect(rotated.headers.get('cache-control')).toBe('no-store');
    const body = await json(rotated);
    expect(body.secret).toMatch(/^whsec_/);
    expect(body.secret).not.toBe(created.secret);
    expect(Date.parse(body.previousSecretValidUntil) - Date.now()).toBeGreaterThan(3000 * 1000);
    expect((await call('ml-partner_admin', 'POST', `${path}/secret-rotation`, { overlapSeconds: -1 })).status).toBe(400);
    const replayed = await json(await call('ml-partner_admin', 'POST', `${path}/replay`, { after: '0-0' }));
    expect(replayed.delivery.cursor).toBe('0-0');
    expect((await call('ml-partner_admin', 'POST', `${path}/replay`, { after: 'start' })).status).toBe(400);
    expect((await call('ml-partner_admin', 'POST', `${hooks(consortium.missionLocale.id)}/00000000-0000-4000-8000-000000000000/replay`, { after: '0-0' })).status).toBe(404);
    await call('ml-partner_admin', 'DELETE', path);
  });

  it('caps the endpoints of an organisation', async () => {
    const partnerId = consortium.aci.id;
    for (let index = 0; index < 10; index += 1) expect((await call('aci-partner_admin', 'POST', hooks(partnerId), { url: `http://127.0.0.1:9/${index}` })).status).toBe(201);
    const refused = await call('aci-partner_admin', 'POST', hooks(partnerId), { url: 'http://127.0.0.1:9/eleven' });
    expect(refused.status).toBe(422);
    expect((await json(refused)).code).toBe('too_many_endpoints');
  });

  it("starts an endpoint registered without a cursor after the feed's last item, in the global order (10^11 after 99 999 999 999)", async () => {
    const partnerId = consortium.departement.id;
    const db = running.app.get(SqlClient);
    // Two feed rows whose transaction ids sort the other way as text: the end is the larger id.
    await insertFeedRows(db, partnerId, ['99999999999', '100000000000']);
    try {
      const created = await json(await call('cd63-partner_admin', 'POST', hooks(partnerId), { url: 'http://127.0.0.1:9/end' }));
      expect(created.delivery.cursor).toBe('100000000000-2');
      await call('cd63-partner_admin', 'DELETE', `${hooks(partnerId)}/${created.id}`);
    } finally {
      await db.query('DELETE FROM partner_feed WHERE partner_id = $1', [partnerId]);
    }
  });
});

describe('webhook endpoints on a server deployment', () => {
  let running: RunningApp;
  let consortium: Consortium;

  beforeAll(async () => {
    // What a PostgreSQL deployment gets by default, asked for explicitly so the embedded run checks it too.
    running = await startApp({ WEBHOOK_ALLOW_HTTP: 'off', WEBHOOK_ALLOW_PRIVATE_TARGETS: 'off' });
    consortium = await seedConsortium(running);
  });

  afterAll(async () => {
    await running.close();
  });

  it('takes https URLs of public hosts only', async () => {
    const post = async (url: string) =>
      fetch(`${running.baseUrl}/v1/partners/${consortium.missionLocale.id}/webhooks`, {
        method: 'POST',
        headers: { ...(await consortium.as('ml-partner_admin')), 'content-type': 'application/json' },
        body: JSON.stringify({ url }),
      });
    for (const [url, message] of [
      ['http://suivi.example.org/hooks', 'url must use https://'],
      ['https://127.0.0.1/hooks', 'url must not name a loopback, private, link-local or reserved address'],
      ['https://169.254.169.254/latest', 'url must not name a loopback, private, link-local or reserved address'],
      ['https://localhost:8443/hooks', 'url must name a public host'],
    ] as const) {
      const response = await post(url);
      expect([url, response.status]).toEqual([url, 400]);
      expect((await json(response)).errors).toEqual([{ field: 'url', message }]);
    }
    expect((await post('https://suivi.example.org/hooks')).status).toBe(201);
  });
});
