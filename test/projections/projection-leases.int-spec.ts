import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { PgSqlClient } from '../../src/database/pg-sql-client.js';
import { SqlEventStore } from '../../src/event-store/sql/sql-event-store.js';
import { ProjectionRunner } from '../../src/projections/projection-runner.js';
import { countingProjection } from '../support/counting-projection.js';
import { anEvent } from '../support/events.js';
import { type TestDatabase, closeEventStore, databaseTargets, openEventStore } from '../support/test-database.js';

describe.each(databaseTargets())('projection leases on $name', (target) => {
  let database: TestDatabase;
  let store: SqlEventStore;

  beforeAll(async () => ({ database, store } = await openEventStore(target, { start: true })));
  afterAll(() => closeEventStore({ database, store }));

  async function append(category: string, streams: number, perStream: number): Promise<string[]> {
    const ids = Array.from({ length: streams }, () => `${category}-${randomUUID()}`);
    for (const id of ids) await store.appendToStream(id, Array.from({ length: perStream }, () => anEvent('Counted')), { expectedVersion: 'no_stream' });
    return ids;
  }

  async function counts(view: string): Promise<number[]> {
    const rows = await database.db.query<{ doc: { count: number } }>(`SELECT doc FROM ${view} ORDER BY key`);
    return rows.map((row) => row.doc.count);
  }

  if (target.name === 'pglite') {
    // One process owns the embedded database: its runner leads at once, there is nobody to share with.
    it('leads at once: the process is the only possible instance', async () => {
      const runner = new ProjectionRunner(database.db, store, countingProjection(`solo_${randomUUID().slice(0, 8)}`, 'solo'));
      await runner.start();
      expect(runner.state).toBe('running');
      await runner.stop();
    });
    return;
  }

  it('gives each schema of a database its own leases: two deployments side by side both project', async () => {
    const name = `side_${randomUUID().slice(0, 8)}`;
    const other = await target.open();
    const otherStore = new SqlEventStore(other.db);
    await otherStore.start();
    const here = new ProjectionRunner(database.db, store, countingProjection(name, 'side'), { leaseRetryMs: 100 });
    const there = new ProjectionRunner(other.db, otherStore, countingProjection(name, 'side'), { leaseRetryMs: 100 });
    try {
      await here.start();
      await there.start();
      expect([here.state, there.state]).toEqual(['running', 'running']);
    } finally {
      await here.stop();
      await there.stop();
      await otherStore.stop();
      await other.close();
    }
  });

  it('lets one of two instances apply, and the other take over when it goes', async () => {
    const category = `lease${randomUUID().slice(0, 8)}`;
    const name = `lease_${randomUUID().slice(0, 8)}`;
    // Two "instances": each its own connection pool, as two processes would have.
    const second = new PgSqlClient({ connectionString: database.url!, poolSize: 3 });
    const secondStore = new SqlEventStore(second);
    await secondStore.start();
    const a = new ProjectionRunner(database.db, store, countingProjection(name, category), { pollMs: 50, leaseRetryMs: 100 });
    const b = new ProjectionRunner(second, secondStore, countingProjection(name, category), { pollMs: 50, leaseRetryMs: 100 });
    try {
      await a.start();
      await b.start();
      expect([a.state, b.state].sort()).toEqual(['running', 'waiting_for_lease']);
      const [leader, follower] = a.state === 'running' ? [a, b] : [b, a];
      await append(category, 4, 5);
      await leader.whenCaughtUp();
      expect(await counts(name)).toEqual([5, 5, 5, 5]);

      await leader.stop();
      await append(category, 2, 3);
      await follower.whenCaughtUp();
      expect(follower.state).toBe('running');
      expect((await counts(name)).sort()).toEqual([3, 3, 5, 5, 5, 5]);
    } finally {
      await a.stop();
      await b.stop();
      await secondStore.stop();
      await second.close();
    }
  });

  it('after a process killed in the middle of a batch, lets the waiting instance take over without missing an event or counting one twice', async () => {
    const category = `kill${randomUUID().slice(0, 8)}`;
    const name = `kill_${randomUUID().slice(0, 8)}`;
    const streams = await append(category, 10, 6);
    const child = spawnProjector(database.url!, name, category);
    const follower = new ProjectionRunner(database.db, store, countingProjection(name, category), { pollMs: 50, leaseRetryMs: 100 });
    try {
      await waitForOutput(child, 'leading');
      await follower.start();
      expect(follower.state).toBe('waiting_for_lease');
      // Let it commit a few batches, then kill it while it is inside one (each takes ~100 ms).
      await waitUntil(async () => (await checkpointEvents(name)) >= 15);
      const beforeTheKill = await checkpointEvents(name);
      expect(beforeTheKill).toBeLessThan(60);
      child.kill('SIGKILL');
      await new Promise((resolve) => child.once('exit', resolve));

      // The dead process's connection goes, and its lease with it: the follower takes over.
      await follower.whenCaughtUp();
      expect(follower.state).toBe('running');
      expect(await counts(name)).toEqual(streams.map(() => 6));
      expect(await checkpointEvents(name)).toBe(60);
    } finally {
      child.kill('SIGKILL');
      await follower.stop();
    }
  });

  async function checkpointEvents(name: string): Promise<number> {
    const rows = await database.db.query<{ events_applied: number }>('SELECT events_applied FROM projection_checkpoints WHERE name = $1', [name]);
    return rows[0]?.events_applied ?? 0;
  }
});

function spawnProjector(url: string, name: string, category: string): ChildProcess {
  return spawn(process.execPath, ['--import', '@swc-node/register/esm-register', join(import.meta.dirname, '../support/projector-child.ts'), name, category, '20'], {
    env: { ...process.env, DATABASE_URL: url },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
}

function waitForOutput(child: ChildProcess, text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      seen += chunk.toString();
      if (seen.includes(text)) resolve();
    });
    child.once('exit', (code) => reject(new Error(`projector exited with ${code} before saying "${text}"`)));
  });
}

async function waitUntil(condition: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
