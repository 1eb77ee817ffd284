import { randomUUID } from 'node:crypto';
import { buildOpenApiDocument } from '../../src/openapi.js';
import { ProjectionsService } from '../../src/projections/projections.module.js';
import { START } from '../../src/event-store/event-store.js';
import { SqlClient } from '../../src/database/sql-client.js';
import { WebhookEndpoints } from '../../src/webhooks/webhook-endpoints.js';
import { type Consortium, seedConsortium } from '../support/consortium.js';
import { closeOpenedStreams, openStream } from '../support/feed-stream.js';
import { type Body, consortiumClient, json } from '../support/http.js';
import { KNOWN_FREE_FORM, OpenApiValidator } from '../support/openapi-validator.js';
import { anOpening } from '../support/parcours-fixtures.js';
import { uniqueLastName } from '../support/people.js';
import { insertFeedRows } from '../support/feed-rows.js';
import { type RunningApp, startApp } from '../support/test-app.js';

/**
 * GET /v1/partners/{id}/feed-status: where an organisation's feed readers stand. A page served (by
 * GET /v1/feed or the stream) moves the organisation's position; the events not served yet are
 * counted; webhook endpoints show their own cursor; only the organisation's administrator (and a
 * platform administrator) may see it.
 */
describe('feed status', () => {
  let running: RunningApp;
  let consortium: Consortium;
  let openapi: OpenApiValidator;
  let parcoursId: string;
  const { post, get } = consortiumClient(() => running, () => consortium);
  const path = () => `/v1/partners/${consortium.missionLocale.id}/feed-status`;

  async function status(as = 'ml-partner_admin'): Promise<Body> {
    const response = await get(as, path());
    expect(response.status).toBe(200);
    const body = await json(response);
    expect(openapi.errors('GET', '/v1/partners/{partnerId}/feed-status', 200, body)).toEqual([]);
    return body;
  }

  async function contact(on: string): Promise<string> {
    const contactId = randomUUID();
    await post('ml-referent', `/v1/parcours/${parcoursId}/contacts`, { contactId, channel: 'phone', contactedOn: on, partnerId: consortium.missionLocale.id });
    await running.app.get(ProjectionsService).whenCaughtUp();
    return contactId;
  }

  beforeAll(async () => {
    running = await startApp({ RATE_LIMIT_PER_MINUTE: '1000000' });
    consortium = await seedConsortium(running);
    openapi = new OpenApiValidator(buildOpenApiDocument(running.app), { freeForm: KNOWN_FREE_FORM });
    const opening = anOpening({ identity: { firstName: 'Inès', lastName: uniqueLastName('Flux'), birthDate: '1990-02-03' }, entryOn: '2026-01-05' });
    ({ parcoursId } = (await post('ml-orientation_manager', '/v1/parcours', opening)) as { parcoursId: string });
    for (const day of ['2026-01-10', '2026-01-12', '2026-01-14', '2026-01-16']) await contact(day);
  }, 120_000);

  afterEach(() => closeOpenedStreams());

  afterAll(async () => {
    await running?.close();
  }, 120_000);

  it('before any read: the head of the feed, nothing served, every item pending', async () => {
    const before = await status();
    expect(before).toMatchObject({ partnerId: consortium.missionLocale.id, readers: { servedCursor: null, servedAt: null, lastReadAt: null, secondsSinceLastRead: null, pagesServed: 0 } });
    const all = await json(await get('ml-referent', '/v1/feed?limit=500'));
    // The read above is itself a page served: what was pending before it is the whole feed.
    expect(before.readers.pendingEvents).toBe(all.items.length);
    expect(all.items.length).toBeGreaterThanOrEqual(5);
    expect(before.headCursor).toBe(all.items.at(-1).cursor);
    expect(before.headRecordedAt).toBe(all.items.at(-1).recordedAt);
  });

  it('a page served moves the position to its last item; the pending count is what comes after it; an older page does not move it back', async () => {
    const all = (await json(await get('ml-referent', '/v1/feed?limit=500'))).items as Body[];
    const first = await json(await get('ml-referent', '/v1/feed?limit=2'));
    // The furthest position so far is the end of the full read above; a page from the start does not move it back…
    let now = await status();
    expect(now.readers.servedCursor).toBe(all.at(-1)!.cursor);
    expect(now.readers.pendingEvents).toBe(0);
    // …but it is a read.
    const lastReadAfterFirst = now.readers.lastReadAt as string;
    expect(Date.parse(lastReadAfterFirst)).toBeGreaterThanOrEqual(Date.parse(now.readers.servedAt as string));
    expect(now.readers.pagesServed).toBe(3);
    expect(first.items).toHaveLength(2);

    // Two new events for the organisation: pending until served.
    await contact('2026-01-20');
    await contact('2026-01-22');
    now = await status();
    expect(now.readers.pendingEvents).toBe(2);
    expect(now.readers.servedCursor).toBe(all.at(-1)!.cursor);
    const fresh = (await json(await get('ml-referent', `/v1/feed?after=${all.at(-1)!.cursor}&limit=1`))) as Body;
    expect(fresh.items).toHaveLength(1);
    now = await status();
    expect(now.readers.servedCursor).toBe(fresh.nextCursor);
    expect(now.readers.pendingEvents).toBe(1);
    expect(now.headCursor).not.toBe(fresh.nextCursor);
    expect(now.readers.secondsSinceLastRead).toBeGreaterThanOrEqual(0);
  });

  it('an empty page serves nothing and moves nothing', async () => {
    const before = await status();
    const empty = await json(await get('ml-referent', `/v1/feed?after=${before.headCursor}`));
    expect(empty.items).toEqual([]);
    expect((await status()).readers).toMatchObject({ servedCursor: before.readers.servedCursor, pagesServed: before.readers.pagesServed, lastReadAt: before.readers.lastReadAt });
  });

  it('the stream serves too: once an event reached it, the position is the head and nothing is pending', async () => {
    const before = await status();
    const stream = await openStream(running, await consortium.as('ml-referent'));
    const contactId = await contact('2026-01-25');
    await stream.until(contactId);
    const after = await status();
    expect(after.headCursor).not.toBe(before.headCursor);
    expect(after.readers.servedCursor).toBe(after.headCursor);
    expect(after.readers.pendingEvents).toBe(0);
    expect(after.readers.pagesServed).toBeGreaterThan(before.readers.pagesServed);
  });

  it("shows each webhook endpoint's cursor and what it has not acknowledged yet", async () => {
    const endpoints = running.app.get(WebhookEndpoints);
    const whole = (await endpoints.create(consortium.missionLocale.id, { url: 'https://hooks.example.org/spie', description: 'Tout le flux', after: START, createdBy: null })).view;
    const next = (await endpoints.create(consortium.missionLocale.id, { url: 'https://hooks.example.org/suite', description: 'La suite', createdBy: null })).view;
    const now = await status();
    const total = ((await json(await get('ml-referent', '/v1/feed?limit=500'))).items as Body[]).length;
    expect(now.webhooks).toEqual([
      expect.objectContaining({ id: whole.id, url: 'https://hooks.example.org/spie', cursor: '0-0', pendingEvents: total }),
      expect.objectContaining({ id: next.id, cursor: now.headCursor, pendingEvents: 0 }),
    ]);
    await endpoints.remove(consortium.missionLocale.id, whole.id);
    await endpoints.remove(consortium.missionLocale.id, next.id);
  });

  it("is the organisation's administrator's: another organisation's administrator gets 404, a référent 403, a platform administrator sees it", async () => {
    const foreign = await get('aci-partner_admin', path());
    expect(foreign.status).toBe(404);
    expect(openapi.errors('GET', '/v1/partners/{partnerId}/feed-status', 404, await json(foreign))).toEqual([]);
    expect((await get('ml-referent', path())).status).toBe(403);
    expect((await status('cd63-platform_admin')).partnerId).toBe(consortium.missionLocale.id);
    expect((await get('cd63-platform_admin', `/v1/partners/${randomUUID()}/feed-status`)).status).toBe(404);
    // The ACI's own: its feed, not the mission locale's.
    const own = await get('aci-partner_admin', `/v1/partners/${consortium.aci.id}/feed-status`);
    expect(own.status).toBe(200);
    expect((await json(own)).readers.servedCursor).toBeNull();
  });

  it('takes the head in the global order, whatever the digits (10^11 after 99 999 999 999)', async () => {
    const partnerId = consortium.aci.id;
    const db = running.app.get(SqlClient);
    await insertFeedRows(db, partnerId, ['99999999999', '100000000000']);
    try {
      const body = await json(await get('aci-partner_admin', `/v1/partners/${partnerId}/feed-status`));
      expect(body.headCursor).toBe('100000000000-2');
    } finally {
      await db.query('DELETE FROM partner_feed WHERE partner_id = $1', [partnerId]);
    }
  });
});
