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
