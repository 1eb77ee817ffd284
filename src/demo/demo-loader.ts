import { randomUUID } from 'node:crypto';
import type { INestApplicationContext } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { Clock } from '../kernel/clock.js';
import { type AllCursor, type EventMetadata, EventStore, type NewStreamAppend, type RecordedEvent, compareCursors } from '../event-store/event-store.js';
import { parcoursStreamId } from '../parcours/parcours-write.js';
import { ParcoursInlineWrites } from '../parcours/parcours-inline-writes.js';
import { ExecutePartnerCommand } from '../partners/partner-write.js';
import { BlindIndex } from '../privacy/blind-index/blind-index.js';
import { DataKeyWrites } from '../privacy/crypto/key-vault.js';
import { PersonalDataCipher } from '../privacy/crypto/personal-data-cipher.js';
import { ProjectionsService } from '../projections/projections.module.js';
import { GenerationsBuild } from '../projections/rebuild.js';
import { SqlClient } from '../database/sql-client.js';
import { DEMO_ORGANISATIONS, demoPartnerId } from './consortium.js';
import type { DemoHistory } from './histories.js';
import { DemoHistorySource, sealed } from './history-source.js';

export interface DemoLoadOptions {
  /** How many parcours (default 3 000). */
  parcours?: number;
  /** The generator's seed: the same seed on the same day loads the same data. */
  seed?: number;
  /** Statements in flight at once (the next is sealed and prepared while the database writes). */
  concurrency?: number;
  /** Parcours per statement (default 100; smaller in tests, to have several in flight). The data do not depend on it. */
  statement?: number;
  /** Events per page of the read models built along the load (default 10 000; smaller in tests, to cut several). */
  page?: number;
  /** `parcours` written so far (their read models built along), then the events the read models have applied (`read models`). */
  onProgress?: (progress: { phase: 'parcours' | 'read models'; done: number; total: number; events: number }) => void;
}

export interface DemoLoadReport {
  organisations: number;
  members: number;
  parcours: number;
  events: number;
  /** Commands of the generated histories the decider refused (none expected: each is a generator bug). */
  refused: DemoHistory['refused'];
  /** Parcours by status, today. */
  byStatus: Record<string, number>;
  seconds: { consortium: number; parcours: number; projections: number; total: number };
}

export const DEMO_SEED = 2021;
/**
 * Parcours per statement: 8–11 s against 22–41 s one per statement for 1 500 parcours; then 100
 * rather than 25: 4.4–7.4 s against 5.8–9.7 s in the append statements for 3 000 (README, Demo).
 */
const STATEMENT = 100;
/**
 * Events per page of the read models built along the load, as the rebuild read them: 24 s against
 * 28–32 s with pages of 2 000 for the 91 000 events of 3 000 parcours (then read back from the store).
 */
const PAGE = 10_000;
const LOADER: EventMetadata['actor'] = { userId: 'cli:demo', role: 'platform_admin' };

/**
 * Loads the demo into a fresh service (`npm run demo`): the consortium through the partner command
 * path, then each parcours' history decided by the parcours decider (histories.ts, in a worker:
 * history-source.ts) and appended in statements of 100 parcours (appendNewStreams, as the intake
 * writes its openings) with what the command handler writes with each parcours' events — the data
 * key, the parcours_details row and its contacts and appointments, the blind indexes, a journal
 * entry — so that the store, its hash chains and the inline read model are those the service would
 * have written command by command, at a fraction of the cost. The asynchronous read models are
 * built along, from the events appended. Returns once every one has caught up, so that the first
 * page shows the figures.
 */
export async function loadDemo(app: INestApplicationContext, options: DemoLoadOptions = {}): Promise<DemoLoadReport> {
  const started = performance.now();
  const total = options.parcours ?? 3_000;
  // The live runners stand aside during the load: they would follow it batch after batch, several
  // times slower than building the read models in pages of the whole load (below).
  const projections = app.get(ProjectionsService);
  await Promise.all(projections.runners.map((runner) => runner.stop()));
  // The worker decides from the start, the consortium's load included, and keeps a few statements'
  // worth ahead of the loader, so that it goes on while the database writes or builds a page.
  const histories = DemoHistorySource.start({ seed: options.seed ?? DEMO_SEED, today: app.get(Clock).today(), total, chunk: options.statement ?? STATEMENT, ahead: 8 });
  try {
    return await loadWith(app, histories, { ...options, total, started, projections });
  } finally {
    await histories.close();
  }
}

/** The load itself, the histories coming from the worker. */
async function loadWith(
  app: INestApplicationContext,
  histories: DemoHistorySource,
  options: DemoLoadOptions & { total: number; started: number; projections: ProjectionsService },
): Promise<DemoLoadReport> {
  const { total, started, projections } = options;
  const organisations = await loadConsortium(app);
  const consortiumDone = performance.now();

  const store = app.get(EventStore);
  const vault = app.get(DataKeyWrites);
  const cipher = app.get(PersonalDataCipher);
  const blindIndex = app.get(BlindIndex);
  const inlineWrites = app.get(ParcoursInlineWrites);
  const refused: DemoHistory['refused'] = [];
  const byStatus: Record<string, number> = {};
  const concurrency = options.concurrency ?? 4;
  const inFlight = new Set<Promise<void>>();
  let events = 0;
  let done = 0;
  let failure: unknown;

  // The asynchronous read models are built in new generations as the parcours are written, from
  // the events just appended (what a rebuild would read back from the store, parsed again), a page
  // of the global order at a time; then switched to at once, as a rebuild does.
  const build = await GenerationsBuild.begin(app.get(SqlClient), projections.runners.map((runner) => runner.projection));
  let parcoursDone: number;
  try {
    // The consortium's events, from the store.
    await build.catchUp(store, { batchSize: PAGE });
    const consortiumEvents = build.events;
    // Each batch's events once it committed, in the order the batches were sent.
    const appended = new Map<number, RecordedEvent[]>();
    const applyAppended = async () => {
      // Every batch sent so far has committed: a later one has a later transaction, so the page
      // holds the next events of the global order, sorted as readAll would give them.
      await Promise.all(inFlight);
      if (failure) return;
      const page = [...appended.keys()].sort((a, b) => a - b).flatMap((first) => appended.get(first)!);
      appended.clear();
      if (page.length === 0) return;
      page.sort((a, b) => compareCursors(cursorOf(a), cursorOf(b)));
      await build.apply(page, cursorOf(page[page.length - 1]!));
    };
    let unapplied = 0;
    /** The next `count` parcours, decided (ahead, in the worker), sealed under their new data keys, with what commits with them. */
    const decideParcours = async (count: number) => {
      const chunk = await histories.next();
      if (chunk.length !== count) throw new Error(`expected ${count} decided parcours, got ${chunk.length}`);
      const ids = chunk.map((decided) => decided.parcoursId);
      const dataKeys = await vault.dataKeysToCommit(ids);
      const appends = chunk.map((decided, index): NewStreamAppend => {
        const { parcoursId } = decided;
        const dataKey = dataKeys[index];
        // A fresh id has no key yet: anything else is a database that is not fresh.
        if (!dataKey) throw new Error(`parcours ${parcoursId} has a data key already: the demo loads into a fresh database only`);
        let history: DemoHistory;
        try {
          history = sealed(decided, (value) => cipher.encryptWithKey(parcoursId, dataKey.key, value));
        } finally {
          dataKey.key.fill(0);
        }
        refused.push(...history.refused);
        byStatus[history.state.status] = (byStatus[history.state.status] ?? 0) + 1;
        events += history.events.length;
        const followups = inlineWrites.of({
          after: history.state,
          version: history.events.length,
          events: history.events,
          opening: true,
          lastActivityOn: history.lastActivityOn,
          journal: { actor: LOADER, operation: 'demo.load', recordType: 'parcours', recordId: parcoursId, outcome: 'ok', correlationId: randomUUID() },
          dataKey,
          index: blindIndex.entriesOf(history.identity, history.householdRole),
        });
        return { streamId: parcoursStreamId(parcoursId), events: history.events, followups };
      });
      return { ids, dataKeys, appends };
    };
    const statement = options.statement ?? STATEMENT;
    for (let first = 0; first < total; first += statement) {
      if (failure) break;
      // `statement` parcours per statement (appendNewStreams, as the intake does): one round trip and
      // one commit for all of them, their events and what commits with them.
      const { ids, dataKeys, appends } = await decideParcours(Math.min(statement, total - first));
      const written = events;
      const append = store.appendNewStreams(appends).then(
        (results) => {
          results.forEach((result, index) => dataKeys[index]!.settle(result !== undefined));
          if (results.some((result) => result === undefined)) throw new Error('a demo parcours stream existed already: the demo loads into a fresh database only');
          appended.set(first, results.flatMap((result) => result!.events));
          done += ids.length;
          options.onProgress?.({ phase: 'parcours', done, total, events: written });
        },
      ).catch((error: unknown) => {
        for (const dataKey of dataKeys) dataKey?.settle(false);
        failure ??= error;
      });
      const tracked: Promise<void> = append.finally(() => inFlight.delete(tracked));
      inFlight.add(tracked);
      unapplied += appends.reduce((sum, item) => sum + item.events.length, 0);
      if (unapplied >= (options.page ?? PAGE)) {
        await applyAppended();
        unapplied = 0;
      } else if (inFlight.size >= concurrency) {
        await Promise.race(inFlight);
      }
    }
    await Promise.all(inFlight);
    if (failure) throw failure;
    parcoursDone = performance.now();
    // The last page, then the switch: the read models' own phase.
    const readModels = () => options.onProgress?.({ phase: 'read models', done: build.events - consortiumEvents, total: events, events });
    readModels();
    await applyAppended();
    if (failure) throw failure;
    readModels();
    await build.switchTo();
  } finally {
    await build.close();
  }
  // Back to the live runners, which go on from the new generations; caught up before "ready".
  await Promise.all(projections.runners.map((runner) => runner.start()));
  await projections.whenCaughtUp();
  const finished = performance.now();
  const seconds = (from: number, to: number) => Math.round((to - from) / 100) / 10;
  return {
    organisations,
    members: DEMO_ORGANISATIONS.reduce((sum, organisation) => sum + organisation.members.length, 0),
    parcours: done,
    events,
    refused,
    byStatus,
    seconds: { consortium: seconds(started, consortiumDone), parcours: seconds(consortiumDone, parcoursDone), projections: seconds(parcoursDone, finished), total: seconds(started, finished) },
  };
}

/** Every organisation and member, through the partner command path as the bootstrap CLI writes the first. */
async function loadConsortium(app: INestApplicationContext): Promise<number> {
  const commands = app.get(CommandBus);
  const metadata = (): EventMetadata => ({ actor: LOADER, correlationId: randomUUID(), causationId: null, occurredAt: new Date().toISOString() });
  for (const organisation of DEMO_ORGANISATIONS) {
    const partnerId = demoPartnerId(organisation.key);
    await commands.execute(
      new ExecutePartnerCommand(
        partnerId,
        { type: 'RegisterPartner', partnerId, name: organisation.name, kind: organisation.kind, siret: organisation.siret, territories: organisation.territories },
        undefined,
        metadata(),
      ),
    );
    for (const member of organisation.members) {
      await commands.execute(
        new ExecutePartnerCommand(partnerId, { type: 'AddMember', userId: member.userId, displayName: member.displayName, roles: member.roles, memberOfPartnerId: null }, undefined, metadata()),
      );
    }
  }
  return DEMO_ORGANISATIONS.length;
}

/** An event's place in the global order, as readAll orders and resumes. */
function cursorOf(event: RecordedEvent): AllCursor {
  return { transactionId: event.transactionId, position: event.globalPosition };
}
