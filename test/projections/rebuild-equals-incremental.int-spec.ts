import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import type { SqlEventStore } from '../../src/event-store/sql/sql-event-store.js';
import type { ParcoursCommand } from '../../src/parcours/domain/commands.js';
import { decide } from '../../src/parcours/domain/parcours-decider.js';
import { type ParcoursState, evolve } from '../../src/parcours/domain/state.js';
import { ProjectionRunner } from '../../src/projections/projection-runner.js';
import { rebuildProjections } from '../../src/projections/rebuild.js';
import { projectionsFor } from '../../src/read-models.js';
import { readModelRows } from '../support/read-model-rows.js';
import { type TestDatabase, closeEventStore, databaseTargets, openEventStore } from '../support/test-database.js';

const PARTNERS = [
  { id: randomUUID(), kind: 'mission_locale' },
  { id: randomUUID(), kind: 'siae_aci' },
  { id: randomUUID(), kind: 'employer' },
] as const;
const TODAY = '2026-11-28';

/** Days after 2026-01-05, as a business date (the whole history fits before TODAY). */
function dayOf(offset: number): string {
  return new Date(Date.UTC(2026, 0, 5 + offset)).toISOString().slice(0, 10);
}

type Step = { parcours: number; kind: number; day: number; partner: number; flag: boolean };

/** The command a random step stands for, on the state it meets (it may well be refused: then it is skipped). */
function commandOf(step: Step, parcoursId: string, state: ParcoursState | null): ParcoursCommand {
  const context = { today: TODAY, actor: { userId: 'prop', partnerId: PARTNERS[0].id, role: 'referent' } };
  const base = { parcoursId, context };
  const on = dayOf(step.day);
  const partner = PARTNERS[step.partner % PARTNERS.length]!;
  const contractId = `00000000-0000-4000-8000-00000000000${step.partner}`;
  switch (state === null ? 0 : step.kind) {
    case 0:
      return { ...base, type: 'OpenParcours', identity: { ciphertext: 'v1.x.y' }, householdRole: 'demandeur', rsaSocle: step.flag, entryOn: dayOf(0), territory: 'cc-thiers-dore-et-montagne', source: 'caf', ageBandAtEntry: 'under_26' };
    case 1:
      return { ...base, type: 'DecideOrientation', parcoursType: step.flag ? 'emploi' : 'social', organismeReferent: { partnerId: partner.id, active: true }, decidedBy: 'prop', reason: 'diagnostic_outcome', decidedOn: on };
    case 2:
      return { ...base, type: 'JoinFollowUpGroup', partner: { partnerId: partner.id, active: true }, joinedOn: on };
    case 3:
      return { ...base, type: 'LeaveFollowUpGroup', partnerId: partner.id, leftOn: on };
    case 4:
      return { ...base, type: 'AssignReferent', referent: { userId: `user-${step.partner}`, partnerId: partner.id, roles: ['referent'], partnerActive: true }, assignedOn: on };
    case 5:
      return { ...base, type: 'RecordAppointment', appointmentId: randomUUID(), kind: 'accompaniment', scheduledOn: on, outcome: step.flag ? 'seen' : 'no_show', partnerId: partner.id };
    case 6:
      return { ...base, type: 'RecordContact', contactId: randomUUID(), channel: 'phone', contactedOn: on, partnerId: partner.id };
    case 7:
      return { ...base, type: 'SignEngagementContract', contractId: randomUUID(), kind: 'CE', signedOn: on, startsOn: on, endsOn: dayOf(step.day + 180), weeklyActivityHours: 15 };
    case 8:
      return { ...base, type: 'StartEmploymentContract', contractId, kind: step.flag ? 'PEC' : 'CDDI', employerPartnerId: partner.id, structureKind: step.flag ? null : 'ACI', weeklyHours: step.flag ? 26 : 24, startsOn: on, plannedEndOn: dayOf(step.day + 150), beneficiaryUnder26AtStart: step.flag };
    case 9:
      return { ...base, type: 'EndEmploymentContract', contractId, endedOn: on, reason: 'term_reached' };
    case 10:
      return { ...base, type: 'ExitParcours', category: step.flag ? 'emploi_durable' : 'autre', reason: 'other', exitedOn: on };
    default:
      return { ...base, type: 'ReopenParcours', reason: 'beneficiary_request', reopenedOn: on };
  }
}

describe.each(databaseTargets())('a full rebuild equals the incremental state on $name', (target) => {
  let database: TestDatabase;
  let store: SqlEventStore;

  beforeAll(async () => {
    ({ database, store } = await openEventStore(target, { start: true }));
    for (const partner of PARTNERS) {
      await database.db.query(
        `INSERT INTO partners (partner_id, name, kind, siret, territories, active, version, registered_at, updated_at)
         VALUES ($1, $2, $3, null, ARRAY['cc-thiers-dore-et-montagne'], true, 1, now(), now())`,
        [partner.id, `Partner ${partner.kind}`, partner.kind],
      );
    }
  });

  afterAll(() => closeEventStore({ database, store }));

  it('for random histories appended while the projections run', async () => {
    const projections = projectionsFor({ feedPolicyFile: undefined, continuityPolicyFile: undefined });
    const runners = projections.map((projection) => new ProjectionRunner(database.db, store, projection, { pollMs: 20, batchSize: 4 }));
    await Promise.all(runners.map((runner) => runner.start()));
    try {
      await fc.assert(
        fc.asyncProperty(
          fc.array(
            fc.record({ parcours: fc.nat(2), kind: fc.nat(11), day: fc.nat(300), partner: fc.nat(2), flag: fc.boolean() }),
            { minLength: 5, maxLength: 40 },
          ),
          fc.array(fc.nat(40), { maxLength: 4 }),
          async (steps, pauses) => {
            const ids = [randomUUID(), randomUUID(), randomUUID()];
            const states: Array<ParcoursState | null> = [null, null, null];
            for (const [index, step] of steps.entries()) {
              const parcoursId = ids[step.parcours]!;
              let events;
              try {
                events = decide(commandOf(step, parcoursId, states[step.parcours]!), states[step.parcours]!);
              } catch {
                continue;
              }
              if (events.length === 0) continue;
              states[step.parcours] = events.reduce(evolve, states[step.parcours]!);
              await store.appendToStream(
                `parcours-${parcoursId}`,
                events.map((event) => ({ eventId: randomUUID(), type: event.type, data: event.data, metadata: { actor: { userId: 'prop' }, correlationId: randomUUID(), occurredAt: TODAY } })),
                { expectedVersion: 'any' },
              );
              // Sometimes let the runners catch up in the middle, so that the incremental state is built in several batches.
              if (pauses.includes(index)) await Promise.all(runners.map((runner) => runner.whenCaughtUp()));
            }
            await Promise.all(runners.map((runner) => runner.whenCaughtUp()));
            const incremental = await readModelRows(database.db);
            await rebuildProjections(database.db, store, projections, { batchSize: 7 });
            expect(await readModelRows(database.db)).toEqual(incremental);
          },
        ),
        { numRuns: 8 },
      );
    } finally {
      await Promise.all(runners.map((runner) => runner.stop()));
    }
  });
});
