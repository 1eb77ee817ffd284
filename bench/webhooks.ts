/**
 * npm run bench:webhooks — an organisation's feed delivered to one webhook endpoint on the loopback
 * interface, by the built service (one process, PROCESS_ROLE=all).
 *
 * 1. Throughput: BENCH_BACKLOG contacts (2 000) are recorded and projected into the mission
 *    locale's feed, then an endpoint is registered from the start of the feed, to a receiver that
 *    answers 204 at once: feed items delivered per second (eventsPerSec). Baseline, in the same run:
 *    the same number of signed POSTs of the same size sent by this process to the same receiver, one
 *    after the other on a kept-alive connection (what the HTTP round trip alone allows).
 * 2. Delay and loss: a new endpoint, to a receiver that answers 500 to a random 20 % of calls
 *    (BENCH_FAILURE_RATE), while the Département records contacts at BENCH_RATE commands/s (200,
 *    open loop) for BENCH_DURATION_S (20 s): delay from each command's answer (its event appended)
 *    to the receiver's first 2xx for that event (p50, p99, max), and the events of the feed never
 *    acknowledged once the endpoint stopped making progress for BENCH_DRAIN_S (15 s) after the load
 *    (lost). Events appended but absent from the feed are counted apart (appendedNotInFeed): a
 *    webhook delivers what the feed holds. Signatures are checked with the reference verifier.
 *
 * The service's retry base (WEBHOOK_RETRY_BASE_MS) is BENCH_RETRY_BASE_MS (10 ms): deliveries are
 * ordered per parcours, so each failure holds that parcours' following items for the back-off. Writes
 * bench/results/webhooks.json.
 */
import { Agent } from 'node:http';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { Webhook } from 'standardwebhooks';
import { generateSecret, signatureHeader } from '../src/webhooks/webhook-signature.js';
import { type ReceivedRequest, startReceiver } from '../test/support/webhook-receiver.js';
import { TERRITORY, addCaseworker, contactRecording, openOrientedParcours, startBenchService } from './service.js';
import { inParallel, jsonCaller, openLoop, percentile, send, writeResults } from './support.js';
import { freePort } from '../test/support/private-postgres.js';
import { projectionsCaughtUp } from '../drills/support.js';

const RATE = Number(process.env.BENCH_RATE ?? 200);
const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 20);
const BACKLOG = Number(process.env.BENCH_BACKLOG ?? 2_000);
const PARCOURS = Number(process.env.BENCH_PARCOURS ?? 50);
const FAILURE_RATE = Number(process.env.BENCH_FAILURE_RATE ?? 0.2);
const DRAIN_S = Number(process.env.BENCH_DRAIN_S ?? 15);
const RETRY_BASE_MS = process.env.BENCH_RETRY_BASE_MS ?? '10';
const PORT = Number(process.env.BENCH_PORT ?? 0);
const ROOT = join(import.meta.dirname, '..');

async function main(): Promise<void> {
  const receiver = await startReceiver();
  const service = await startBenchService({
    root: ROOT,
    port: PORT || (await freePort()),
    env: {
      // The receiver is on the loopback interface: allowed explicitly, as a server deployment refuses it by default.
      WEBHOOK_ALLOW_HTTP: 'on',
      WEBHOOK_ALLOW_PRIVATE_TARGETS: 'on',
      WEBHOOK_RETRY_BASE_MS: RETRY_BASE_MS,
      WEBHOOK_RETRY_MAX_SECONDS: '2',
      LOG_LEVEL: process.env.LOG_LEVEL ?? 'error',
      ...(process.env.DATABASE_POOL_SIZE ? {} : { DATABASE_POOL_SIZE: '20' }),
    },
  });
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  try {
    console.log(`bench:webhooks on ${service.label}: ${BACKLOG} items backlog, then ${RATE} commands/s for ${DURATION_S} s to a receiver failing ${FAILURE_RATE * 100} % of calls`);
    const call = jsonCaller(agent, service.url, await addCaseworker(service));
    const org = await service.asAdmin<{ id: string }>('POST', '/v1/partners', { name: 'Mission locale', kind: 'mission_locale', territories: [TERRITORY] });
    await service.asAdmin('POST', `/v1/partners/${org.id}/members`, { userId: 'ml-admin', displayName: 'Admin', roles: ['partner_admin'] });
    const orgAdmin = { authorization: `Bearer ${await service.token('ml-admin')}`, 'content-type': 'application/json' };

    const parcours: string[] = [];
    await inParallel(
      Array.from({ length: PARCOURS }, (_, index) => async () => {
        parcours.push(await openOrientedParcours(call, org.id, { firstName: `Prénom${index}`, lastName: `Webhook${index}`, birthDate: '1988-04-12' }));
      }),
      16,
    );
    let next = 0;
    const contact = async (): Promise<string[]> => {
      const parcoursId = parcours[next++ % parcours.length]!;
      const result = await call<{ events: Array<{ eventId: string; type: string }> }>('POST', `/v1/parcours/${parcoursId}/contacts`, contactRecording(service.partnerId));
      // The contact itself; a first contact may bring another event, which a mission locale's feed does not carry.
      return result.events.filter((event) => event.type === 'ContactRecorded').map((event) => event.eventId);
    };

    // 1. Throughput: a backlog in the feed, delivered from the start.
    const backlog: string[] = [];
    await inParallel(Array.from({ length: BACKLOG }, () => async () => void backlog.push(...(await contact()))), 16);
    const adminToken = await service.token('ml-admin');
    const backlogFeed = await settledFeed(service.url, adminToken);
    const backlogNotInFeed = backlog.filter((id) => !backlogFeed.has(id)).length;
    const acked = (requests: ReceivedRequest[]) => requests.filter((request) => request.status !== undefined && request.status < 300);
    const startedAt = performance.now();
    const first = await call<{ id: string; secret: string }>('POST', `/v1/partners/${org.id}/webhooks`, { url: receiver.url, after: '0-0' }, orgAdmin);
    const expected = new Set(backlog.filter((id) => backlogFeed.has(id)));
    await receiver.until((requests) => {
      for (const request of acked(requests)) expected.delete(request.headers['webhook-id']!);
      return expected.size === 0;
    }, 300_000);
    const seconds = (performance.now() - startedAt) / 1000;
    const firstStatus = await call<{ delivery: { delivered: number } }>('GET', `/v1/partners/${org.id}/webhooks/${first.id}`, undefined, orgAdmin);
    const eventsPerSec = firstStatus.delivery.delivered / seconds;
    await call('DELETE', `/v1/partners/${org.id}/webhooks/${first.id}`, undefined, orgAdmin);
    const signatureFailures = { count: 0 };
    verifyAll(receiver.requests, first.secret, signatureFailures);
    const backlogRequests = receiver.requests.length;
    console.log(`  throughput: ${firstStatus.delivery.delivered} items in ${seconds.toFixed(1)} s, ${eventsPerSec.toFixed(0)} items/s`);

    // Baseline: the same POSTs from here, one after the other.
    const raw = await rawPosts(receiver.url, firstStatus.delivery.delivered);
    console.log(`  baseline: ${raw.toFixed(0)} signed POSTs/s straight to the receiver`);
    receiver.requests.length = 0;

    // 2. Delay and loss under a command load, 20 % of the calls failing.
    receiver.behave(() => (Math.random() < FAILURE_RATE ? { answer: 'fail', status: 500 } : { answer: 'ok' }));
    const second = await call<{ id: string; secret: string }>('POST', `/v1/partners/${org.id}/webhooks`, { url: receiver.url }, orgAdmin);
    const sent = new Map<string, number>();
    const loadStarted = performance.now();
    const load = await openLoop(RATE, DURATION_S, async () => {
      const ids = await contact();
      const at = Date.now();
      for (const id of ids) sent.set(id, at);
    });
    const commandErrors = load.errors;
    const commandsPerSec = load.done / ((performance.now() - loadStarted) / 1000);
    // Drained: every event the feed holds acknowledged, or no acknowledgement for BENCH_DRAIN_S.
    const loadFeed = await settledFeed(service.url, adminToken);
    const deliverable = [...sent.keys()].filter((id) => loadFeed.has(id));
    for (let lastCount = -1, quietSince = Date.now(); ; ) {
      const seen = new Set(acked(receiver.requests).map((request) => request.headers['webhook-id']));
      if (deliverable.every((id) => seen.has(id))) break;
      if (seen.size !== lastCount) [lastCount, quietSince] = [seen.size, Date.now()];
      else if (Date.now() - quietSince > DRAIN_S * 1000) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const drainedAt = performance.now();
    const firstAck = new Map<string, number>();
    for (const request of acked(receiver.requests)) {
      const id = request.headers['webhook-id']!;
      if (!firstAck.has(id)) firstAck.set(id, request.arrivedAt);
    }
    const delays: number[] = [];
    let lost = 0;
    for (const [id, at] of sent) {
      if (!loadFeed.has(id)) continue;
      const ackAt = firstAck.get(id);
      if (ackAt === undefined) lost += 1;
      else delays.push(Math.max(0, ackAt - at));
    }
    verifyAll(receiver.requests, second.secret, signatureFailures);
    const failed = receiver.requests.filter((request) => request.status === 500).length;
    const secondStatus = await call<{ delivery: Record<string, unknown> }>('GET', `/v1/partners/${org.id}/webhooks/${second.id}`, undefined, orgAdmin);
    const results = {
      database: service.label,
      eventsPerSec: Math.round(eventsPerSec),
      p99DelayMs: Math.round(percentile(delays, 99)),
      lost,
      appendedNotInFeed: backlogNotInFeed + (sent.size - deliverable.length),
      drainSeconds: Math.round((drainedAt - loadStarted) / 1000 - DURATION_S),
      baseline: { rawSignedPostsPerSec: Math.round(raw), ratio: Math.round((eventsPerSec / raw) * 100) / 100 },
      backlogItems: firstStatus.delivery.delivered,
      backlogRequests,
      commandsPerSec: Math.round(commandsPerSec),
      targetCommandsPerSec: RATE,
      commandErrors,
      events: sent.size,
      p50DelayMs: Math.round(percentile(delays, 50)),
      maxDelayMs: Math.round(Math.max(0, ...delays)),
      receiverCalls: receiver.requests.length,
      receiverFailures: failed,
      failureRate: FAILURE_RATE,
      retryBaseMs: Number(RETRY_BASE_MS),
      signatureFailures: signatureFailures.count,
      endpointState: secondStatus.delivery.state,
    };
    console.table(results);
    console.log(`written to ${writeResults('webhooks', results)}`);
  } finally {
    agent.destroy();
    await service.stop();
    await receiver.close();
  }
}

function verifyAll(requests: ReceivedRequest[], secret: string, failures: { count: number }): void {
  const verifier = new Webhook(secret);
  for (const request of requests) {
    try {
      verifier.verify(request.body, request.headers);
    } catch {
      failures.count += 1;
    }
  }
}

/** The event ids the organisation's feed holds now. */
async function feedEventIds(base: string, token: string): Promise<Set<string>> {
  const ids = new Set<string>();
  let after = '0-0';
  for (;;) {
    const response = await fetch(`${base}/v1/feed?after=${after}&limit=500`, { headers: { authorization: `Bearer ${token}` } });
    if (!response.ok) throw new Error(`GET /v1/feed: ${response.status}`);
    const page = (await response.json()) as { items: Array<{ eventId: string }>; nextCursor: string };
    for (const item of page.items) ids.add(item.eventId);
    if (page.items.length < 500) return ids;
    after = page.nextCursor;
  }
}

/**
 * The feed once the projections have caught up with every appended event (the service's /metrics
 * says no lag): what it lacks then, it lacks for good (counted apart, as `appendedNotInFeed`, since a
 * webhook delivers what the feed holds). A feed that merely stopped growing for a while proves
 * nothing: on the embedded database a long projection batch holds the only connection for seconds.
 */
async function settledFeed(base: string, token: string): Promise<Set<string>> {
  await projectionsCaughtUp(base);
  return feedEventIds(base, token);
}

/** Signed POSTs of a feed item's size, one after the other, on one kept-alive connection. */
async function rawPosts(url: string, count: number): Promise<number> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const secret = generateSecret();
  const body = JSON.stringify({ type: 'ContactRecorded', timestamp: new Date().toISOString(), data: { cursor: '1000-1000', parcoursId: randomUUID(), eventId: randomUUID(), type: 'ContactRecorded', data: { contactId: randomUUID(), channel: 'phone', contactedOn: '2026-02-10' }, recordedAt: new Date().toISOString() } });
  const started = performance.now();
  for (let index = 0; index < count; index += 1) {
    const id = randomUUID();
    const timestamp = Math.floor(Date.now() / 1000);
    await send(agent, url, 'POST', '', { 'content-type': 'application/json', 'webhook-id': id, 'webhook-timestamp': String(timestamp), 'webhook-signature': signatureHeader([secret.key], id, timestamp, body) }, body, true);
  }
  const perSec = count / ((performance.now() - started) / 1000);
  agent.destroy();
  return perSec;
}




main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
