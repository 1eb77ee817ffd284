/**
 * npm run bench:feeds — the consortium's feeds under a command load. BENCH_ORGS organisations
 * (40) each follow BENCH_PARCOURS_PER_ORG parcours (25) as organisme référent and keep
 * BENCH_STREAMS (20) `/v1/feed/stream` open; the Département records contacts at BENCH_RATE
 * commands/s (300, open loop) for BENCH_DURATION_S (20 s): first with no stream open, then with
 * every stream open, in the same run on the same database.
 *
 * Each contact must reach every stream of the organisation that follows its parcours, once:
 * delivery delay from the command's answer to its arrival on each of those streams (p50, p99, max),
 * deliveries lost (not arrived BENCH_DRAIN_S after the load) and extra (a duplicate, or an event
 * a stream should not get). Writes bench/results/feeds.json.
 */
import { type IncomingMessage, Agent, request } from 'node:http';
import { join } from 'node:path';
import { TERRITORY, addCaseworker, contactRecording, openOrientedParcours, startBenchService } from './service.js';
import { inParallel, jsonCaller, openLoop, percentile, writeResults } from './support.js';

const ORGS = Number(process.env.BENCH_ORGS ?? 40);
const STREAMS = Number(process.env.BENCH_STREAMS ?? 20);
const RATE = Number(process.env.BENCH_RATE ?? 300);
const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 20);
const PARCOURS_PER_ORG = Number(process.env.BENCH_PARCOURS_PER_ORG ?? 25);
const DRAIN_S = Number(process.env.BENCH_DRAIN_S ?? 10);
const PORT = Number(process.env.BENCH_PORT ?? 3947);
const ROOT = join(import.meta.dirname, '..');

interface Sent {
  ackAt: number;
  org: number;
}

async function main(): Promise<void> {
  const service = await startBenchService({
    root: ROOT,
    port: PORT,
    env: { FEED_MAX_STREAMS_PER_PARTNER: String(STREAMS), FEED_MAX_STREAMS_PER_CALLER: String(STREAMS), ...(process.env.DATABASE_POOL_SIZE ? {} : { DATABASE_POOL_SIZE: '20' }) },
  });
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const streamAgent = new Agent({ keepAlive: false, maxSockets: Infinity });
  const streams: IncomingMessage[] = [];
  try {
    console.log(`bench:feeds on ${service.label}: ${ORGS} organisations × ${STREAMS} streams, ${RATE} commands/s for ${DURATION_S} s`);
    const call = jsonCaller(agent, service.url, await addCaseworker(service));

    // The organisations, each with a reader, and the parcours each follows as organisme référent.
    const orgs: Array<{ id: string; token: string }> = [];
    for (let index = 0; index < ORGS; index += 1) {
      const org = await service.asAdmin<{ partnerId?: string; id?: string }>('POST', '/v1/partners', { name: `Structure ${index + 1}`, kind: 'mission_locale', territories: [TERRITORY] });
      const id = (org.partnerId ?? org.id)!;
      await service.asAdmin('POST', `/v1/partners/${id}/members`, { userId: `reader-${index}`, displayName: `Lecteur ${index}`, roles: ['referent'] });
      orgs.push({ id, token: await service.token(`reader-${index}`) });
    }
    const parcours: Array<{ id: string; org: number }> = [];
    const openOne = async (org: number, index: number) => {
      const parcoursId = await openOrientedParcours(call, orgs[org]!.id, { firstName: `Prénom${index}`, lastName: `Nom${index}`, birthDate: '1988-04-12' });
      parcours.push({ id: parcoursId, org });
    };
    const jobs = Array.from({ length: ORGS * PARCOURS_PER_ORG }, (_, index) => () => openOne(index % ORGS, index));
    await inParallel(jobs, 16);
    console.log(`  ${parcours.length} parcours opened and oriented`);

    const sent = new Map<string, Sent>();
    const commandLatencies: number[] = [];
    let next = 0;
    const oneCommand = async () => {
      const target = parcours[next++ % parcours.length]!;
      const started = performance.now();
      const result = await call<{ events: Array<{ eventId: string }> }>('POST', `/v1/parcours/${target.id}/contacts`, contactRecording(service.partnerId));
      const ackAt = performance.now();
      commandLatencies.push(ackAt - started);
      for (const event of result.events) sent.set(event.eventId, { ackAt, org: target.org });
    };

    // 1. The load alone.
    const alone = await openLoop(RATE, DURATION_S, oneCommand);
    const withoutStreams = { commandsPerSec: alone.done / DURATION_S, p99: percentile(commandLatencies.splice(0), 99), errors: alone.errors };
    console.log(`  without streams: ${withoutStreams.commandsPerSec.toFixed(0)} commands/s, p99 ${withoutStreams.p99.toFixed(0)} ms`);
    // Those the feed projection had not written yet when the streams took their starting cursor may
    // still arrive: neither expected nor extra.
    const earlier = new Set(sent.keys());
    sent.clear();

    // 2. The same load with every stream open, each from the feed's current end.
    const arrivals: Array<{ org: number; seen: Map<string, number>; extra: number }> = [];
    const ends = await Promise.all(orgs.map(async (org) => feedEnd(service.url, org.token)));
    await Promise.all(
      orgs.flatMap((org, orgIndex) =>
        Array.from({ length: STREAMS }, async () => {
          const arrival = { org: orgIndex, seen: new Map<string, number>(), extra: 0 };
          arrivals.push(arrival);
          streams.push(await openStream(streamAgent, service.url, org.token, ends[orgIndex]!, (eventId) => {
            const at = performance.now();
            if (arrival.seen.has(eventId)) arrival.extra += 1;
            else arrival.seen.set(eventId, at);
          }));
        }),
      ),
    );
    console.log(`  ${streams.length} streams open`);
    const loaded = await openLoop(RATE, DURATION_S, oneCommand);
    const withStreams = { commandsPerSec: loaded.done / DURATION_S, p99: percentile(commandLatencies.splice(0), 99), errors: loaded.errors };
    await new Promise((resolve) => setTimeout(resolve, DRAIN_S * 1000));

    const delays: number[] = [];
    let lost = 0;
    let extra = 0;
    for (const arrival of arrivals) {
      extra += arrival.extra;
      for (const [eventId, at] of arrival.seen) {
        if (earlier.has(eventId)) continue;
        const command = sent.get(eventId);
        // Not one of the load's events (or another organisation's): a misdelivery.
        if (!command || command.org !== arrival.org) extra += 1;
        else delays.push(Math.max(0, at - command.ackAt));
      }
      for (const [eventId, command] of sent) if (command.org === arrival.org && !arrival.seen.has(eventId)) lost += 1;
    }
    const results = {
      database: service.label,
      organisations: ORGS,
      streams: ORGS * STREAMS,
      commandsPerSec: Math.round(withStreams.commandsPerSec),
      commandsPerSecWithoutStreams: Math.round(withoutStreams.commandsPerSec),
      targetCommandsPerSec: RATE,
      deliveries: delays.length,
      deliveryP50Ms: Math.round(percentile(delays, 50)),
      deliveryP99Ms: Math.round(percentile(delays, 99)),
      deliveryMaxMs: Math.round(Math.max(0, ...delays)),
      lost,
      extra,
      commandsP99Ms: Math.round(withStreams.p99),
      commandsP99MsWithoutStreams: Math.round(withoutStreams.p99),
      commandErrors: withStreams.errors + withoutStreams.errors,
    };
    console.table(results);
    console.log(`written to ${writeResults('feeds', results)}`);
  } finally {
    for (const stream of streams) stream.destroy();
    agent.destroy();
    streamAgent.destroy();
    await service.stop();
  }
}

/** The cursor of the last item in an organisation's feed now: streams start after it. */
async function feedEnd(base: string, token: string): Promise<string> {
  let after: string | undefined;
  for (;;) {
    const response = await fetch(`${base}/v1/feed?limit=500${after ? `&after=${after}` : ''}`, { headers: { authorization: `Bearer ${token}` } });
    const page = (await response.json()) as { items: unknown[]; nextCursor: string };
    if (page.items.length === 0) return page.nextCursor;
    after = page.nextCursor;
  }
}

/** An open stream; calls `onEvent` with each event's id as it arrives. */
function openStream(agent: Agent, base: string, token: string, after: string, onEvent: (eventId: string) => void): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const req = request(`${base}/v1/feed/stream?after=${after}`, { agent, headers: { authorization: `Bearer ${token}` } }, (res) => {
      if (res.statusCode !== 200) return reject(new Error(`stream: ${res.statusCode}`));
      let buffer = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffer += chunk;
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const message = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const data = message.split('\n').find((line) => line.startsWith('data: '));
          if (data) onEvent((JSON.parse(data.slice(6)) as { eventId: string }).eventId);
        }
      });
      res.on('error', () => undefined);
      resolve(res);
    });
    req.on('error', reject);
    req.end();
  });
}

await main();
