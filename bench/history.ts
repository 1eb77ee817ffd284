/**
 * A département's history for the benchmarks: parcours written through the decider (so every
 * stream is one the service could have recorded), with their parcours_details row written in the
 * same statement, as the service does. Deterministic: the same history every run.
 */
import { randomUUID } from 'node:crypto';
import { SingleBar } from 'cli-progress';
import type { SqlClient } from '../src/database/sql-client.js';
import type { NewEvent } from '../src/event-store/event-store.js';
import type { SqlEventStore } from '../src/event-store/sql/sql-event-store.js';
import type { ParcoursCommand } from '../src/parcours/domain/commands.js';
import { decide } from '../src/parcours/domain/parcours-decider.js';
import { type ParcoursState, evolve } from '../src/parcours/domain/state.js';
import { parcoursDetailsFollowups } from '../src/parcours/read-models/parcours-details/parcours-details.projection.js';

export const TODAY = '2026-11-28';
export const TERRITORIES = ['cc-thiers-dore-et-montagne', 'cc-ambert-livradois-forez', 'cc-billom-communaute', 'cc-entre-dore-et-allier'];
export const PARTNERS = [
  { id: randomUUID(), kind: 'departement' },
  { id: randomUUID(), kind: 'france_travail' },
  { id: randomUUID(), kind: 'mission_locale' },
  { id: randomUUID(), kind: 'association' },
  { id: randomUUID(), kind: 'siae_aci' },
  { id: randomUUID(), kind: 'siae_ei' },
  { id: randomUUID(), kind: 'ebe' },
  { id: randomUUID(), kind: 'employer' },
];

let seed = 42;
/** A small deterministic generator. */
export function random(): number {
  seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
  return seed / 2_147_483_648;
}
export const pick = <T>(values: readonly T[]): T => values[Math.floor(random() * values.length)]!;
export const chance = (p: number) => random() < p;
export const between = (low: number, high: number) => low + Math.floor(random() * (high - low + 1));

export function dayOf(base: Date, offset: number): string {
  return new Date(base.getTime() + offset * 86_400_000).toISOString().slice(0, 10);
}

/** The events of one parcours, as caseworkers would have recorded them over its life. */
export function history(parcoursId: string): { events: NewEvent[]; state: ParcoursState | null } {
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
  if (oriented && chance(0.7)) {
    const signedOn = at(between(1, 10));
    // The kind of the regime of the signature (regimes.ts): the decider refuses the other.
    const kind = signedOn < '2025-01-01' ? pick(['CER', 'PPAE'] as const) : 'CE';
    commands.push({ type: 'SignEngagementContract', contractId: randomUUID(), kind, signedOn, startsOn: at(0), endsOn: dayOf(entry, day + 180), weeklyActivityHours: between(5, 20) } as never);
  }
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
  return { events, state };
}


export async function seedPartners(db: SqlClient): Promise<void> {
  for (const partner of PARTNERS) {
    await db.query(
      `INSERT INTO partners (partner_id, name, kind, siret, territories, active, version, registered_at, updated_at) VALUES ($1, $2, $3, null, $4, true, 1, now(), now())`,
      [partner.id, `Bench ${partner.kind}`, partner.kind, TERRITORIES],
    );
  }
}

/** Writes `count` parcours, eight at a time, with a progress bar; returns their ids. */
export async function writeHistories(store: SqlEventStore, count: number): Promise<{ ids: string[]; events: number }> {
  const ids: string[] = [];
  const bar = new SingleBar({ format: ' {bar} {value}/{total} parcours | {events} events' });
  bar.start(count, 0, { events: 0 });
  let written = 0;
  for (let start = 0; start < count; start += 8) {
    await Promise.all(
      Array.from({ length: Math.min(8, count - start) }, async () => {
        const id = randomUUID();
        const { events, state } = history(id);
        ids.push(id);
        written += events.length;
        await store.appendToStream(`parcours-${id}`, events, { expectedVersion: 'no_stream', followups: state ? parcoursDetailsFollowups(state, events.length, TODAY, events) : [] });
      }),
    );
    bar.update(Math.min(start + 8, count), { events: written });
  }
  bar.stop();
  return { ids, events: written };
}
