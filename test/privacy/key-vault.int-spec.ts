import { inlineWriteSql } from '../../src/event-store/sql/inline-writes-sql.js';
import { randomUUID } from 'node:crypto';
import { SqlClient, type SqlDialect, type SqlExecutor, type SqlSession, type Statement, single } from '../../src/database/sql-client.js';
import {
  type ErasureRecord,
  KeyVaultInputError,
  MasterKeyMismatchError,
  SqlKeyVault,
  type SqlKeyVaultOptions,
  SubjectErasedError,
  WrappedKeyError,
} from '../../src/privacy/crypto/key-vault.js';
import { MasterKey } from '../../src/privacy/crypto/master-key.js';
import { ERASED, PersonalDataCipher } from '../../src/privacy/crypto/personal-data-cipher.js';
import { type TestDatabase, databaseTargets } from '../support/test-database.js';

/** Counts round trips, to see what the cache saves. */
class CountingSqlClient extends SqlClient {
  readonly dialect: SqlDialect;
  calls = 0;

  constructor(private readonly inner: SqlClient) {
    super();
    this.dialect = inner.dialect;
  }

  override query<Row extends object = Record<string, unknown>>(statement: Statement, params?: readonly unknown[]): Promise<Row[]> {
    this.calls += 1;
    return this.inner.query<Row>(statement, params);
  }

  override exec(script: string): Promise<void> {
    this.calls += 1;
    return this.inner.exec(script);
  }

  override transaction<T>(work: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    this.calls += 1;
    return this.inner.transaction(work);
  }

  override listen(channel: string, onNotify: (payload: string) => void, onReconnect?: () => void): Promise<() => Promise<void>> {
    return this.inner.listen(channel, onNotify, onReconnect);
  }

  override session(): Promise<SqlSession> {
    return this.inner.session();
  }

  override close(): Promise<void> {
    return this.inner.close();
  }
}

interface KeyRow {
  wrapped_key: string;
  master_key_id: string;
  created_at: Date;
}

const identity = { firstName: 'Camille', lastName: 'Martin', birthDate: '1990-04-12', nir: '290047512345678' };

async function waitFor(check: () => Promise<boolean>, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe.each(databaseTargets())('key vault on $name', (target) => {
  let database: TestDatabase;
  let db: SqlClient;
  const masterKey = MasterKey.generate();
  const started: SqlKeyVault[] = [];

  beforeAll(async () => {
    database = await target.open({ poolSize: 12 });
    db = database.db;
  });

  afterAll(async () => {
    for (const vault of started) await vault.stop();
    await database.close();
  });

  /** A vault as another instance (or a restarted process) would have it: an empty cache. */
  function newVault(options: SqlKeyVaultOptions = {}, client: SqlClient = db, key = masterKey): SqlKeyVault {
    return new SqlKeyVault(client, key, options);
  }

  async function keyRow(subjectId: string): Promise<KeyRow | undefined> {
    const rows = await db.query<KeyRow>(
      `SELECT encode(wrapped_key, 'hex') AS wrapped_key, master_key_id, created_at FROM personal_data_keys WHERE subject_id = $1`,
      [subjectId],
    );
    return rows[0];
  }

  /** What a restore from a backup taken before the erasure does to the keys table. */
  async function restoreKeyRow(subjectId: string, row: KeyRow): Promise<void> {
    await db.query(
      `INSERT INTO personal_data_keys (subject_id, wrapped_key, master_key_id, created_at) VALUES ($1, decode($2, 'hex'), $3, $4)`,
      [subjectId, row.wrapped_key, row.master_key_id, row.created_at],
    );
  }

  async function keyCount(subjectId: string): Promise<number> {
    return single(await db.query<{ n: number }>('SELECT count(*)::int AS n FROM personal_data_keys WHERE subject_id = $1', [subjectId])).n;
  }

  describe('data keys', () => {
    it('creates a 32-byte key once and returns the same key afterwards, from any instance', async () => {
      const vault = newVault();
      const subject = randomUUID();
      expect(await vault.getDataKey(subject)).toBeUndefined();

      const key = await vault.createDataKey(subject);
      expect(key).toHaveLength(32);
      expect(await vault.createDataKey(subject)).toEqual(key);
      expect(await vault.getDataKey(subject)).toEqual(key);
      expect(await newVault().getDataKey(subject)).toEqual(key);
      expect(await newVault().createDataKey(subject.toUpperCase())).toEqual(key);
      expect(await keyCount(subject)).toBe(1);

      const row = (await keyRow(subject))!;
      expect(row.master_key_id).toBe(masterKey.id);
      expect(Buffer.from(row.wrapped_key, 'hex')).toHaveLength(1 + 12 + 32 + 16);
      expect(await newVault().createDataKey(randomUUID())).not.toEqual(key);
    });

    it('never stores a data key in clear', async () => {
      const vault = newVault();
      const keys = await Promise.all(Array.from({ length: 20 }, () => vault.createDataKey(randomUUID())));
      for (const key of keys) {
        const hex = key.toString('hex');
        const inWrappedKey = await db.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM personal_data_keys WHERE position(decode($1, 'hex') IN wrapped_key) > 0`,
          [hex],
        );
        expect(single(inWrappedKey).n).toBe(0);
        // Any column, as the text a dump would show (bytea prints as \x<hex>).
        const anywhere = await db.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM personal_data_keys k WHERE position($1 IN lower(k::text)) > 0 OR position($2 IN k::text) > 0`,
          [hex, key.toString('base64')],
        );
        expect(single(anywhere).n).toBe(0);
      }
      // The check itself can find a key: the wrapped bytes of a row are found where they are.
      const someRow = single(await db.query<{ hex: string }>(`SELECT encode(wrapped_key, 'hex') AS hex FROM personal_data_keys LIMIT 1`));
      const found = await db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM personal_data_keys WHERE position(decode($1, 'hex') IN wrapped_key) > 0`,
        [someRow.hex.slice(26, 90)],
      );
      expect(single(found).n).toBe(1);
    });

    it('refuses a wrapped key moved to another subject', async () => {
      const vault = newVault();
      const [a, b] = [randomUUID(), randomUUID()];
      await vault.createDataKey(a);
      await vault.createDataKey(b);
      await db.query('UPDATE personal_data_keys SET wrapped_key = (SELECT wrapped_key FROM personal_data_keys WHERE subject_id = $1) WHERE subject_id = $2', [a, b]);
      await expect(newVault().getDataKey(b)).rejects.toBeInstanceOf(WrappedKeyError);
      await expect(newVault().getDataKey(a)).resolves.toHaveLength(32);
    });

    it('refuses a wrapped key altered in the database', async () => {
      const subject = randomUUID();
      await newVault().createDataKey(subject);
      await db.query(`UPDATE personal_data_keys SET wrapped_key = set_byte(wrapped_key, 30, get_byte(wrapped_key, 30) # 1) WHERE subject_id = $1`, [
        subject,
      ]);
      await expect(newVault().getDataKey(subject)).rejects.toMatchObject({ name: 'WrappedKeyError', subjectId: subject });
    });

    it('reports a master key that is not the one of the database, at start and on reads', async () => {
      const subject = randomUUID();
      await newVault().createDataKey(subject);
      const wrongKey = MasterKey.generate();
      const wrong = newVault({}, db, wrongKey);
      await expect(wrong.start()).rejects.toBeInstanceOf(MasterKeyMismatchError);
      await expect(wrong.start()).rejects.toThrow(`wrapped by master key ${masterKey.id} but the configured master key is ${wrongKey.id}`);
      await expect(wrong.getDataKey(subject)).rejects.toBeInstanceOf(MasterKeyMismatchError);
      await expect(newVault().checkMasterKey()).resolves.toBeUndefined();
    });

    it("stores a new subject's key only with the append it follows: nothing if the append did not happen", async () => {
      const counting = new CountingSqlClient(db);
      const vault = newVault({}, counting);
      const subject = randomUUID();
      const pending = await vault.dataKeyToCommit(subject);
      const key = Buffer.from(pending.key);
      expect(pending.followups).toHaveLength(1);
      expect(await keyCount(subject)).toBe(0);
      // The follow-up as the event store runs it: a CTE guarded by the append's result.
      const run = async (appended: boolean) => {
        const { sql, params } = inlineWriteSql(pending.followups[0]!, 'appended', 2);
        await db.query(`WITH appended AS (SELECT now() AS recorded_at WHERE $1::boolean), stored AS (${sql}) SELECT 1`, [appended, ...params]);
      };
      await run(false);
      expect(await keyCount(subject)).toBe(0);
      await run(true);
      expect(await keyCount(subject)).toBe(1);
      expect(await newVault().getDataKey(subject)).toEqual(key);
      // Once settled as stored, the key is served from memory.
      pending.settle(true);
      const calls = counting.calls;
      expect(await vault.getDataKey(subject)).toEqual(key);
      expect(counting.calls).toBe(calls);
      // A subject that has a key gets it, with nothing to write; an erased one gets none.
      const again = await newVault().dataKeyToCommit(subject);
      expect(again.key).toEqual(key);
      expect(again.followups).toEqual([]);
      await newVault().destroyDataKey(subject, 'erasure_request_granted');
      await expect(newVault().dataKeyToCommit(subject)).rejects.toBeInstanceOf(SubjectErasedError);
    });

    it('refuses subject ids that are not uuids before touching the database', async () => {
      const counting = new CountingSqlClient(db);
      const vault = newVault({}, counting);
      await expect(vault.createDataKey('parcours-1')).rejects.toBeInstanceOf(KeyVaultInputError);
      await expect(vault.getDataKey("x' OR 1=1 --")).rejects.toBeInstanceOf(KeyVaultInputError);
      await expect(vault.destroyDataKey(randomUUID(), '   ')).rejects.toBeInstanceOf(KeyVaultInputError);
      expect(counting.calls).toBe(0);
    });
  });

  describe('cache', () => {
    it('serves repeated reads from memory and stays bounded', async () => {
      const counting = new CountingSqlClient(db);
      const vault = newVault({ cacheSize: 2 }, counting);
      const [a, b, c] = [randomUUID(), randomUUID(), randomUUID()];
      const keyA = await vault.createDataKey(a);
      await vault.createDataKey(b);

      const before = counting.calls;
      for (let i = 0; i < 10; i += 1) expect(await vault.getDataKey(a)).toEqual(keyA);
      expect(counting.calls).toBe(before);

      await vault.createDataKey(c); // evicts b, the least recently used
      const afterC = counting.calls;
      await vault.getDataKey(a);
      expect(counting.calls).toBe(afterC);
      await vault.getDataKey(b);
      expect(counting.calls).toBe(afterC + 1);
    });

    it('expires keys after their time to live', async () => {
      let clock = 0;
      const counting = new CountingSqlClient(db);
      const vault = newVault({ cacheTtlMs: 1_000, now: () => clock }, counting);
      const subject = randomUUID();
      await vault.createDataKey(subject);
      const before = counting.calls;
      await vault.getDataKey(subject);
      expect(counting.calls).toBe(before);
      clock = 1_000;
      await vault.getDataKey(subject);
      expect(counting.calls).toBe(before + 1);
    });

    it('forgets a key destroyed by another instance, told by a notification', async () => {
      const reader = newVault({ cacheTtlMs: 3_600_000 });
      await reader.start();
      started.push(reader);
      const subject = randomUUID();
      const key = await reader.createDataKey(subject);
      expect(await reader.getDataKey(subject)).toEqual(key);

      await newVault().destroyDataKey(subject, 'rgpd-art17');
      await waitFor(async () => (await reader.getDataKey(subject)) === undefined);
      await expect(reader.createDataKey(subject)).rejects.toBeInstanceOf(SubjectErasedError);
    });
  });

  describe('erasure', () => {
    it('destroys the key and records the erasure in the ledger; the ciphertext is unreadable for good', async () => {
      const vault = newVault();
      const cipher = new PersonalDataCipher(vault);
      const subject = randomUUID();
      const encrypted = await cipher.encrypt(subject, identity);
      expect(await cipher.decrypt(subject, encrypted)).toEqual(identity);
      expect(await vault.isErased(subject)).toBe(false);

      const outcome = await vault.destroyDataKey(subject, 'retention-R263-8');
      expect(outcome).toMatchObject({ subjectId: subject, legalGround: 'retention-R263-8', alreadyErased: false, keyDestroyed: true });
      expect(new Date(outcome.erasedAt).toISOString()).toBe(outcome.erasedAt);

      expect(await keyCount(subject)).toBe(0);
      const ledger = await db.query<{ legal_ground: string }>('SELECT legal_ground FROM personal_data_erasures WHERE subject_id = $1', [subject]);
      expect(ledger).toEqual([{ legal_ground: 'retention-R263-8' }]);

      // The same instance (its cache invalidated) and a fresh one (no cache at all).
      expect(await vault.getDataKey(subject)).toBeUndefined();
      expect(await cipher.decrypt(subject, encrypted)).toBe(ERASED);
      const fresh = newVault();
      expect(await fresh.getDataKey(subject)).toBeUndefined();
      expect(await fresh.isErased(subject)).toBe(true);
      expect(await new PersonalDataCipher(fresh).decrypt(subject, encrypted)).toBe(ERASED);
    });

    it('is idempotent and keeps the first date and legal ground', async () => {
      const vault = newVault();
      const subject = randomUUID();
      await vault.createDataKey(subject);
      const first = await vault.destroyDataKey(subject, 'rgpd-art17');
      const second = await newVault().destroyDataKey(subject, 'retention-R263-8');
      expect(second).toEqual({ ...first, alreadyErased: true, keyDestroyed: false });
      expect(await vault.listErasures()).toContainEqual({ subjectId: subject, erasedAt: first.erasedAt, legalGround: 'rgpd-art17' });
    });

    it('never creates a key again for an erased subject, even one that never had a key', async () => {
      const subject = randomUUID();
      const outcome = await newVault().destroyDataKey(subject, 'rgpd-art17');
      expect(outcome).toMatchObject({ alreadyErased: false, keyDestroyed: false });
      await expect(newVault().createDataKey(subject)).rejects.toBeInstanceOf(SubjectErasedError);
      await expect(new PersonalDataCipher(newVault()).encrypt(subject, identity)).rejects.toBeInstanceOf(SubjectErasedError);
      expect(await keyCount(subject)).toBe(0);
    });

    it('leaves other subjects untouched', async () => {
      const vault = newVault();
      const [erased, kept] = [randomUUID(), randomUUID()];
      await vault.createDataKey(erased);
      const keptKey = await vault.createDataKey(kept);
      await vault.destroyDataKey(erased, 'rgpd-art17');
      expect(await newVault().getDataKey(kept)).toEqual(keptKey);
      expect(await newVault().isErased(kept)).toBe(false);
    });
  });

  describe('restore from backup', () => {
    it('replayErasures destroys again a key that the restore brought back', async () => {
      const vault = newVault();
      const subject = randomUUID();
      const kept = randomUUID();
      const keptKey = await vault.createDataKey(kept);
      const encrypted = await new PersonalDataCipher(vault).encrypt(subject, identity);
      const backedUp = (await keyRow(subject))!;
      await vault.destroyDataKey(subject, 'rgpd-art17');

      await restoreKeyRow(subject, backedUp);
      // The danger the ledger exists for: the restored key decrypts again.
      expect(await new PersonalDataCipher(newVault()).decrypt(subject, encrypted)).toEqual(identity);

      const report = await newVault().replayErasures();
      expect(report.keysDestroyed).toContain(subject);
      expect(report.keysDestroyed).not.toContain(kept);
      expect(report.imported).toBe(0);
      expect(await keyCount(subject)).toBe(0);
      expect(await new PersonalDataCipher(newVault()).decrypt(subject, encrypted)).toBe(ERASED);
      expect(await newVault().getDataKey(kept)).toEqual(keptKey);

      const again = await newVault().replayErasures();
      expect(again.keysDestroyed).toEqual([]);
    });

    it('imports the ledger entries the restore lost, then destroys their keys', async () => {
      const vault = newVault();
      const subject = randomUUID();
      const encrypted = await new PersonalDataCipher(vault).encrypt(subject, identity);
      const backedUp = (await keyRow(subject))!;
      await vault.destroyDataKey(subject, 'rgpd-art17');
      // Kept outside the database, as the backup procedure requires.
      const ledger = await vault.listErasures();
      const entry = ledger.find((record) => record.subjectId === subject)!;

      // The restored database predates the erasure: the key is back and the ledger forgot it.
      await db.query('DELETE FROM personal_data_erasures WHERE subject_id = $1', [subject]);
      await restoreKeyRow(subject, backedUp);
      const restarted = newVault();
      expect(await restarted.isErased(subject)).toBe(false);

      const report = await restarted.replayErasures(ledger);
      expect(report.imported).toBe(1);
      expect(report.ledgerEntries).toBe(ledger.length);
      expect(report.keysDestroyed).toEqual([subject]);
      expect(await restarted.isErased(subject)).toBe(true);
      expect(await restarted.listErasures()).toContainEqual(entry);
      expect(await new PersonalDataCipher(restarted).decrypt(subject, encrypted)).toBe(ERASED);

      const again = await newVault().replayErasures(ledger);
      expect(again).toMatchObject({ imported: 0, keysDestroyed: [] });
    });

    it('start() replays the ledger already in the database', async () => {
      const vault = newVault();
      const subject = randomUUID();
      await vault.createDataKey(subject);
      const backedUp = (await keyRow(subject))!;
      await vault.destroyDataKey(subject, 'rgpd-art17');
      await restoreKeyRow(subject, backedUp);

      const booting = newVault();
      await booting.start();
      started.push(booting);
      expect(await keyCount(subject)).toBe(0);
    });

    it('refuses a malformed ledger without importing any of it', async () => {
      const good: ErasureRecord = { subjectId: randomUUID(), erasedAt: '2026-01-15T10:00:00.000Z', legalGround: 'rgpd-art17' };
      const bad = { subjectId: 'not-a-uuid', erasedAt: '2026-01-15T10:00:00.000Z', legalGround: 'rgpd-art17' };
      await expect(newVault().replayErasures([good, bad])).rejects.toBeInstanceOf(KeyVaultInputError);
      await expect(newVault().replayErasures([{ ...good, erasedAt: 'yesterday' }])).rejects.toBeInstanceOf(KeyVaultInputError);
      expect(await newVault().isErased(good.subjectId)).toBe(false);
    });
  });

  describe('concurrency', () => {
    it('gives one key to 8 instances creating the same subject at once', async () => {
      const subject = randomUUID();
      const vaults = Array.from({ length: 8 }, () => newVault());
      const keys = await Promise.all(vaults.map((vault) => vault.createDataKey(subject)));
      for (const key of keys) expect(key).toEqual(keys[0]);
      expect(await keyCount(subject)).toBe(1);
      expect(await newVault().getDataKey(subject)).toEqual(keys[0]);

      const shared = newVault();
      const other = randomUUID();
      const sameInstance = await Promise.all(Array.from({ length: 8 }, () => shared.createDataKey(other)));
      for (const key of sameInstance) expect(key).toEqual(sameInstance[0]);
      expect(await keyCount(other)).toBe(1);
    });

    it('never leaves a key behind when creations race an erasure', async () => {
      for (let round = 0; round < 10; round += 1) {
        const subject = randomUUID();
        const outcomes = await Promise.allSettled([
          newVault().createDataKey(subject),
          newVault().destroyDataKey(subject, 'rgpd-art17'),
          newVault().createDataKey(subject),
          newVault().createDataKey(subject),
        ]);
        expect(outcomes[1]!.status).toBe('fulfilled');
        for (const outcome of outcomes) {
          if (outcome.status === 'rejected') expect(outcome.reason).toBeInstanceOf(SubjectErasedError);
        }
        expect(await keyCount(subject)).toBe(0);
        expect(await newVault().getDataKey(subject)).toBeUndefined();
      }
    });
  });
});
