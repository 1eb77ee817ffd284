import { type Migration, loadMigrations, migrate, pendingMigrations } from '../../src/database/migrator.js';
import { type TestDatabase, databaseTargets } from '../support/test-database.js';

describe.each(databaseTargets())('migrations on $name', (target) => {
  let database: TestDatabase;

  beforeEach(async () => {
    database = await target.open({ migrate: false });
  });

  afterEach(async () => {
    await database.close();
  });

  it('applies every versioned file once, records it, and is a no-op the second time', async () => {
    const files = loadMigrations();
    expect(await pendingMigrations(database.db)).toEqual(files.map((migration) => migration.version));

    const first = await migrate(database.db);
    expect(first.applied.map((migration) => migration.version)).toEqual(files.map((migration) => migration.version));
    expect(await pendingMigrations(database.db)).toEqual([]);

    const second = await migrate(database.db);
    expect(second).toEqual({ applied: [], alreadyApplied: files.length });
    const recorded = await database.db.query<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version');
    expect(recorded.map((row) => row.version)).toEqual(files.map((migration) => migration.version));
  });

  it('moves the contacts and appointments stored in parcours_details rows to rows of their own (0010), in their order', async () => {
    const all = loadMigrations();
    await migrate(database.db, all.filter((migration) => migration.version < 10));
    const state = {
      status: 'open',
      contacts: {
        c2: { contactId: 'c2', channel: 'sms', contactedOn: '2026-03-10', partnerId: 'p', note: null },
        c1: { contactId: 'c1', channel: 'phone', contactedOn: '2026-03-05', partnerId: 'p', note: null },
      },
      appointments: { a1: { appointmentId: 'a1', kind: 'accompaniment', scheduledOn: '2026-04-02', outcome: 'seen', partnerId: 'p' } },
    };
    await database.db.query(
      `INSERT INTO parcours_details (parcours_id, version, status, territory, entry_on, rsa_socle, follow_up_partner_ids, state, opened_at, updated_at)
       VALUES ('00000000-0000-4000-8000-000000000001', 3, 'open', 't', '2026-01-01', true, '{}', $1::json, now(), now())`,
      [JSON.stringify(state)],
    );
    await migrate(database.db, all.filter((migration) => migration.version < 13));
    const contacts = await database.db.query<{ contact_id: string; contacted_on: string; data: { channel: string } }>(
      `SELECT contact_id, to_char(contacted_on, 'YYYY-MM-DD') AS contacted_on, data FROM parcours_contacts ORDER BY ordinal`,
    );
    expect(contacts.map((row) => [row.contact_id, row.contacted_on, row.data.channel])).toEqual([
      ['c2', '2026-03-10', 'sms'],
      ['c1', '2026-03-05', 'phone'],
    ]);
    expect(await database.db.query(`SELECT appointment_id FROM parcours_appointments`)).toEqual([{ appointment_id: 'a1' }]);
    const [row] = await database.db.query<{ state: string }>(`SELECT state::text AS state FROM parcours_details`);
    expect(JSON.parse(row!.state)).toEqual({ status: 'open' });
  });

  it('puts the 20 latest contacts and appointments, in the order shown, and their totals in each parcours row (0013)', async () => {
    const all = loadMigrations();
    await migrate(database.db, all.filter((migration) => migration.version < 13));
    const parcoursId = '00000000-0000-4000-8000-000000000002';
    await database.db.query(
      `INSERT INTO parcours_details (parcours_id, version, status, territory, entry_on, rsa_socle, follow_up_partner_ids, state, opened_at, updated_at)
       VALUES ($1, 30, 'open', 't', '2026-01-01', true, '{}', '{"status":"open"}', now(), now())`,
      [parcoursId],
    );
    // 25 contacts recorded in this order: day 25 down to day 1, then a second one on day 10.
    const recorded = [...Array.from({ length: 24 }, (_, index) => [`c${24 - index}`, `2026-03-${String(24 - index).padStart(2, '0')}`]), ['c10b', '2026-03-10']];
    for (const [contactId, on] of recorded) {
      await database.db.query(`INSERT INTO parcours_contacts (parcours_id, contact_id, contacted_on, data) VALUES ($1, $2, $3, $4::jsonb)`, [
        parcoursId,
        contactId,
        on,
        JSON.stringify({ contactId, contactedOn: on }),
      ]);
    }
    await migrate(database.db, all);
    const [row] = await database.db.query<{ state: string }>(`SELECT state::text AS state FROM parcours_details WHERE parcours_id = $1`, [parcoursId]);
    const { followups } = JSON.parse(row!.state) as { followups: { contacts: Array<{ contactId: string }>; appointments: unknown[]; contactsTotal: number; appointmentsTotal: number } };
    // The latest 20 by date: days 5 to 24, the two of day 10 in the order recorded.
    expect(followups.contacts.map((contact) => contact.contactId)).toEqual(['c5', 'c6', 'c7', 'c8', 'c9', 'c10', 'c10b', ...Array.from({ length: 14 }, (_, index) => `c${11 + index}`)].slice(-20));
    expect(followups).toMatchObject({ appointments: [], contactsTotal: 25, appointmentsTotal: 0 });
  });

  it('refuses to run when an applied file was edited afterwards', async () => {
    await migrate(database.db);
    const edited: Migration[] = loadMigrations().map((migration, index) =>
      index === 0 ? { ...migration, checksum: 'edited-after-the-fact' } : migration,
    );
    await expect(migrate(database.db, edited)).rejects.toThrow('was changed after it was applied');
  });

  it('leaves the schema untouched when a migration fails half-way', async () => {
    const broken: Migration[] = [
      ...loadMigrations(),
      { version: 99, name: 'broken', sql: 'CREATE TABLE half_done (id int); SELECT * FROM no_such_table;', checksum: 'x' },
    ];
    await expect(migrate(database.db, broken)).rejects.toThrow();
    const tables = await database.db.query<{ name: string | null }>(`SELECT to_regclass('half_done')::text AS name`);
    expect(tables[0]!.name).toBeNull();
    expect(await pendingMigrations(database.db)).toEqual(loadMigrations().map((migration) => migration.version));
  });

  it('applies each file exactly once when several instances start together', async () => {
    await Promise.all([migrate(database.db), migrate(database.db), migrate(database.db)]);
    const recorded = await database.db.query<{ n: number }>('SELECT count(*)::int AS n FROM schema_migrations');
    expect(recorded[0]!.n).toBe(loadMigrations().length);
  });
});
