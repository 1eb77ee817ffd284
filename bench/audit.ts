/**
 * npm run bench:audit — the audit tools on the configured database (DATABASE_URL, else PGlite):
 *   - one parcours of 500 events (five years of follow-up) read, replayed as of a date and audited
 *     against R1–R10, p50 in ms, against the bare read of its stream;
 *   - the continuity of every parcours of the département (BENCH_PARCOURS, four territories)
 *     evaluated from the store, parcours/s, against reading the same streams and doing nothing.
 * Writes bench/results/audit.json.
 */
import { randomUUID } from 'node:crypto';
import { Audit } from '../src/audit/audit.js';
import { replayAsOf } from '../src/audit/replay.js';
import { DEFAULT_POLICY } from '../src/continuity/policy.js';
import type { NewEvent } from '../src/event-store/event-store.js';
import { SqlEventStore } from '../src/event-store/sql/sql-event-store.js';
import type { ParcoursCommand } from '../src/parcours/domain/commands.js';
import { decide } from '../src/parcours/domain/parcours-decider.js';
import { type ParcoursState, evolve } from '../src/parcours/domain/state.js';
import { PARTNERS, TERRITORIES, TODAY, dayOf, seedPartners, writeHistories } from './history.js';
import { median, openBenchDatabase, percentile, round2, writeResults } from './support.js';

const PARCOURS = Number(process.env.BENCH_PARCOURS ?? 20_000);
const LONG_EVENTS = 500;
const REPLAYS = Number(process.env.BENCH_REPLAYS ?? 300);
const ROUNDS = 3;

/** Five years of a followed parcours: a contract every six months, contacts and appointments between. */
function longHistory(parcoursId: string): NewEvent[] {
  const ml = PARTNERS[2]!.id;
  const actor = { userId: 'bench', partnerId: ml, role: 'referent' };
  const context = { today: TODAY, actor };
  const entry = new Date(Date.UTC(2021, 0, 4));
  let day = 0;
  const commands: Array<Omit<ParcoursCommand, 'parcoursId' | 'context'>> = [
    { type: 'OpenParcours', identity: { ciphertext: 'v1.AAAA.BBBB' }, householdRole: 'demandeur', rsaSocle: true, entryOn: dayOf(entry, 0), territory: TERRITORIES[0]!, source: 'caf', ageBandAtEntry: '26_to_49' } as never,
    { type: 'JoinFollowUpGroup', partner: { partnerId: PARTNERS[0]!.id, active: true }, joinedOn: dayOf(entry, 0) } as never,
    { type: 'DecideOrientation', parcoursType: 'emploi', organismeReferent: { partnerId: ml, active: true }, decidedBy: 'bench', reason: 'diagnostic_outcome', decidedOn: dayOf(entry, (day += 20)) } as never,
    { type: 'AssignReferent', referent: { userId: 'referent-1', partnerId: ml, roles: ['referent'], partnerActive: true }, assignedOn: dayOf(entry, (day += 5)) } as never,
  ];
  let contract: { id: string; endsOn: number } | null = null;
  let step = 0;
  while (commands.length < LONG_EVENTS + 40) {
    day += 4;
    if (!contract || day >= contract.endsOn) {
      if (contract) commands.push({ type: 'EndEngagementContract', contractId: contract.id, endedOn: dayOf(entry, contract.endsOn), reason: 'term_reached' } as never);
      contract = { id: randomUUID(), endsOn: day + 180 };
      commands.push({ type: 'SignEngagementContract', contractId: contract.id, kind: dayOf(entry, day) < '2025-01-01' ? 'CER' : 'CE', signedOn: dayOf(entry, day), startsOn: dayOf(entry, day), endsOn: dayOf(entry, contract.endsOn), weeklyActivityHours: 15 } as never);
      continue;
    }
    step += 1;
    commands.push(
      step % 3 === 0
        ? ({ type: 'RecordAppointment', appointmentId: randomUUID(), kind: 'accompaniment', scheduledOn: dayOf(entry, day), outcome: 'seen', partnerId: ml } as never)
        : ({ type: 'RecordContact', contactId: randomUUID(), channel: 'phone', contactedOn: dayOf(entry, day), partnerId: ml } as never),
    );
  }
  let state: ParcoursState | null = null;
  const events: NewEvent[] = [];
  for (const command of commands) {
    if (events.length >= LONG_EVENTS) break;
    const decided = decide({ ...command, parcoursId, context } as ParcoursCommand, state);
    state = decided.reduce(evolve, state);
    for (const event of decided.slice(0, LONG_EVENTS - events.length)) {
      events.push({ eventId: randomUUID(), type: event.type, data: event.data, metadata: { actor, correlationId: randomUUID(), causationId: null, occurredAt: TODAY } });
    }
  }
  return events;
}

async function main(): Promise<void> {
  const bench = await openBenchDatabase('audit');
  const store = new SqlEventStore(bench.db);
  const audit = new Audit(bench.db, store, DEFAULT_POLICY);
  console.log(`bench:audit on ${bench.label}: writing the history of ${PARCOURS} parcours and one of ${LONG_EVENTS} events…`);
  try {
    await seedPartners(bench.db);
    const { events } = await writeHistories(store, PARCOURS);
    const longId = randomUUID();
    const long = longHistory(longId);
    await store.appendToStream(`parcours-${longId}`, long, { expectedVersion: 'no_stream' });
    if (long.length !== LONG_EVENTS) throw new Error(`the long parcours has ${long.length} events, not ${LONG_EVENTS}`);
    await bench.db.exec('ANALYZE');

    // One parcours: read, replayed as of a date, audited. Raw: the same rows, read and nothing else.
    const asOf = '2025-06-30';
    const oursMs: number[] = [];
    const rawMs: number[] = [];
    for (let index = 0; index < REPLAYS; index += 1) {
      let started = performance.now();
      await bench.db.query('SELECT * FROM events WHERE stream_id = $1 ORDER BY stream_version', [`parcours-${longId}`]);
      rawMs.push(performance.now() - started);
      started = performance.now();
      const { events: read, findings } = await audit.findings(longId, asOf);
      const replay = replayAsOf(read, asOf, 'facts');
      oursMs.push(performance.now() - started);
      if (index === 0) console.log(`  the long parcours as of ${asOf}: ${replay.eventsApplied} events applied, ${findings.length} finding(s)`);
    }
    const replayP50 = percentile(oursMs.slice(10), 50);
    const rawP50 = percentile(rawMs.slice(10), 50);

    // The whole département, territory by territory, from the store.
    const oursRates: number[] = [];
    const rawRates: number[] = [];
    let findingsCount = 0;
    for (let round = 0; round < ROUNDS; round += 1) {
      let started = performance.now();
      let parcours = 0;
      for (const territory of TERRITORIES) {
        const ids = await bench.db.query<{ parcours_id: string }>('SELECT parcours_id FROM parcours_details WHERE territory = $1 ORDER BY parcours_id', [territory]);
        for (let start = 0; start < ids.length; start += 500) {
          await bench.db.query('SELECT * FROM events WHERE stream_id = ANY($1::text[]) ORDER BY stream_id, stream_version', [
            ids.slice(start, start + 500).map((row) => `parcours-${row.parcours_id}`),
          ]);
        }
        parcours += ids.length;
      }
      rawRates.push(parcours / ((performance.now() - started) / 1000));
      started = performance.now();
      parcours = 0;
      findingsCount = 0;
      for (const territory of TERRITORIES) {
        const results = await audit.territoryContinuity(territory, TODAY);
        parcours += results.length;
        findingsCount += results.reduce((sum, result) => sum + result.findings.length, 0);
      }
      oursRates.push(parcours / ((performance.now() - started) / 1000));
    }
    const territoryRate = median(oursRates);
    const territoryRaw = median(rawRates);

    const results = {
      database: bench.label,
      replayAuditOneP50Ms: round2(replayP50),
      territoryAuditParcoursPerSec: round2(territoryRate),
      details: {
        replayAuditOne: { events: LONG_EVENTS, samples: REPLAYS, p50Ms: round2(replayP50), p99Ms: round2(percentile(oursMs.slice(10), 99)), rawReadP50Ms: round2(rawP50), ratioToRaw: round2(rawP50 / replayP50) },
        territoryAudit: { parcours: PARCOURS, events, findings: findingsCount, ours: round2(territoryRate), rawRead: round2(territoryRaw), ratio: round2(territoryRate / territoryRaw), unit: 'parcours/s' },
      },
    };
    console.log(`\nbench:audit — ${bench.label}`);
    console.table({ replayAuditOne: results.details.replayAuditOne });
    console.table({ territoryAudit: results.details.territoryAudit });
    console.log(`written to ${writeResults('audit', results)}`);
  } finally {
    await bench.close();
  }
}

await main();
