/**
 * npm run bench:projections — a département's history (BENCH_PARCOURS parcours, ~50 events each,
 * written through the decider so every stream is valid), then:
 *   - a full rebuild of every read model (ev/s) against a plain sequential scan of the same events;
 *   - the lag of the live projections under a steady write load (BENCH_COMMANDS_PER_SEC).
 * Writes bench/results/projections.json.
 */
import { randomUUID } from 'node:crypto';
import { SingleBar } from 'cli-progress';
import { type AllCursor, type NewEvent, compareCursors } from '../src/event-store/event-store.js';
import { SqlEventStore } from '../src/event-store/sql/sql-event-store.js';
import type { ParcoursCommand } from '../src/parcours/domain/commands.js';
import { decide } from '../src/parcours/domain/decide.js';
import { type ParcoursState, evolve } from '../src/parcours/domain/state.js';
import { ProjectionRunner } from '../src/projections/projection-runner.js';
import { rebuildProjections } from '../src/projections/rebuild.js';
import { projectionsFor } from '../src/projections/registry.js';
import { openBenchDatabase, percentile, round2, writeResults } from './support.js';

const PARCOURS = Number(process.env.BENCH_PARCOURS ?? 20_000);
const COMMANDS_PER_SEC = Number(process.env.BENCH_COMMANDS_PER_SEC ?? 500);
const LOAD_SECONDS = Number(process.env.BENCH_LOAD_SECONDS ?? 20);
const TODAY = '2026-11-28';
const TERRITORIES = ['cc-thiers-dore-et-montagne', 'cc-ambert-livradois-forez', 'cc-billom-communaute', 'cc-entre-dore-et-allier'];
const PARTNERS = [
  { id: randomUUID(), kind: 'departement' },
  { id: randomUUID(), kind: 'france_travail' },
  { id: randomUUID(), kind: 'mission_locale' },
  { id: randomUUID(), kind: 'association' },
  { id: randomUUID(), kind: 'siae_aci' },
  { id: randomUUID(), kind: 'siae_ei' },
  { id: randomUUID(), kind: 'ebe' },
  { id: randomUUID(), kind: 'employer' },
];

/** A small deterministic generator: the same history every run. */
let seed = 42;
function random(): number {
  seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
  return seed / 2_147_483_648;
}
const pick = <T>(values: readonly T[]): T => values[Math.floor(random() * values.length)]!;
const chance = (p: number) => random() < p;
const between = (low: number, high: number) => low + Math.floor(random() * (high - low + 1));

function dayOf(base: Date, offset: number): string {
  return new Date(base.getTime() + offset * 86_400_000).toISOString().slice(0, 10);
}

/** The events of one parcours, as caseworkers would have recorded them over its life. */
function history(parcoursId: string): NewEvent[] {
  const actor = { userId: 'bench', partnerId: PARTNERS[0]!.id, role: 'orientation_manager' };
  const context = { today: TODAY, actor };
  const entry = new Date(Date.UTC(2024, 0, 1) + between(0, 900) * 86_400_000);
  let day = 0;
  const at = (advance: number) => dayOf(entry, Math.min((day += advance), Math.floor((Date.parse(TODAY) - entry.getTime()) / 86_400_000)));
  const commands: Array<Omit<ParcoursCommand, 'parcoursId' | 'context'>> = [];
  const orientedTo = pick(PARTNERS.slice(1, 4));
  commands.push({ type: 'OpenParcours', identity: { ciphertext: 'v1.AAAA.BBBB' }, householdRole: chance(0.8) ? 'demandeur' : 'conjoint', rsaSocle: chance(0.85), entryOn: dayOf(entry, 0), territory: pick(TERRITORIES), source: pick(['caf', 'caf', 'msa', 'france_travail'] as const), ageBandAtEntry: pick(['under_26', '26_to_49', '26_to_49', '50_and_over'] as const) } as never);
  if (chance(0.9)) commands.push({ type: 'RecordDiagnostic', barriers: { mobility: pick(['strong', 'medium', 'none'] as const), family: 'none', health: pick(['strong', 'none', 'none'] as const), literacy: 'none', housing: 'medium', finances: 'medium', administrative: 'none', digital: 'none', language: 'none' }, recentActivity: 'inactive', qualificationLevel: '3', diagnosedOn: at(between(3, 15)) } as never);
  const oriented = chance(0.85);
  if (oriented) commands.push({ type: 'DecideOrientation', parcoursType: pick(['emploi', 'emploi', 'socio_professionnel', 'social'] as const), organismeReferent: { partnerId: orientedTo.id, active: true }, decidedBy: 'bench', reason: 'diagnostic_outcome', decidedOn: at(between(5, 50)) } as never);
  if (oriented && chance(0.8)) commands.push({ type: 'AssignReferent', referent: { userId: `referent-${between(1, 60)}`, partnerId: orientedTo.id, roles: ['referent'], partnerActive: true }, assignedOn: at(between(1, 20)) } as never);
  const appointments = between(3, 15);
  for (let index = 0; index < appointments; index += 1) commands.push({ type: 'RecordAppointment', appointmentId: randomUUID(), kind: pick(['accompaniment', 'accompaniment', 'orientation', 'other'] as const), scheduledOn: at(between(5, 40)), outcome: pick(['seen', 'seen', 'seen', 'no_show', 'excused'] as const), partnerId: orientedTo.id } as never);
  if (oriented && chance(0.7)) commands.push({ type: 'SignEngagementContract', contractId: randomUUID(), kind: pick(['CE', 'CER'] as const), signedOn: at(between(1, 10)), startsOn: at(0), endsOn: dayOf(entry, day + 180), weeklyActivityHours: between(5, 20) } as never);
  const contacts = between(5, 25);
  for (let index = 0; index < contacts; index += 1) commands.push({ type: 'RecordContact', contactId: randomUUID(), channel: pick(['phone', 'email', 'sms', 'in_person'] as const), contactedOn: at(between(3, 20)), partnerId: orientedTo.id } as never);
  for (let index = 0, actions = between(0, 4); index < actions; index += 1) commands.push({ type: 'PrescribeAction', actionId: randomUUID(), kind: pick(['training', 'immersion_pmsmp', 'mobility_aid', 'digital'] as const), prescribedOn: at(between(3, 20)) } as never);
  if (chance(0.4)) {
    const structure = pick([['PEC', null, PARTNERS[7]!], ['CDDI', 'ACI', PARTNERS[4]!], ['CDDI', 'EI', PARTNERS[5]!], ['CDD', null, PARTNERS[7]!], ['CDI_EBE', 'EBE', PARTNERS[6]!]] as const);
    const contractId = randomUUID();
    const startsOn = at(between(5, 30));
    commands.push({ type: 'StartEmploymentContract', contractId, kind: structure[0], employerPartnerId: structure[2].id, structureKind: structure[1], weeklyHours: pick([20, 24, 26, 30, 35]), startsOn, plannedEndOn: structure[0] === 'CDI_EBE' ? null : dayOf(entry, day + 180), beneficiaryUnder26AtStart: chance(0.2) } as never);
    if (chance(0.5) && structure[0] !== 'CDI_EBE') commands.push({ type: 'EndEmploymentContract', contractId, endedOn: at(between(30, 170)), reason: pick(['term_reached', 'hired_permanent', 'early_termination'] as const) } as never);
  }
  if (chance(0.35)) commands.push({ type: 'ExitParcours', category: pick(['emploi_durable', 'emploi_transition', 'sortie_positive', 'autre'] as const), reason: 'other', exitedOn: at(between(5, 30)) } as never);

  let state: ParcoursState | null = null;
  const events: NewEvent[] = [];
  for (const command of commands) {
    let decided;
    try {
      decided = decide({ ...command, parcoursId, context } as ParcoursCommand, state);
    } catch {
      continue; // a random step the rules refuse (a date clamped to today, say): skipped, as a caseworker would be told
    }
    state = decided.reduce(evolve, state);
    for (const event of decided) events.push({ eventId: randomUUID(), type: event.type, data: event.data, metadata: { actor, correlationId: randomUUID(), causationId: null, occurredAt: TODAY } });
  }
  return events;
}

async function main(): Promise<void> {
  const bench = await openBenchDatabase('projections');
  const store = new SqlEventStore(bench.db);
  await store.start();
  console.log(`bench:projections on ${bench.label}: writing the history of ${PARCOURS} parcours…`);
  try {
    for (const partner of PARTNERS) {
      await bench.db.query(
        `INSERT INTO partners (partner_id, name, kind, siret, territories, active, version, registered_at, updated_at) VALUES ($1, $2, $3, null, $4, true, 1, now(), now())`,
        [partner.id, `Bench ${partner.kind}`, partner.kind, TERRITORIES],
      );
    }
    const ids: string[] = [];
    const bar = new SingleBar({ format: ' {bar} {value}/{total} parcours | {events} events' });
    bar.start(PARCOURS, 0, { events: 0 });
    let written = 0;
    for (let start = 0; start < PARCOURS; start += 8) {
      await Promise.all(
        Array.from({ length: Math.min(8, PARCOURS - start) }, async () => {
          const id = randomUUID();
          const events = history(id);
          ids.push(id);
          written += events.length;
          await store.appendToStream(`parcours-${id}`, events, { expectedVersion: 'no_stream' });
        }),
      );
      bar.update(Math.min(start + 8, PARCOURS), { events: written });
    }
    bar.stop();

    const projections = projectionsFor({ feedPolicyFile: undefined, continuityPolicyFile: undefined });
    // The raw baseline: the same events, read in the same order and pages, and nothing done with them.
    const rawStarted = performance.now();
    let rawRead = 0;
    for (let after = 0; ; ) {
      const rows = await bench.db.query<{ global_position: number }>(
        `SELECT global_position, transaction_id, stream_id, stream_version, event_id, type, schema_version, data, metadata, recorded_at, hash
           FROM events WHERE global_position > $1 AND category = 'parcours' ORDER BY global_position LIMIT 2000`,
        [after],
      );
      if (rows.length === 0) break;
      rawRead += rows.length;
      after = rows[rows.length - 1]!.global_position;
    }
    const rawRate = rawRead / ((performance.now() - rawStarted) / 1000);

    console.log(`rebuilding ${projections.map((projection) => projection.name).join(', ')} from ${rawRead} events…`);
    const rebuildBar = new SingleBar({ format: ' {bar} {value}/{total} events | {rate} ev/s' });
    const started = performance.now();
    rebuildBar.start(rawRead, 0, { rate: 0 });
    await rebuildProjections(bench.db, store, projections, {
      batchSize: 2000,
      onProgress: ({ done }) => rebuildBar.update(done, { rate: Math.round(done / ((performance.now() - started) / 1000)) }),
    });
    rebuildBar.stop();
    const ours = rawRead / ((performance.now() - started) / 1000);

    console.log(`live projections under ${COMMANDS_PER_SEC} commands/s for ${LOAD_SECONDS} s…`);
    const runners = projections.map((projection) => new ProjectionRunner(bench.db, store, projection, { batchSize: 500 }));
    await Promise.all(runners.map((runner) => runner.start()));
    await Promise.all(runners.map((runner) => runner.whenCaughtUp()));
    const pending: Array<{ cursor: AllCursor; at: number }> = [];
    const lags: number[] = [];
    let stop = false;
    // Watches the checkpoints: an event is projected once every read model's checkpoint is past it.
    const watcher = (async () => {
      while (!stop || pending.length) {
        // Only the read models that read contacts move their checkpoint for them.
        const rows = await bench.db.query<{ transaction_id: string; position: number }>(
          `SELECT c.transaction_id, c.position FROM projection_checkpoints c
             JOIN projection_registry r ON r.name = c.name AND r.active_generation = c.generation
            WHERE c.name = ANY($1::text[])`,
          [projections.filter((projection) => projection.eventTypes.includes('ContactRecorded')).map((projection) => projection.name)],
        );
        const cursors = rows.map((row) => ({ transactionId: row.transaction_id, position: row.position }));
        const slowest = cursors.reduce((a, b) => (compareCursors(a, b) <= 0 ? a : b));
        const now = performance.now();
        for (let index = pending.length - 1; index >= 0; index -= 1) {
          if (compareCursors(pending[index]!.cursor, slowest) <= 0) lags.push(now - pending.splice(index, 1)[0]!.at);
        }
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    })();
    const interval = 1000 / COMMANDS_PER_SEC;
    const loadStarted = performance.now();
    let sent = 0;
    const inflight = new Set<Promise<void>>();
    while (performance.now() - loadStarted < LOAD_SECONDS * 1000) {
      const due = Math.floor((performance.now() - loadStarted) / interval);
      while (sent < due) {
        sent += 1;
        const id = ids[Math.floor(random() * ids.length)]!;
        const write = store
          .appendToStream(`parcours-${id}`, [{ eventId: randomUUID(), type: 'ContactRecorded', data: { contactId: randomUUID(), channel: 'phone', contactedOn: TODAY, partnerId: PARTNERS[2]!.id }, metadata: { actor: { userId: 'bench' }, correlationId: randomUUID(), occurredAt: TODAY } }], { expectedVersion: 'any' })
          .then((result) => {
            const last = result.events[result.events.length - 1]!;
            pending.push({ cursor: { transactionId: last.transactionId, position: last.globalPosition }, at: performance.now() });
          })
          .finally(() => inflight.delete(write));
        inflight.add(write);
      }
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    await Promise.all(inflight);
    stop = true;
    await watcher;
    await Promise.all(runners.map((runner) => runner.stop()));
    const achieved = sent / ((performance.now() - loadStarted) / 1000);

    const results = {
      database: bench.label,
      events: rawRead,
      parcours: PARCOURS,
      rebuildAll: { ours: round2(ours), raw: round2(rawRate), ratio: round2(ours / rawRate), unit: 'ev/s' },
      lagP50Ms: round2(percentile(lags, 50)),
      lagP99Ms: round2(percentile(lags, 99)),
      writeLoad: { commandsPerSec: round2(achieved), seconds: LOAD_SECONDS },
    };
    console.log(`\nbench:projections — ${bench.label}`);
    console.table({ rebuildAll: results.rebuildAll });
    console.table({ lag: { p50Ms: results.lagP50Ms, p99Ms: results.lagP99Ms, commandsPerSec: results.writeLoad.commandsPerSec } });
    console.log(`written to ${writeResults('projections', results)}`);
  } finally {
    await store.stop();
    await bench.close();
  }
}

await main();
