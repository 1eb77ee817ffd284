/**
 * A projector in a process of its own, for the tests that kill one: runs the counting projection
 * named by argv against DATABASE_URL until killed, saying on stdout when it holds the lease.
 */
import { PgSqlClient } from '../../src/database/pg-sql-client.js';
import { SqlEventStore } from '../../src/event-store/sql/sql-event-store.js';
import { ProjectionRunner } from '../../src/projections/projection-runner.js';
import { countingProjection } from './counting-projection.js';

const [name, category, delay] = process.argv.slice(2);
const db = new PgSqlClient({ connectionString: process.env.DATABASE_URL!, poolSize: 4 });
const store = new SqlEventStore(db);
await store.start();
const runner = new ProjectionRunner(db, store, countingProjection(name!, category!, Number(delay ?? 0)), { batchSize: 5, pollMs: 50, leaseRetryMs: 100 });
await runner.start();
const wait = setInterval(() => {
  if (runner.state === 'running') {
    process.stdout.write('leading\n');
    clearInterval(wait);
  }
}, 20);
