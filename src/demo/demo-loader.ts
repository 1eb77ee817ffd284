import { randomUUID } from 'node:crypto';
import type { INestApplicationContext } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { Clock } from '../kernel/clock.js';
import type { EventMetadata } from '../event-store/event-store.js';
import { SqlEventStore } from '../event-store/sql/sql-event-store.js';
import { parcoursStreamId } from '../parcours/parcours-write.js';
import { parcoursDetailsFollowups } from '../parcours/read-models/parcours-details/parcours-details.projection.js';
import { ExecutePartnerCommand } from '../partners/partner-write.js';
import { AccessJournal } from '../access-journal/access-journal.js';
import { BlindIndex } from '../privacy/blind-index/blind-index.js';
import { SqlKeyVault } from '../privacy/crypto/key-vault.js';
import { PersonalDataCipher } from '../privacy/crypto/personal-data-cipher.js';
import { ProjectionsService } from '../projections/projections.module.js';
import { rebuildProjections } from '../projections/rebuild.js';
import { SqlClient } from '../database/sql-client.js';
import { DEMO_ORGANISATIONS, demoPartnerId } from './consortium.js';
import { type DemoHistory, type PersonKeys, demoHistory } from './histories.js';
import { SeededRandom } from './random.js';

export interface DemoLoadOptions {
  /** How many parcours (default 3 000). */
  parcours?: number;
  /** The generator's seed: the same seed on the same day loads the same data. */
  seed?: number;
  /** Batches of parcours in flight at once (the database works while the next histories are decided). */
  concurrency?: number;
  /** `parcours` written so far, then the events the read models have read (`read models`). */
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
/** Parcours per statement: 8–11 s against 22–41 s one per statement for 1 500 parcours (README, Demo). */
const BATCH = 25;
const LOADER: EventMetadata['actor'] = { userId: 'cli:demo', role: 'platform_admin' };

/**
 * Loads the demo into a fresh service (`npm run demo`): the consortium through the partner command
 * path, then each parcours' history decided by the parcours decider (histories.ts) and appended in
 * statements of 25 parcours (appendNewStreams, as the intake writes its openings) with what the
 * command handler writes with each parcours' events — the data key,
 * the parcours_details row and its contacts and appointments, the blind indexes, a journal entry —
 * so that the store, its hash chains and the inline read model are those the service would have
 * written command by command, at a fraction of the cost. Returns once every asynchronous read model
 * has caught up, so that the first page shows the figures.
 */
export async function loadDemo(app: INestApplicationContext, options: DemoLoadOptions = {}): Promise<DemoLoadReport> {
  const started = performance.now();
  const total = options.parcours ?? 3_000;
  // The read models are built once at the end, from the whole store in one pass (a rebuild):
  // several times faster than the live runners following the load batch after batch.
  const projections = app.get(ProjectionsService);
  await Promise.all(projections.runners.map((runner) => runner.stop()));
  const organisations = await loadConsortium(app);
  const consortiumDone = performance.now();

  const store = app.get(SqlEventStore);
  const vault = app.get(SqlKeyVault);
  const cipher = app.get(PersonalDataCipher);
  const blindIndex = app.get(BlindIndex);
  const journal = app.get(AccessJournal);
  const today = app.get(Clock).today();
  const rng = new SeededRandom(options.seed ?? DEMO_SEED);
  const keys: PersonKeys = { taken: new Set() };
  const refused: DemoHistory['refused'] = [];
  const byStatus: Record<string, number> = {};
  const concurrency = options.concurrency ?? 4;
  const inFlight = new Set<Promise<void>>();
  let events = 0;
  let done = 0;
  let failure: unknown;

  for (let first = 0; first < total; first += BATCH) {
    if (failure) break;
    // A batch of parcours per statement (appendNewStreams, as the intake does): one round trip and
    // one commit for BATCH parcours. The ids are drawn first, so the data depend on BATCH too.
    const ids = Array.from({ length: Math.min(BATCH, total - first) }, () => rng.uuid());
    const dataKeys = await vault.dataKeysToCommit(ids);
    const appends = ids.map((parcoursId, index) => {
      const dataKey = dataKeys[index];
      // A fresh id has no key yet: anything else is a database that is not fresh.
      if (!dataKey) throw new Error(`parcours ${parcoursId} has a data key already: the demo loads into a fresh database only`);
      let history: DemoHistory;
      try {
        history = demoHistory({ parcoursId, rng, today, keys, sealer: { seal: (value) => cipher.encryptWithKey(parcoursId, dataKey.key, value) } });
      } finally {
        dataKey.key.fill(0);
      }
      refused.push(...history.refused);
      byStatus[history.state.status] = (byStatus[history.state.status] ?? 0) + 1;
      events += history.events.length;
      const followups = [
        ...dataKey.followups,
        ...parcoursDetailsFollowups(history.state, history.events.length, history.lastActivityOn, history.events),
        // A new parcours: its entries, nothing of an earlier identity to delete.
        blindIndex.entriesWrite(parcoursId, blindIndex.entriesOf(history.identity, history.householdRole), history.state.status !== 'exited'),
        journal.followup({ actor: LOADER, operation: 'demo.load', recordType: 'parcours', recordId: parcoursId, outcome: 'ok', correlationId: randomUUID() }),
      ];
      return { streamId: parcoursStreamId(parcoursId), events: history.events, followups };
    });
    const written = events;
    const append = store.appendNewStreams(appends).then(
      (results) => {
        results.forEach((result, index) => dataKeys[index]!.settle(result !== undefined));
        if (results.some((result) => result === undefined)) throw new Error('a demo parcours stream existed already: the demo loads into a fresh database only');
        done += ids.length;
        options.onProgress?.({ phase: 'parcours', done, total, events: written });
      },
    ).catch((error: unknown) => {
      for (const dataKey of dataKeys) dataKey?.settle(false);
      failure ??= error;
    });
    const tracked: Promise<void> = append.finally(() => inFlight.delete(tracked));
    inFlight.add(tracked);
    if (inFlight.size >= concurrency) await Promise.race(inFlight);
  }
  await Promise.all(inFlight);
  if (failure) throw failure;
  const parcoursDone = performance.now();

  await rebuildProjections(
    app.get(SqlClient),
    store,
    projections.runners.map((runner) => runner.projection),
    // Pages of 10 000 events: 24 s against 28–32 s with the rebuild's default 2 000 for the 91 000
    // events of 3 000 parcours (one run each on the shared 2-core machine, noisy).
    { batchSize: 10_000, onProgress: (progress) => options.onProgress?.({ phase: 'read models', done: progress.done, total: progress.total, events }) },
  );
  // Back to the live runners, which go on from the rebuilt generations; caught up before "ready".
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
