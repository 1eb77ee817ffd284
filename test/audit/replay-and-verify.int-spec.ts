import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { replayAsOf } from '../../src/audit/replay.js';
import { verifyStore } from '../../src/audit/verify.js';
import { runCli } from '../../src/cli.js';
import { migrate } from '../../src/database/migrator.js';
import { PgliteSqlClient } from '../../src/database/pglite-sql-client.js';
import { SqlEventStore } from '../../src/event-store/sql/sql-event-store.js';
import {
  CLAIRE_AT_CD,
  CONSEIL_DEPARTEMENTAL,
  EPCI,
  appointmentRecorded,
  contactRecorded,
  opened,
  oriented,
  processingRestricted,
  referentAssigned,
} from '../../src/parcours/domain/parcours.fixtures.js';
import { replay } from '../../src/parcours/domain/state.js';
import { parcoursDetailsFollowups } from '../../src/parcours/read-models/parcours-details/parcours-details.projection.js';
import { asNewEvents } from '../support/parcours-history.js';
import { type TestDatabase, closeEventStore, databaseTargets, openEventStore } from '../support/test-database.js';

describe.each(databaseTargets())('audit: replay and verify on $name', (target) => {
  let database: TestDatabase;
  let store: SqlEventStore;

  beforeAll(async () => ({ database, store } = await openEventStore(target)));
  afterAll(() => closeEventStore({ database, store }));

  it('replays a back-dated history as the facts were and as the system knew them', async () => {
    const parcoursId = randomUUID();
    const streamId = `parcours-${parcoursId}`;
    // Recorded today, but dated: opened 5 January, oriented 20 February, referent 12 February (back-dated, recorded last).
    await store.appendToStream(streamId, asNewEvents([opened({ parcoursId }), oriented({ decidedOn: '2026-02-20' })]), { expectedVersion: 'no_stream' });
    // The system learns of the référent only now, although it was assigned on 12 February.
    await store.appendToStream(streamId, asNewEvents([referentAssigned(CLAIRE_AT_CD, CONSEIL_DEPARTEMENTAL, '2026-02-21')]), { expectedVersion: 2 });
    const events = await store.readStream(streamId);
    // Pretend the first two were recorded on 25 February and the last on 10 March.
    const recorded = events.map((event, index) => ({ ...event, recordedAt: index < 2 ? '2026-02-25T09:00:00.000Z' : '2026-03-10T09:00:00.000Z' }));

    const asFacts = replayAsOf(recorded, '2026-03-01', 'facts');
    const asKnown = replayAsOf(recorded, '2026-03-01', 'known');
    expect(asFacts.state?.referent).toMatchObject({ userId: CLAIRE_AT_CD });
    expect(asKnown.state?.referent).toBeNull();
    expect(asFacts).toMatchObject({ eventsApplied: 3, eventsAfter: 0, version: 3 });
    expect(asKnown).toMatchObject({ eventsApplied: 2, eventsAfter: 1, version: 2 });

    // Before the orientation's date, as facts: only the opening; the identity is never shown.
    const early = replayAsOf(recorded, '2026-02-10', 'facts');
    expect(early.state).toMatchObject({ status: 'open', orientation: null, identity: { status: 'encrypted' } });
    expect(JSON.stringify(early)).not.toContain('ciphertext');
    expect(replayAsOf(recorded, '2025-12-31', 'facts').state).toBeNull();
  });

  it('replays as the facts were a stream holding a right dated before the entry (the decider let it be, once): the parcours did not exist yet', async () => {
    const parcoursId = randomUUID();
    const streamId = `parcours-${parcoursId}`;
    // Found by the API fuzz suite: such a stream answered the auditor with a 500 (an event before ParcoursOpened).
    await store.appendToStream(streamId, asNewEvents([opened({ parcoursId }), processingRestricted({ restrictedOn: '2025-06-02' })]), { expectedVersion: 'no_stream' });
    const recorded = await store.readStream(streamId);
    expect(replayAsOf(recorded, '2025-12-31', 'facts')).toMatchObject({ state: null, version: 0, eventsApplied: 0, eventsAfter: 2 });
    expect(replayAsOf(recorded, '2026-01-05', 'facts')).toMatchObject({ state: { restrictions: { restriction: { since: '2025-06-02' } } }, eventsApplied: 2 });
  });

  it('reports a changed row, a deleted row and two swapped rows, each with its stream and version', async () => {
    const streams = await Promise.all(
      [0, 1, 2].map(async () => {
        const parcoursId = randomUUID();
        const streamId = `parcours-${parcoursId}`;
        await store.appendToStream(
          streamId,
          asNewEvents([opened({ parcoursId }), contactRecorded({ contactedOn: '2026-01-10' }), contactRecorded({ contactId: randomUUID(), contactedOn: '2026-01-20' }), appointmentRecorded(), contactRecorded({ contactId: randomUUID(), contactedOn: '2026-02-01' })]),
          { expectedVersion: 'no_stream' },
        );
        return streamId;
      }),
    );
    const [changed, deleted, swapped] = streams as [string, string, string];
    expect((await verifyStore(database.db, { category: 'parcours' })).breaks.filter((item) => streams.includes(item.streamId))).toEqual([]);

    await database.db.query(`UPDATE events SET data = '{"contactId":"x","channel":"sms","contactedOn":"2026-01-11","partnerId":"p"}' WHERE stream_id = $1 AND stream_version = 2`, [changed]);
    await database.db.query('DELETE FROM events WHERE stream_id = $1 AND stream_version = 3', [deleted]);
    await database.db.transaction(async (tx) => {
      await tx.query('UPDATE events SET stream_version = 100 WHERE stream_id = $1 AND stream_version = 2', [swapped]);
      await tx.query('UPDATE events SET stream_version = 2 WHERE stream_id = $1 AND stream_version = 4', [swapped]);
      await tx.query('UPDATE events SET stream_version = 4 WHERE stream_id = $1 AND stream_version = 100', [swapped]);
    });

    const progress: number[] = [];
    const report = await verifyStore(database.db, {}, ({ streams: done }) => progress.push(done));
    const mine = report.breaks.filter((item) => streams.includes(item.streamId)).map((item) => [item.streamId, item.kind, item.firstVersion, item.lastVersion]);
    // Three tamperings, three breaks: the swap of versions 2 and 4 is one.
    expect(mine).toEqual(
      expect.arrayContaining([
        [changed, 'changed', 2, 2],
        [deleted, 'missing', 3, 3],
        [swapped, 'reordered', 2, 4],
      ]),
    );
    expect(mine).toHaveLength(3);
    expect(progress.at(-1)).toBe(report.streams);
    expect((await verifyStore(database.db, { streamId: changed })).breaks).toHaveLength(1);
  });

  it('reports the last events cut from a stream, and a stream deleted whole, against the version parcours_details recorded', async () => {
    const streams = await Promise.all(
      [0, 1].map(async () => {
        const parcoursId = randomUUID();
        const history = [opened({ parcoursId }), contactRecorded({ contactedOn: '2026-01-10' }), contactRecorded({ contactId: randomUUID(), contactedOn: '2026-01-20' })];
        await store.appendToStream(`parcours-${parcoursId}`, asNewEvents(history), {
          expectedVersion: 'no_stream',
          followups: parcoursDetailsFollowups(replay(history)!, history.length, '2026-01-20', history),
        });
        return `parcours-${parcoursId}`;
      }),
    );
    const [cut, gone] = streams as [string, string];
    expect((await verifyStore(database.db, { category: 'parcours' })).breaks.filter((item) => streams.includes(item.streamId))).toEqual([]);

    // The chain alone cannot see these: nothing follows what was removed.
    await database.db.query('DELETE FROM events WHERE stream_id = $1 AND stream_version >= 2', [cut]);
    await database.db.query('DELETE FROM events WHERE stream_id = $1', [gone]);
    const report = await verifyStore(database.db, { category: 'parcours' });
    expect(
      report.breaks
        .filter((item) => streams.includes(item.streamId))
        .map(({ streamId, streamVersion, kind, firstVersion, lastVersion, detail }) => ({ streamId, streamVersion, kind, firstVersion, lastVersion, detail })),
    ).toEqual(
      expect.arrayContaining([
        { streamId: cut, streamVersion: 2, kind: 'truncated', firstVersion: 2, lastVersion: 3, detail: 'versions 2..3 are missing at the end: parcours_details recorded version 3' },
        { streamId: gone, streamVersion: 1, kind: 'truncated', firstVersion: 1, lastVersion: 3, detail: 'the whole stream is missing: parcours_details recorded version 3' },
      ]),
    );
    expect((await verifyStore(database.db, { streamId: gone })).breaks).toEqual([expect.objectContaining({ kind: 'truncated' })]);
    expect((await verifyStore(database.db, { category: 'partner' })).breaks.filter((item) => streams.includes(item.streamId))).toEqual([]);
  });
});

/** Runs the CLI and returns its exit code and what it wrote on the standard output. */
async function cli(argv: string[]): Promise<{ code: number; out: string }> {
  const write = process.stdout.write.bind(process.stdout);
  let out = '';
  process.stdout.write = ((chunk: string | Uint8Array) => {
    out += String(chunk);
    return true;
  }) as typeof process.stdout.write;
  try {
    return { code: await runCli(argv), out };
  } finally {
    process.stdout.write = write;
  }
}

describe('cli audit verify', () => {
  it('exits non-zero when a chain is broken, zero when every chain holds', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'spie-verify-'));
    const saved = { DATA_DIR: process.env.DATA_DIR, DATABASE_URL: process.env.DATABASE_URL };
    try {
      const db = await PgliteSqlClient.open(join(dataDir, 'pglite'));
      await migrate(db);
      const parcoursId = randomUUID();
      await new SqlEventStore(db).appendToStream(`parcours-${parcoursId}`, asNewEvents([opened({ parcoursId }), contactRecorded()]), { expectedVersion: 'no_stream' });
      await db.close();
      process.env.DATA_DIR = dataDir;
      delete process.env.DATABASE_URL;
      expect(await cli(['audit', 'verify', '--quiet'])).toEqual({ code: 0, out: '1 streams, 2 events verified: every chain holds\n' });

      const again = await PgliteSqlClient.open(join(dataDir, 'pglite'));
      await again.query(`UPDATE events SET type = 'ContactRecorded ' WHERE stream_version = 2`);
      await again.close();
      const broken = await cli(['audit', 'verify', '--quiet']);
      expect(broken.code).toBe(1);
      expect(broken.out).toMatch(/^changed\tparcours-[0-9a-f-]+\tversion 2\t/);
    } finally {
      process.env.DATA_DIR = saved.DATA_DIR;
      if (saved.DATABASE_URL) process.env.DATABASE_URL = saved.DATABASE_URL;
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe('cli audit replay, timeline and continuity', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'spie-audit-cli-'));
  const saved = { DATA_DIR: process.env.DATA_DIR, DATABASE_URL: process.env.DATABASE_URL };
  const parcoursId = randomUUID();

  beforeAll(async () => {
    const db = await PgliteSqlClient.open(join(dataDir, 'pglite'));
    await migrate(db);
    // Entered 5 January, oriented 20 February (46 days: R1 breached), référent on 21 February.
    const history = [opened({ parcoursId }), oriented({ decidedOn: '2026-02-20' }), referentAssigned(CLAIRE_AT_CD, CONSEIL_DEPARTEMENTAL, '2026-02-21')];
    const state = replay(history)!;
    await new SqlEventStore(db).appendToStream(`parcours-${parcoursId}`, asNewEvents(history), {
      expectedVersion: 'no_stream',
      followups: parcoursDetailsFollowups(state, history.length, '2026-02-21', history),
    });
    await db.close();
    process.env.DATA_DIR = dataDir;
    delete process.env.DATABASE_URL;
  });

  afterAll(() => {
    process.env.DATA_DIR = saved.DATA_DIR;
    if (saved.DATABASE_URL) process.env.DATABASE_URL = saved.DATABASE_URL;
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('replays a parcours as of a date, and refuses an impossible date or an unknown parcours', async () => {
    const { code, out } = await cli(['audit', 'replay', parcoursId, '--as-of', '2026-02-20']);
    expect(code).toBe(0);
    expect(JSON.parse(out)).toMatchObject({ asOf: '2026-02-20', mode: 'facts', eventsApplied: 2, eventsAfter: 1, state: { referent: null, orientation: { decidedOn: '2026-02-20' } } });
    expect((await cli(['audit', 'replay', parcoursId, '--as-of', '2026-02-30'])).code).toBe(1);
    expect((await cli(['audit', 'replay', randomUUID(), '--as-of', '2026-02-20'])).code).toBe(1);
  });

  it('writes the timeline as an HTML page to a file, and as CSV', async () => {
    const file = join(dataDir, 'timeline.html');
    expect(await cli(['audit', 'timeline', parcoursId, '--as-of', '2026-03-01', '--out', file])).toEqual({ code: 0, out: `written to ${file}\n` });
    const page = readFileSync(file, 'utf8');
    expect(page).toMatch(/^<!doctype html>/i);
    expect(page).toContain('R1');
    const csv = await cli(['audit', 'timeline', parcoursId, '--format', 'csv']);
    expect(csv.out.trim().split(/\r?\n/)).toHaveLength(4);
    expect((await cli(['audit', 'timeline', parcoursId, '--format', 'pdf'])).code).not.toBe(0);
  });

  it('reports the ruptures of a territory as CSV, and journals each audit read', async () => {
    const { code, out } = await cli(['audit', 'continuity', '--territory', EPCI, '--as-of', '2026-03-01']);
    expect(code).toBe(0);
    const rows = out.trim().split(/\r?\n/);
    expect(rows[0]).toMatch(/^Territoire;Parcours;Régime du parcours;Règle;Régime de la règle appliquée;/);
    expect(rows.slice(1).some((row) => row.includes(parcoursId) && row.includes(';loi pour le plein emploi;R1;loi pour le plein emploi;rupture;close;'))).toBe(true);
    // As known on 1 March 2026: every event of this test was recorded later (today), so the system showed nothing then.
    const known = await cli(['audit', 'continuity', '--territory', EPCI, '--as-of', '2026-03-01', '--as-known']);
    expect(known.code).toBe(0);
    expect(known.out.trim().split(/\r?\n/).filter((row) => row.includes(parcoursId))).toEqual([]);
    expect((await cli(['audit', 'continuity', '--territory', 'nowhere', '--as-of', '2026-03-01'])).code).toBe(1);

    const db = await PgliteSqlClient.open(join(dataDir, 'pglite'));
    try {
      const journal = await db.query<{ operation: string; actor_role: string }>('SELECT operation, actor_role FROM access_journal ORDER BY entry_id');
      expect(journal.map((entry) => entry.operation)).toEqual(expect.arrayContaining(['audit.replay', 'audit.timeline', 'audit.continuity']));
      expect(new Set(journal.map((entry) => entry.actor_role))).toEqual(new Set(['auditor']));
    } finally {
      await db.close();
    }
  });
});
