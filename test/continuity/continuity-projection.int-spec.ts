import { FixedClock } from '../../src/kernel/clock.js';
import { continuityProjection } from '../../src/continuity/read-models/continuity.projection.js';
import type { ParcoursEvent } from '../../src/parcours/domain/events.js';
import {
  PARCOURS_ID,
  TODAY,
  aParcoursWithACerRunning,
  appointmentRecorded,
  contactRecorded,
  engagementContractEnded,
  exited,
} from '../../src/parcours/domain/parcours.fixtures.js';
import type { CustomProjection, ProjectedEvent } from '../../src/projections/projection.js';
import { continuityPolicyOf } from '../../src/continuity/policy.js';
import { recorded } from '../../src/projections/recorded.fixtures.js';
import { type TestDatabase, databaseTargets } from '../support/test-database.js';

const HISTORY: readonly ParcoursEvent[] = [
  ...aParcoursWithACerRunning,
  appointmentRecorded(),
  contactRecorded(),
  engagementContractEnded(),
  contactRecorded({ contactId: '0c9d8e7f-6a5b-4c3d-9e2f-1a0b9c8d7e6f', contactedOn: '2026-03-10' }),
  exited(),
];
const EVENTS = recorded(PARCOURS_ID, HISTORY);
const clock = new FixedClock(new Date(`${TODAY}T09:00:00Z`));
const aProjection = () => continuityProjection(continuityPolicyOf({ continuityPolicyFile: undefined }), clock);

/**
 * The projection keeps each parcours' events in memory between batches. Whatever happens to a
 * batch (rolled back, another instance applying in between), what it stores must be what a fresh
 * projection applying the same events in one go stores.
 */
describe.each(databaseTargets())('the continuity projection’s tables on $name', (target) => {
  let database: TestDatabase;
  let generation = 0;

  beforeAll(async () => {
    database = await target.open();
  });

  afterAll(async () => {
    await database.close();
  });

  async function tablesOf(projection: CustomProjection): Promise<string> {
    generation += 1;
    const prefix = `continuity_alerts_g${900 + generation}`;
    await database.db.transaction((tx) => projection.create(tx, prefix));
    return prefix;
  }

  const apply = (projection: CustomProjection, prefix: string, events: readonly ProjectedEvent[]) =>
    database.db.transaction((tx) =>
      projection.apply(tx, prefix, events, (event, error) => {
        throw new Error(`event ${event.streamVersion} failed: ${String(error)}`);
      }),
    );

  async function contents(prefix: string): Promise<unknown> {
    const [parcours] = await database.db.query<{ version: number; status: string; next: string | null }>(
      `SELECT version, status, next_reevaluation_on::text AS next FROM ${prefix}_parcours WHERE parcours_id = $1`,
      [PARCOURS_ID],
    );
    const events = await database.db.query<{ stream_version: number; type: string }>(
      `SELECT stream_version, event ->> 'type' AS type FROM ${prefix}_events WHERE parcours_id = $1 ORDER BY stream_version`,
      [PARCOURS_ID],
    );
    const findings = await database.db.query(`SELECT finding_key, rule_id, status, due_on::text, ended_on::text, finding FROM ${prefix} ORDER BY finding_key`);
    return { parcours, events, findings };
  }

  async function inOneGo(count = EVENTS.length): Promise<unknown> {
    const projection = aProjection();
    const prefix = await tablesOf(projection);
    await apply(projection, prefix, EVENTS.slice(0, count));
    return contents(prefix);
  }

  it('stores each event once, in its own row, whatever the batches', async () => {
    const projection = aProjection();
    const prefix = await tablesOf(projection);
    await apply(projection, prefix, EVENTS.slice(0, 3));
    await apply(projection, prefix, EVENTS.slice(3, 6));
    // A batch handed again (the runner retries a batch whose commit it could not confirm) changes nothing.
    await apply(projection, prefix, EVENTS.slice(3, 6));
    await apply(projection, prefix, EVENTS.slice(6));
    const stored = (await contents(prefix)) as { events: unknown[]; parcours: { version: number; status: string } };
    expect(stored.events).toHaveLength(EVENTS.length);
    expect(stored.parcours).toMatchObject({ version: EVENTS.length, status: 'exited' });
    expect(stored).toEqual(await inOneGo());
  });

  it('does not trust what it remembers of a batch that rolled back', async () => {
    const projection = aProjection();
    const prefix = await tablesOf(projection);
    await apply(projection, prefix, EVENTS.slice(0, 4));
    await expect(
      database.db.transaction(async (tx) => {
        await projection.apply(tx, prefix, EVENTS.slice(4, 7), () => undefined);
        throw new Error('the checkpoint could not be written');
      }),
    ).rejects.toThrow('checkpoint');
    // Had it kept the rolled-back events, it would evaluate the parcours with events it never stored.
    await apply(projection, prefix, EVENTS.slice(4, 5));
    expect(await contents(prefix)).toEqual(await inOneGo(5));
    await apply(projection, prefix, EVENTS.slice(5));
    expect(await contents(prefix)).toEqual(await inOneGo());
  });

  it('reads again what another instance applied while it did not hold the lease', async () => {
    const first = aProjection();
    const second = aProjection();
    const prefix = await tablesOf(first);
    await apply(first, prefix, EVENTS.slice(0, 4));
    await apply(second, prefix, EVENTS.slice(4, 6));
    await apply(first, prefix, EVENTS.slice(6));
    const stored = (await contents(prefix)) as { events: Array<{ stream_version: number }> };
    expect(stored.events.map((event) => event.stream_version)).toEqual(EVENTS.map((event) => event.streamVersion));
    expect(stored).toEqual(await inOneGo());
  });
});
