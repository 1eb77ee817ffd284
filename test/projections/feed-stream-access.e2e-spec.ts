import { randomUUID } from 'node:crypto';
import { connect } from 'node:net';
import { SqlClient } from '../../src/database/sql-client.js';
import { PartnerFeedController } from '../../src/parcours/read-models/partner-feed/partner-feed.controller.js';
import { ProjectionsService } from '../../src/projections/projections.module.js';
import { type Consortium, seedConsortium } from '../support/consortium.js';
import { type FeedStream, adoptStream, closeOpenedStreams, openStream } from '../support/feed-stream.js';
import { type Body, type ConsortiumClient, consortiumClient, json } from '../support/http.js';
import { clientWithParcours } from '../support/parcours-fixtures.js';
import { type RunningApp, startApp } from '../support/test-app.js';

afterEach(closeOpenedStreams);

/**
 * Each stream must end within the re-check (5 s) or the credential's expiry; a budget well above
 * that lets a busy 2-core machine set up its consortium and streams without a false failure, and
 * still fails where the old code kept a stream open for ever.
 */
const STREAM_TEST_BUDGET_MS = 60_000;

/** A partner software's API key, scoped to referent, valid for `lifetimeMs` (a day by default). */
async function createKey(send: ConsortiumClient['send'], partnerId: string, as: string, lifetimeMs = 86_400_000): Promise<{ key: string; keyId: string }> {
  const response = await send(as, `/v1/partners/${partnerId}/api-keys`, {
    name: 'Logiciel métier',
    scopes: ['referent'],
    expiresAt: new Date(Date.now() + lifetimeMs).toISOString(),
  });
  expect(response.status).toBe(201);
  return (await json(response)) as { key: string; keyId: string };
}

describe('feed streams end with their credentials', () => {
  let running: RunningApp;
  let consortium: Consortium;
  let parcoursId: string;
  const logs: string[] = [];
  const { post, send, get, anOrientedParcours } = clientWithParcours(() => running, () => consortium);

  const call = async (method: string, as: string, path: string, body?: unknown) =>
    fetch(`${running.baseUrl}${path}`, {
      method,
      headers: { ...(await consortium.as(as)), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });

  /** A contact on the parcours the mission locale follows: an event of its feed. Its id is what the stream would show. */
  async function recordContact(as: string, partnerId: string): Promise<string> {
    const contactId = randomUUID();
    await post(as, `/v1/parcours/${parcoursId}/contacts`, { contactId, channel: 'sms', contactedOn: '2026-03-26', partnerId });
    return contactId;
  }

  /** The event was in the mission locale's feed to be sent: the stream that did not send it held it back. */
  async function expectInFeed(contactId: string): Promise<void> {
    await running.app.get(ProjectionsService).whenCaughtUp();
    expect(JSON.stringify(await json(await get('ml-coordinator', '/v1/feed?limit=500')))).toContain(contactId);
  }

  async function addMember(userId: string, roles: string[]): Promise<void> {
    await post('cd63-platform_admin', `/v1/partners/${consortium.missionLocale.id}/members`, { userId, displayName: 'Agent de test', roles });
  }

  function expectEndedFor(stream: FeedStream, end: { event: string; problem: Body }, problem: Body): void {
    expect(end.event).toBe('revoked');
    expect(end.problem).toMatchObject({ type: `urn:spie-parcours:problem:${problem.code}`, ...problem });
    expect(end.problem.correlationId).toBe(stream.response.headers.get('x-correlation-id'));
  }

  beforeAll(async () => {
    running = await startApp(
      { RATE_LIMIT_PER_MINUTE: '1000000', LOG_LEVEL: 'info', FEED_MAX_STREAMS_PER_PARTNER: '4', FEED_MAX_STREAMS_PER_CALLER: '2' },
      { logDestination: { write: (line: string) => void logs.push(line) } },
    );
    consortium = await seedConsortium(running);
    parcoursId = await anOrientedParcours({ identity: { firstName: 'Lou', lastName: 'Canteloup', birthDate: '2002-05-01' }, diagnosedOn: '2026-01-20', orientedOn: '2026-02-02' });
  });

  /** Undone after the test, even one that timed out. */
  const afterThis: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const undo of afterThis.splice(0)) await undo();
  });

  afterAll(async () => {
    await running.close();
  });

  it('an API key revoked: the stream ends, saying why, and sends nothing recorded after', async () => {
    const { key, keyId } = await createKey(send, consortium.missionLocale.id, 'ml-partner_admin');
    const stream = await openStream(running, { authorization: `ApiKey ${key}` });
    const before = await recordContact('ml-referent', consortium.missionLocale.id);
    await stream.until(before);

    expect((await call('DELETE', 'ml-partner_admin', `/v1/partners/${consortium.missionLocale.id}/api-keys/${keyId}`)).status).toBe(204);
    const after = await recordContact('ml-referent', consortium.missionLocale.id);

    expectEndedFor(stream, await stream.end(), { status: 401, code: 'invalid_api_key', detail: 'revoked' });
    expect(stream.text).not.toContain(after);
    await expectInFeed(after);
  }, STREAM_TEST_BUDGET_MS);

  it('a member removed: the stream ends and sends nothing recorded after', async () => {
    await addMember('ml-feed-reader', ['referent']);
    const stream = await openStream(running, await consortium.as('ml-feed-reader'));
    const before = await recordContact('ml-referent', consortium.missionLocale.id);
    await stream.until(before);

    expect((await call('DELETE', 'cd63-platform_admin', `/v1/partners/${consortium.missionLocale.id}/members/ml-feed-reader`)).status).toBe(204);
    const after = await recordContact('ml-referent', consortium.missionLocale.id);

    expectEndedFor(stream, await stream.end(), { status: 403, code: 'not_a_member' });
    expect(stream.text).not.toContain(after);
    await expectInFeed(after);
  }, STREAM_TEST_BUDGET_MS);

  it("the organisation deactivated: its people's and its systems' streams end", async () => {
    const { key } = await createKey(send, consortium.missionLocale.id, 'ml-partner_admin');
    const person = await openStream(running, await consortium.as('ml-referent'));
    const system = await openStream(running, { authorization: `ApiKey ${key}` });
    const before = await recordContact('ml-referent', consortium.missionLocale.id);
    await Promise.all([person.until(before), system.until(before)]);

    const deactivation = await call('POST', 'cd63-platform_admin', `/v1/partners/${consortium.missionLocale.id}/deactivation`, { reason: 'convention_ended' });
    expect(deactivation.status).toBe(200);
    afterThis.push(async () => {
      expect((await call('POST', 'cd63-platform_admin', `/v1/partners/${consortium.missionLocale.id}/reactivation`)).status).toBe(200);
    });
    // The Département's coordinator still works on the parcours the mission locale followed.
    const after = await recordContact('cd63-coordinator', consortium.departement.id);
    for (const stream of [person, system]) {
      expectEndedFor(stream, await stream.end(), { status: 403, code: 'not_a_member', detail: 'this organisation is inactive' });
      expect(stream.text).not.toContain(after);
    }
  }, STREAM_TEST_BUDGET_MS);

  it('roles changed to ones that may not read the feed: the streams end, and give their slots back', async () => {
    await addMember('ml-feed-watcher', ['coordinator']);
    const streams = [await openStream(running, await consortium.as('ml-feed-watcher')), await openStream(running, await consortium.as('ml-feed-watcher'))];
    const before = await recordContact('ml-referent', consortium.missionLocale.id);
    await Promise.all(streams.map((stream) => stream.until(before)));

    const roles = `/v1/partners/${consortium.missionLocale.id}/members/ml-feed-watcher/roles`;
    expect((await call('PUT', 'cd63-platform_admin', roles, { roles: ['auditor'] })).status).toBe(200);
    const after = await recordContact('ml-referent', consortium.missionLocale.id);
    for (const stream of streams) {
      expectEndedFor(stream, await stream.end(), { status: 403, code: 'forbidden' });
      expect(stream.text).not.toContain(after);
    }
    await expectInFeed(after);

    // Both of the caller's slots (its cap is 2) are free again.
    expect((await call('PUT', 'cd63-platform_admin', roles, { roles: ['referent'] })).status).toBe(200);
    const again = [await openStream(running, await consortium.as('ml-feed-watcher')), await openStream(running, await consortium.as('ml-feed-watcher'))];
    for (const stream of again) stream.close();
  }, STREAM_TEST_BUDGET_MS);

  it('a revocation made on another instance (no event here, a principal cache behind): the periodic re-check ends the stream', async () => {
    const { key, keyId } = await createKey(send, consortium.missionLocale.id, 'ml-partner_admin');
    const stream = await openStream(running, { authorization: `ApiKey ${key}` });
    // What another instance's revocation looks like from here: the row changed, this instance's cache not told.
    await running.app.get(SqlClient).query('UPDATE api_keys SET revoked_at = now() WHERE key_id = $1', [keyId]);
    expectEndedFor(stream, await stream.end(), { status: 401, code: 'invalid_api_key', detail: 'revoked' });
  }, STREAM_TEST_BUDGET_MS);

  it('logs the end of a stream without anything personal: a code and the correlation id', async () => {
    await addMember('ml-feed-logged', ['referent']);
    const stream = await openStream(running, await consortium.as('ml-feed-logged'));
    expect((await call('DELETE', 'cd63-platform_admin', `/v1/partners/${consortium.missionLocale.id}/members/ml-feed-logged`)).status).toBe(204);
    await stream.end();
    const correlationId = stream.response.headers.get('x-correlation-id');
    const lines = logs.map((line) => JSON.parse(line) as Body).filter((line) => line.correlationId === correlationId && line.msg !== 'request completed');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ msg: 'feed stream ended: revoked', code: 'not_a_member' });
    expect(Object.keys(lines[0]!).sort()).toEqual(['code', 'context', 'correlationId', 'level', 'msg', 'service', 'time']);
  }, STREAM_TEST_BUDGET_MS);

  describe('caps on open streams', () => {
    async function tryOpen(as: string): Promise<Response> {
      return fetch(`${running.baseUrl}/v1/feed/stream`, { headers: await consortium.as(as) });
    }

    async function expectTooMany(response: Response, detail: RegExp): Promise<void> {
      expect(response.status).toBe(429);
      expect(response.headers.get('content-type')).toContain('application/problem+json');
      expect(response.headers.get('retry-after')).toBe('15');
      const problem = await json(response);
      expect(problem).toMatchObject({ status: 429, code: 'too_many_streams' });
      expect(problem.detail).toMatch(detail);
    }

    it('per caller and per organisation: 429 with Retry-After beyond, and a slot freed when a client leaves', async () => {
      const referent = [await openStream(running, await consortium.as('aci-referent')), await openStream(running, await consortium.as('aci-referent'))];
      await expectTooMany(await tryOpen('aci-referent'), /you already hold 2 open feed streams/);

      const coordinator = [await openStream(running, await consortium.as('aci-coordinator')), await openStream(running, await consortium.as('aci-coordinator'))];
      await expectTooMany(await tryOpen('aci-partner_admin'), /your organisation already holds 4 open feed streams/);
      // Another organisation is not held back by this one.
      const other = await openStream(running, await consortium.as('ml-referent'));

      referent[0]!.close();
      // The service learns of the leaving client when its connection closes: try until it has.
      let admission = await tryOpen('aci-partner_admin');
      while (admission.status === 429) {
        await admission.body?.cancel();
        await new Promise((resolve) => setTimeout(resolve, 50));
        admission = await tryOpen('aci-partner_admin');
      }
      expect(admission.status).toBe(200);
      await admission.body?.cancel();
      for (const stream of [referent[1]!, ...coordinator, other]) stream.close();
    }, STREAM_TEST_BUDGET_MS);

    it('a client that leaves before its stream is answered does not keep its slot', async () => {
      const { port } = new URL(running.baseUrl);
      const headers = await consortium.as('aci-orientation_manager');
      // The request sent, the connection closed at once, while the service authenticates it (a few times: one slot kept is one too many).
      for (let attempt = 0; attempt < 4; attempt += 1) {
        await new Promise<void>((resolve, reject) => {
          const socket = connect(Number(port), '127.0.0.1', () => {
            socket.write(`GET /v1/feed/stream HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: ${headers.authorization}\r\n\r\n`, () => {
              socket.destroy();
              resolve();
            });
          });
          socket.on('error', reject);
        });
      }
      // The service may not have handled them yet: try until both slots are seen free (for 5 s at most).
      let held = 0;
      for (let tries = 0; held < 2 && tries < 100; tries += 1) {
        const response = await fetch(`${running.baseUrl}/v1/feed/stream`, { headers });
        if (response.status === 200) {
          held += 1;
          adoptStream(response);
        } else {
          expect(response.status).toBe(429);
          await response.body?.cancel();
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      }
      expect(held).toBe(2);
    }, STREAM_TEST_BUDGET_MS);
  });
});

describe('feed streams end when their credential expires', () => {
  let running: RunningApp;
  let consortium: Consortium;
  const { send } = consortiumClient(() => running, () => consortium);

  beforeAll(async () => {
    // No periodic re-check within the test's time, and no tolerated skew: only the expiry can end these streams.
    running = await startApp({ FEED_RECHECK_SECONDS: '300', JWT_CLOCK_SKEW_SECONDS: '0' });
    consortium = await seedConsortium(running);
  });

  afterAll(async () => {
    await running.close();
  });

  it("a token's expiry ends the stream it opened", async () => {
    const token = await consortium.token('ml-referent', { ttlSeconds: 3 });
    const stream = await openStream(running, { authorization: `Bearer ${token}` });
    const end = await stream.end();
    expect(end.event).toBe('revoked');
    expect(end.problem).toMatchObject({ status: 401, code: 'invalid_token', detail: 'expired' });
  }, STREAM_TEST_BUDGET_MS);

  it("an API key's expiry ends the stream it opened", async () => {
    const { key } = await createKey(send, consortium.missionLocale.id, 'ml-partner_admin', 4_000);
    const stream = await openStream(running, { authorization: `ApiKey ${key}` });
    const end = await stream.end();
    expect(end.event).toBe('revoked');
    expect(end.problem).toMatchObject({ status: 401, code: 'invalid_api_key', detail: 'expired' });
  }, STREAM_TEST_BUDGET_MS);

  // Last: it begins the service's shutdown.
  it('a stream asked for once shutdown has ended the open ones is refused, not left open for the server to wait on', async () => {
    const stream = await openStream(running, await consortium.as('ml-referent'));
    // The step of the service's shutdown that ends the streams, as app.close() runs it; a request
    // still being authenticated then reaches the handler after it.
    await running.app.get(PartnerFeedController).beforeApplicationShutdown();
    await expect(stream.until('never sent')).rejects.toThrow('the stream ended');
    const late = await fetch(`${running.baseUrl}/v1/feed/stream`, { headers: await consortium.as('ml-referent') });
    expect(late.status).toBe(503);
    expect(late.headers.get('retry-after')).toBe('1');
    expect(await json(late)).toMatchObject({ status: 503, code: 'shutting_down' });
  }, STREAM_TEST_BUDGET_MS);
});
