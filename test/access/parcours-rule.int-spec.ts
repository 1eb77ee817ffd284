import { inlineWriteSql } from '../../src/event-store/sql/inline-writes-sql.js';
import fc from 'fast-check';
import { actingRolesFor, callerOf } from '../../src/access/caller.js';
import { type ParcoursPurpose, parcoursCondition, parcoursFactsOf, reachesParcours } from '../../src/access/parcours-rule.js';
import { archived, joined, opened, oriented, referentAssigned } from '../../src/parcours/domain/parcours.fixtures.js';
import type { ParcoursEvent } from '../../src/parcours/domain/events.js';
import { type ParcoursState, replay } from '../../src/parcours/domain/state.js';
import { parcoursDetailsFollowups } from '../../src/parcours/read-models/parcours-details/parcours-details.projection.js';
import { ROLES } from '../../src/access/roles.js';
import { TERRITORIES } from '../../src/partners/territories/territories.js';
import { type TestDatabase, databaseTargets } from '../support/test-database.js';

/**
 * The parcours rule is written once and rendered twice: as the SQL condition every read filters
 * with, and as the check a command makes on the state it folded. Random callers (roles held, roles
 * an endpoint accepts, organisation, territories) × random parcours (référent's organisation,
 * organisme référent, follow-up group, territory, archive), stored by the real inline projection in
 * a real database: for every purpose, the rows the SQL returns are exactly those the check accepts.
 */

const PURPOSES: readonly ParcoursPurpose[] = ['read', 'record', 'rights'];
// Few organisations and territories, so that callers and parcours meet often.
const PARTNERS = ['0b9e4f1a-2c3d-4e5f-8a7b-1c2d3e4f5a6b', '5d8a1c3e-7f20-4b6d-a9e8-3c4b5d6e7f80', 'c1d2e3f4-a5b6-4c7d-8e9f-0a1b2c3d4e5f'];
const CODES = TERRITORIES.slice(0, 3).map((territory) => territory.code);

/** An organisation id as events or tokens may spell it: the same uuid, in either case. */
const partnerId = fc.tuple(fc.constantFrom(...PARTNERS), fc.boolean()).map(([id, upper]) => (upper ? id.toUpperCase() : id));

const parcoursFacts = fc
  .record({
    parcoursId: fc.uuid({ version: 4 }),
    territory: fc.constantFrom(...CODES),
    organismeReferent: fc.option(partnerId, { nil: undefined }),
    followUpGroup: fc.uniqueArray(partnerId, { maxLength: 3, selector: (id) => id.toLowerCase() }),
    referentPartner: fc.option(partnerId, { nil: undefined }),
    archived: fc.boolean(),
  });

/** Several parcours, each as the events that made it (ids unique: one row each). */
const parcoursHistories = fc.uniqueArray(parcoursFacts, { minLength: 1, maxLength: 8, selector: (facts) => facts.parcoursId }).map((all) =>
  all.map(({ parcoursId, territory, organismeReferent, followUpGroup, referentPartner, archived: isArchived }): ParcoursEvent[] => [
    opened({ parcoursId, territory }),
    ...(organismeReferent ? [oriented({ organismeReferentId: organismeReferent })] : []),
    ...followUpGroup.map((id) => joined(id)),
    ...(referentPartner ? [referentAssigned('someone', referentPartner)] : []),
    ...(isArchived ? [archived()] : []),
  ]),
);

const caller = fc
  .record({
    partnerId,
    territories: fc.subarray(CODES),
    held: fc.subarray([...ROLES], { minLength: 1 }),
    accepted: fc.shuffledSubarray([...ROLES], { minLength: 1 }),
  })
  .map(({ partnerId: id, territories, held, accepted }) => callerOf({ partnerId: id, territories }, actingRolesFor(accepted, held)));

describe.each(databaseTargets())('the parcours rule on $name', (target) => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await target.open();
  });

  afterAll(async () => {
    await database.close();
  });

  async function store(state: ParcoursState, version: number): Promise<void> {
    // The inline projection's own statement, with a stand-in for the append it follows.
    const { sql, params } = inlineWriteSql(parcoursDetailsFollowups(state, version, null, [])[0]!, 'appended', 1);
    await database.db.query(`WITH appended AS (SELECT now() AS recorded_at), projected AS (${sql}) SELECT 1`, params);
  }

  it('selects in SQL exactly the parcours the in-memory check lets each caller reach, for every purpose', async () => {
    let reached = 0;
    let missed = 0;
    await fc.assert(
      fc.asyncProperty(parcoursHistories, fc.array(caller, { minLength: 1, maxLength: 6 }), async (histories, callers) => {
        await database.db.query('DELETE FROM parcours_details');
        const states = histories.map((history) => replay(history)!);
        for (const [index, state] of states.entries()) await store(state, histories[index]!.length);
        for (const who of callers) {
          for (const purpose of PURPOSES) {
            const condition = parcoursCondition(who, purpose, 1);
            const rows = await database.db.query<{ id: string }>(`SELECT d.parcours_id::text AS id FROM parcours_details d WHERE ${condition.sql}`, condition.params);
            const inSql = rows.map((row) => row.id).sort();
            const inMemory = states.filter((state) => reachesParcours(who, purpose, parcoursFactsOf(state))).map((state) => state.parcoursId.toLowerCase()).sort();
            expect({ who, purpose, reached: inSql }).toEqual({ who, purpose, reached: inMemory });
            reached += inMemory.length;
            missed += states.length - inMemory.length;
          }
        }
      }),
      { numRuns: 60, seed: 12_2026 },
    );
    // The runs met both sides of the rule: a test where nobody reaches anything would prove nothing.
    expect(reached).toBeGreaterThan(100);
    expect(missed).toBeGreaterThan(100);
  });
});
