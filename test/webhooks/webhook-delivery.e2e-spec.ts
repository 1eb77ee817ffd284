import { randomUUID } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { SqlClient } from '../../src/database/sql-client.js';
import { ProjectionsService } from '../../src/projections/projections.module.js';
import { type Consortium, seedConsortium } from '../support/consortium.js';
import { type Body, json } from '../support/http.js';
import { uniqueLastName } from '../support/people.js';
import { clientWithParcours } from '../support/parcours-fixtures.js';
import { type RunningApp, startApp } from '../support/test-app.js';
import { type ReceivedRequest, type WebhookReceiver, startReceiver } from '../support/webhook-receiver.js';

/**
 * Delivery to a receiver on the loopback interface that fails, times out and answers slowly: each
 * feed item arrives once or more, in feed order, signed so that the Standard Webhooks reference
 * verifier accepts it; failing too long dead-letters the endpoint, a replay resumes it; the
 * endpoints of a deactivated organisation stop at once.
 */
describe('webhook delivery', () => {
  let running: RunningApp;
  let consortium: Consortium;
  const receivers: WebhookReceiver[] = [];
  const { post, get, anOrientedParcours } = clientWithParcours(() => running, () => consortium);

  beforeAll(async () => {
    running = await startApp({
      RATE_LIMIT_PER_MINUTE: '1000000',
      // The receivers listen on 127.0.0.1: allowed explicitly (a server deployment refuses loopback by default).
      WEBHOOK_ALLOW_HTTP: 'on',
      WEBHOOK_ALLOW_PRIVATE_TARGETS: 'on',
      WEBHOOK_TIMEOUT_MS: '400',
      WEBHOOK_RETRY_BASE_MS: '20',
      WEBHOOK_RETRY_MAX_SECONDS: '1',
      WEBHOOK_DEAD_LETTER_SECONDS: '3',
    });
    consortium = await seedConsortium(running);
  });

  afterAll(async () => {
    await running.close();
    for (const receiver of receivers) await receiver.close();
  });

  async function receiver(): Promise<WebhookReceiver> {
    const started = await startReceiver();
    receivers.push(started);
    return started;
  }

  /** A parcours the mission locale follows as organisme référent. */
  async function followedParcours(): Promise<string> {
    const parcoursId = await anOrientedParcours({
      identity: { firstName: 'Lou', lastName: uniqueLastName('Webhook'), birthDate: '2002-05-01' },
      entryOn: '2026-01-12',
      orientedOn: '2026-02-02',
    });
    // An endpoint registered without a cursor starts where the feed stands: after these events.
    await running.app.get(ProjectionsService).whenCaughtUp();
    return parcoursId as string;
  }

  async function recordContact(parcoursId: string): Promise<void> {
    await post('ml-referent', `/v1/parcours/${parcoursId}/contacts`, { contactId: randomUUID(), channel: 'sms', contactedOn: '2026-03-26', partnerId: consortium.missionLocale.id });
  }

  /** The mission locale's feed as GET /v1/feed serves it. */
  async function feed(): Promise<Body[]> {
    await running.app.get(ProjectionsService).whenCaughtUp();
    const page = await json(await get('ml-referent', '/v1/feed?limit=500'));
    return page.items as Body[];
  }

  async function register(url: string, body: Record<string, unknown> = {}): Promise<Body> {
    const response = await fetch(`${running.baseUrl}/v1/partners/${consortium.missionLocale.id}/webhooks`, {
      method: 'POST',
      headers: { ...(await consortium.as('ml-partner_admin')), 'content-type': 'application/json' },
      body: JSON.stringify({ url, ...body }),
    });
    expect(response.status).toBe(201);
    return json(response);
  }

  async function status(endpointId: string): Promise<Body> {
    return json(await get('ml-partner_admin', `/v1/partners/${consortium.missionLocale.id}/webhooks/${endpointId}`));
  }

  /** The endpoint's status once `ready` holds of its delivery (the test's timeout bounds the wait). */
  async function statusWhen(endpointId: string, ready: (delivery: Body) => boolean): Promise<Body> {
    for (;;) {
      const state = await status(endpointId);
      if (ready(state.delivery as Body)) return state;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  async function admin(method: string, path: string, body?: unknown): Promise<Response> {
    return fetch(`${running.baseUrl}${path}`, {
      method,
      headers: { ...(await consortium.as(method === 'POST' && path.includes('activation') ? 'cd63-platform_admin' : 'ml-partner_admin')), 'content-type': 'application/json' },
      body: JSON.stringify(body ?? {}),
    });
  }

  const acknowledged = (requests: ReceivedRequest[]) => requests.filter((request) => request.status !== undefined && request.status < 300);
  const ackedIds = (requests: ReceivedRequest[]) => new Set(acknowledged(requests).map((request) => request.headers['webhook-id']));

  it('delivers every feed item once or more, in feed order per parcours, through failures, timeouts and slow answers, each signature verifying', async () => {
    const first = await followedParcours();
    const second = await followedParcours();
    for (let index = 0; index < 4; index += 1) {
      await recordContact(first);
      await recordContact(second);
    }
    const items = await feed();
    const target = await receiver();
    // Every third request fails, the fifth hangs past the timeout, every fourth answers slowly (within it).
    target.behave((request) => {
      if (request.index === 4) return { answer: 'hang' };
      if (request.index % 3 === 2) return { answer: 'fail', status: request.index % 2 ? 503 : 500 };
      if (request.index % 4 === 3) return { answer: 'ok', delayMs: 150 };
      return { answer: 'ok' };
    });
    const endpoint = await register(target.url, { after: '0-0' });
    await target.until((requests) => items.every((item) => ackedIds(requests).has(item.eventId)));

    // Once or more each, and in feed order per parcours: no request for a parcours is for an item
    // past the one after the last acknowledged (a retry, the next, or — at least once — an item
    // acknowledged already, sent again when a failure in the other parcours' lane stopped the page
    // before the cursor passed it).
    const position = new Map(items.map((item, index) => [item.eventId as string, index]));
    for (const parcoursId of [first, second]) {
      const own = items.filter((item) => item.parcoursId === parcoursId).map((item) => item.eventId as string);
      let lastAcked = -1;
      for (const request of target.requests.filter((candidate) => own.includes(candidate.headers['webhook-id']!))) {
        const at = own.indexOf(request.headers['webhook-id']!);
        expect([parcoursId, Math.min(at, lastAcked + 1)]).toEqual([parcoursId, at]);
        if (request.status !== undefined && request.status < 300) lastAcked = Math.max(lastAcked, at);
      }
      expect(lastAcked).toBe(own.length - 1);
    }
    expect(target.requests.length).toBeGreaterThan(items.length);
    expect(target.requests.some((request) => request.status === undefined)).toBe(true);

    // Signed per Standard Webhooks, verified by the reference library; the payload is the feed item.
    const verifier = new Webhook(endpoint.secret as string);
    for (const request of target.requests) {
      const payload = verifier.verify(request.body, request.headers) as Body;
      const item = items[position.get(request.headers['webhook-id']!)!]!;
      expect(payload).toEqual({ type: item.type, timestamp: item.recordedAt, data: item });
    }
    expect(() => new Webhook(`whsec_${Buffer.alloc(32, 7).toString('base64')}`).verify(target.requests[0]!.body, target.requests[0]!.headers)).toThrow();

    // The acknowledged cursor is written a moment after the last answer.
    const state = await statusWhen(endpoint.id as string, (delivery) => delivery.cursor === items.at(-1)!.cursor);
    expect(state.delivery).toMatchObject({ state: 'active', attempts: 0, cursor: items.at(-1)!.cursor, lastStatus: 204, lastError: null });
    expect(state.delivery.delivered).toBe(items.length);

    // What the organisation's system received is journaled as feed pages, naming their parcours.
    const journal = await running.app.get(SqlClient).query<{ record_ids: string[] }>(
      `SELECT record_ids FROM access_journal WHERE operation = 'webhook.deliver' AND actor_user_id = $1`,
      [`webhook:${endpoint.id}`],
    );
    expect(journal.length).toBeGreaterThan(0);
    expect(new Set(journal.flatMap((entry) => entry.record_ids))).toEqual(new Set([first, second]));

    // New events follow, woken by the feed's commit.
    await recordContact(first);
    const [next] = (await feed()).slice(items.length);
    await target.until((requests) => ackedIds(requests).has(next!.eventId));
    await admin('DELETE', `/v1/partners/${consortium.missionLocale.id}/webhooks/${endpoint.id}`);
  }, 60_000);

  it('signs with both secrets during a rotation overlap, with the new one only after it', async () => {
    const parcoursId = await followedParcours();
    const target = await receiver();
    const endpoint = await register(target.url);
    const path = `/v1/partners/${consortium.missionLocale.id}/webhooks/${endpoint.id}`;
    const rotated = await json(await admin('POST', `${path}/secret-rotation`, { overlapSeconds: 600 }));
    await recordContact(parcoursId);
    await target.until((requests) => acknowledged(requests).length >= 1);
    const during = target.requests.at(-1)!;
    expect(during.headers['webhook-signature']!.split(' ')).toHaveLength(2);
    expect(new Webhook(endpoint.secret as string).verify(during.body, during.headers)).toBeDefined();
    expect(new Webhook(rotated.secret as string).verify(during.body, during.headers)).toBeDefined();

    const again = await json(await admin('POST', `${path}/secret-rotation`, { overlapSeconds: 0 }));
    await recordContact(parcoursId);
    await target.until((requests) => acknowledged(requests).length >= 2);
    const after = target.requests.at(-1)!;
    expect(after.headers['webhook-signature']!.split(' ')).toHaveLength(1);
    expect(new Webhook(again.secret as string).verify(after.body, after.headers)).toBeDefined();
    expect(() => new Webhook(rotated.secret as string).verify(after.body, after.headers)).toThrow();
    await admin('DELETE', path);
  }, 60_000);

  it('dead-letters an endpoint failing for longer than allowed, shows it, and resumes it by a replay from a cursor', async () => {
    const parcoursId = await followedParcours();
    const target = await receiver();
    target.behave(() => ({ answer: 'fail', status: 500 }));
    const endpoint = await register(target.url);
    const path = `/v1/partners/${consortium.missionLocale.id}/webhooks/${endpoint.id}`;
    await recordContact(parcoursId);
    await target.until((requests) => requests.length >= 2);
    const retrying = await status(endpoint.id as string);
    expect(retrying.delivery).toMatchObject({ state: 'retrying', lastStatus: 500, lastError: 'http_status' });
    expect(retrying.delivery.attempts).toBeGreaterThan(0);
    // WEBHOOK_DEAD_LETTER_SECONDS=3 after the first failure; the back-off tops at 1 s.
    let dead = retrying;
    while (dead.delivery.state !== 'dead') {
      await new Promise((resolve) => setTimeout(resolve, 200));
      dead = await status(endpoint.id as string);
    }
    expect(dead.delivery.deadSince).not.toBeNull();
    expect(dead.delivery.failingSince).not.toBeNull();
    const seen = target.requests.length;
    await recordContact(parcoursId);
    await running.app.get(ProjectionsService).whenCaughtUp();
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(target.requests.length).toBe(seen);

    // The receiver is mended; the partner asks for everything since before this parcours' events.
    target.behave(() => ({ answer: 'ok' }));
    const all = await feed();
    const items = all.slice(all.findIndex((item) => item.cursor === endpoint.delivery.cursor) + 1);
    expect(items.length).toBe(2);
    const replayed = await admin('POST', `${path}/replay`, { after: endpoint.delivery.cursor });
    expect(replayed.status).toBe(200);
    await target.until((requests) => items.every((item) => ackedIds(requests).has(item.eventId)));
    const resumed = await statusWhen(endpoint.id as string, (delivery) => delivery.cursor === items.at(-1)!.cursor);
    expect(resumed.delivery).toMatchObject({ state: 'active', deadSince: null, failingSince: null, attempts: 0 });
    await admin('DELETE', path);
  }, 60_000);

  it("stops the endpoints of a deactivated organisation at once, and resumes them at its reactivation", async () => {
    const parcoursId = await followedParcours();
    for (let index = 0; index < 6; index += 1) await recordContact(parcoursId);
    // Read now: a deactivated organisation's members no longer read its feed.
    const items = await feed();
    const target = await receiver();
    // Slow answers: the deactivation lands while the endpoint has items left to send.
    target.behave(() => ({ answer: 'ok', delayMs: 150 }));
    const endpoint = await register(target.url, { after: '0-0' });
    await target.until((requests) => acknowledged(requests).length >= 1);
    const deactivated = await admin('POST', `/v1/partners/${consortium.missionLocale.id}/deactivation`, { reason: 'other' });
    expect(deactivated.status).toBe(200);
    const at = Date.now();
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    // The item in flight at the deactivation may still be answered; no other starts after it.
    expect(target.requests.filter((request) => request.arrivedAt > at).length).toBeLessThanOrEqual(1);
    const [row] = await running.app.get(SqlClient).query<{ delivered: string }>('SELECT delivered::text FROM webhook_endpoints WHERE endpoint_id = $1', [endpoint.id]);
    expect(Number(row!.delivered)).toBeLessThan(items.length);
    const stopped = await json(await get('cd63-platform_admin', `/v1/partners/${consortium.missionLocale.id}/webhooks/${endpoint.id}`));
    expect(stopped.delivery.state).toBe('stopped');

    expect((await admin('POST', `/v1/partners/${consortium.missionLocale.id}/reactivation`)).status).toBe(200);
    await target.until((requests) => items.every((item) => ackedIds(requests).has(item.eventId)));
  }, 60_000);
});
