import { randomUUID } from 'node:crypto';
import { AccessJournal, type JournalEntry } from '../../src/access-journal/access-journal.js';
import { type TestDatabase, databaseTargets } from '../support/test-database.js';

describe.each(databaseTargets())('access journal on $name', (target) => {
  let database: TestDatabase;
  let journal: AccessJournal;

  beforeAll(async () => {
    database = await target.open();
    journal = new AccessJournal(database.db);
  });

  afterAll(async () => {
    await database.close();
  });

  const entry = (recordId: string, operation = 'parcours.read'): JournalEntry => ({
    actor: { userId: 'ml-referent', partnerId: '0b9d3c1e-51b6-4a59-8d0f-5f0a3f6a1c01', role: 'referent' },
    operation,
    recordType: 'parcours',
    recordId,
    outcome: 'ok',
    correlationId: randomUUID(),
  });

  it('stores one entry per operation, concurrent ones included, with author, time, operation and record', async () => {
    const recordId = randomUUID();
    const before = Date.now();
    await Promise.all(Array.from({ length: 25 }, (_, index) => journal.record(entry(recordId, index % 2 ? 'parcours.read' : 'parcours.RecordContact'))));
    const rows = await database.db.query<{ actor_user_id: string; actor_partner_id: string; operation: string; record_id: string; at: Date; correlation_id: string }>(
      'SELECT actor_user_id, actor_partner_id, operation, record_id, at, correlation_id FROM access_journal WHERE record_id = $1',
      [recordId],
    );
    expect(rows).toHaveLength(25);
    expect(new Set(rows.map((row) => row.correlation_id)).size).toBe(25);
    for (const row of rows) {
      expect(row).toMatchObject({ actor_user_id: 'ml-referent', actor_partner_id: '0b9d3c1e-51b6-4a59-8d0f-5f0a3f6a1c01', record_id: recordId });
      expect(row.at.getTime()).toBeGreaterThanOrEqual(before - 5_000);
    }
    expect(rows.filter((row) => row.operation === 'parcours.read')).toHaveLength(12);
  });

  it('refuses UPDATE, DELETE and TRUNCATE from the application', async () => {
    const recordId = randomUUID();
    await journal.record(entry(recordId));
    await expect(database.db.query(`UPDATE access_journal SET operation = 'nothing' WHERE record_id = $1`, [recordId])).rejects.toThrow('append-only');
    await expect(database.db.query('DELETE FROM access_journal WHERE record_id = $1', [recordId])).rejects.toThrow('append-only');
    await expect(database.db.query('TRUNCATE access_journal')).rejects.toThrow('append-only');
    const rows = await database.db.query('SELECT 1 FROM access_journal WHERE record_id = $1', [recordId]);
    expect(rows).toHaveLength(1);
  });

  it('purges entries past the retention and only those', async () => {
    const old = randomUUID();
    const recent = randomUUID();
    await database.db.query(
      `INSERT INTO access_journal (operation, record_type, record_id, outcome, correlation_id, at)
       VALUES ('parcours.read', 'parcours', $1, 'ok', 'c', now() - interval '13 months'),
              ('parcours.read', 'parcours', $2, 'ok', 'c', now() - interval '11 months')`,
      [old, recent],
    );
    const purged = await journal.purgeExpired(12);
    expect(purged).toBeGreaterThanOrEqual(1);
    const left = await database.db.query<{ record_id: string }>('SELECT record_id FROM access_journal WHERE record_id = ANY($1::text[])', [[old, recent]]);
    expect(left.map((row) => row.record_id)).toEqual([recent]);
    // Asking for less than 12 months still keeps 12: the trigger would refuse anyway.
    await journal.purgeExpired(1);
    expect(await database.db.query('SELECT 1 FROM access_journal WHERE record_id = $1', [recent])).toHaveLength(1);
  });
});
