import { randomBytes } from 'node:crypto';
import { type SqlClient, type SqlExecutor, single } from '../../database/sql-client.js';
import { type InlineWrite, tableColumns } from '../../event-store/inline-writes.js';
import type { MasterKey } from './master-key.js';

// Parsed once, when the module loads: the column lists of the writes declared below.
const KEY_COLUMNS = tableColumns('subject_id uuid, wrapped_key bytea, master_key_id text');
const ERASURE_COLUMNS = tableColumns('subject_id uuid, legal_ground text');

/**
 * Per-subject data keys and their destruction (crypto-shredding, DESIGN §8). A subject is a
 * parcours id (a uuid); its personal data is encrypted under its data key, so deleting the key
 * erases the data everywhere it was copied, the append-only event store included.
 */

/** AES-256 data keys. */
export const DATA_KEY_BYTES = 32;

/** One entry of the erasure ledger. No personal data: the subject is a pseudonymous uuid. */
export interface ErasureRecord {
  subjectId: string;
  /** ISO 8601. */
  erasedAt: string;
  /** A code (retention rule, data subject's request…), never free text about the person. */
  legalGround: string;
}

export interface ErasureOutcome extends ErasureRecord {
  /** The subject was already in the ledger: the original date and legal ground are kept. */
  alreadyErased: boolean;
  /** A key row was deleted by this call (false if the key never existed or was already gone). */
  keyDestroyed: boolean;
}

export interface ReplayReport {
  /** Entries of the given ledger that this database did not know (lost by the restore). */
  imported: number;
  /** Subjects in the ledger after the replay. */
  ledgerEntries: number;
  /** Subjects whose key was present although erased, and is now destroyed again. */
  keysDestroyed: string[];
}

/**
 * Also the injection token: consumers ask for `KeyVault` and get the configured implementation.
 * Keys are handed out as fresh copies that the caller owns (and may zero after use).
 */
export abstract class KeyVault {
  /** The subject's data key, created if needed (idempotent). Refused for an erased subject. */
  abstract createDataKey(subjectId: string): Promise<Buffer>;
  /** The subject's data key, or `undefined` when it was destroyed or never created. */
  abstract getDataKey(subjectId: string): Promise<Buffer | undefined>;
  /** Deletes the key and records the erasure in the ledger, atomically. Idempotent. */
  abstract destroyDataKey(subjectId: string, legalGround: string): Promise<ErasureOutcome>;
  abstract isErased(subjectId: string): Promise<boolean>;
  /** The whole ledger, oldest first: what must be kept outside database backups. */
  abstract listErasures(): Promise<ErasureRecord[]>;
  /**
   * After a restore: adds `ledger` entries the database lost, then deletes the key of every
   * subject in the ledger. Idempotent; keys of subjects not in the ledger are untouched.
   */
  abstract replayErasures(ledger?: readonly ErasureRecord[]): Promise<ReplayReport>;
}

/**
 * The key writes that commit with the events that use them (append follow-ups): a new subject's key
 * stored with its opening, a key destroyed with its erasure. Also the injection token; the SQL key
 * vault provides it.
 */
export abstract class DataKeyWrites {
  /**
   * The data key of a subject about to be written for the first time (a parcours being opened),
   * with the writes that store it, to commit with the events that use it: a command refused or
   * failed leaves no key behind, a committed one never lacks its key. Refused (`SubjectErasedError`)
   * for an erased subject.
   */
  abstract dataKeyToCommit(subjectId: string): Promise<DataKeyToCommit>;
  /** `dataKeyToCommit` for a batch: a subject that has a key already, or was erased, is answered undefined. */
  abstract dataKeysToCommit(subjectIds: readonly string[]): Promise<Array<DataKeyToCommit | undefined>>;
  /**
   * The erasure as writes that commit with the `PersonalDataErased` event: the key destroyed, the
   * ledger entry added, the other instances told — all or nothing. Call `forget` once it committed.
   */
  abstract erasureFollowups(subjectId: string, legalGround: string): InlineWrite[];
  /** After an erasure committed by an append: this instance forgets the key at once. */
  abstract forget(subjectId: string): void;
}

/** An argument that cannot name a subject or an erasure (a bug in the caller, not a state). */
export class KeyVaultInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KeyVaultInputError';
  }
}

/** No new personal data may be written about an erased subject. */
export class SubjectErasedError extends Error {
  readonly code = 'personal_data_erased';

  constructor(readonly subjectId: string) {
    super(`subject ${subjectId} was erased: no data key can be created for it again`);
    this.name = 'SubjectErasedError';
  }
}

/** A new subject's data key, with the writes that store it (see `SqlKeyVault.dataKeyToCommit`). */
export interface DataKeyToCommit {
  /** The caller's copy, to encrypt with and zero. */
  key: Buffer;
  /** Append follow-ups that store the key; none when the subject had one already. */
  followups: InlineWrite[];
  /**
   * Once the append is over: `stored` when it committed, and the key is then cached. (A key never
   * stored protects nothing: a failed command need not call it.)
   */
  settle(stored: boolean): void;
}

/** A stored wrapped key that does not authenticate: altered, or copied from another subject's row. */
export class WrappedKeyError extends Error {
  constructor(readonly subjectId: string) {
    super(`the wrapped data key of subject ${subjectId} does not authenticate: it was altered or belongs to another subject`);
    this.name = 'WrappedKeyError';
  }
}

/** The row was wrapped by another master key than the configured one (wrong MASTER_KEY, or a rotation not finished). */
export class MasterKeyMismatchError extends Error {
  constructor(
    readonly expectedMasterKeyIds: readonly string[],
    readonly configuredMasterKeyId: string,
    subjectId?: string,
  ) {
    const what = subjectId === undefined ? 'this database holds data keys' : `the data key of subject ${subjectId} was`;
    super(
      `${what} wrapped by master key ${expectedMasterKeyIds.join(', ')} but the configured master key is ${configuredMasterKeyId}: ` +
        'check MASTER_KEY (or the key file) against the one this database was created with',
    );
    this.name = 'MasterKeyMismatchError';
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MAX_LEGAL_GROUND_LENGTH = 200;

/**
 * PostgreSQL's text form of a uuid is lower case; the id is authenticated with the wrapped key and
 * the ciphertexts, so every entry point must use that exact form.
 */
export function normalizeSubjectId(subjectId: string): string {
  if (typeof subjectId !== 'string' || !UUID.test(subjectId)) {
    throw new KeyVaultInputError(`a subject id must be a uuid, got ${JSON.stringify(subjectId)}`);
  }
  return subjectId.toLowerCase();
}

function normalizeLegalGround(legalGround: string): string {
  const value = typeof legalGround === 'string' ? legalGround.trim() : '';
  if (value === '' || value.length > MAX_LEGAL_GROUND_LENGTH) {
    throw new KeyVaultInputError(`a legal ground is a short code of 1 to ${MAX_LEGAL_GROUND_LENGTH} characters`);
  }
  return value;
}

/**
 * A bounded LRU of unwrapped data keys with a time to live. Reads decrypt one identity per request,
 * so the hot path must not cost a database round trip; the bound caps memory (and the number of
 * keys exposed in a heap dump), the TTL caps how long another instance's erasure can go unnoticed
 * if its notification is lost. Evicted keys are zeroed; callers get copies.
 */
export class DataKeyCache {
  private readonly entries = new Map<string, { key: Buffer; expiresAt: number }>();
  private evictions = 0;

  constructor(readonly maxEntries: number, readonly ttlMs: number, private readonly now: () => number = Date.now) {
    if (!Number.isInteger(maxEntries) || maxEntries < 0) throw new RangeError(`cache size must be a non-negative integer, got ${maxEntries}`);
    if (!(ttlMs >= 0)) throw new RangeError(`cache TTL must be non-negative, got ${ttlMs}`);
  }

  get size(): number {
    return this.entries.size;
  }

  /**
   * Changes on every explicit eviction (delete, clear). A reader takes it before fetching a key
   * and passes it to `set`: a key fetched while an erasure was evicting it must not be re-cached.
   */
  get generation(): number {
    return this.evictions;
  }

  get(subjectId: string): Buffer | undefined {
    const entry = this.entries.get(subjectId);
    if (entry === undefined) return undefined;
    if (entry.expiresAt <= this.now()) {
      this.drop(subjectId);
      return undefined;
    }
    // Map keeps insertion order: moving the entry to the end makes the first one the least recently used.
    this.entries.delete(subjectId);
    this.entries.set(subjectId, entry);
    return Buffer.from(entry.key);
  }

  /** Keeps a copy of `key`, unless an eviction happened since `generation` was read. */
  set(subjectId: string, key: Buffer, generation: number): void {
    if (generation !== this.evictions || this.maxEntries === 0) return;
    const existing = this.entries.get(subjectId);
    if (existing) {
      existing.key.fill(0);
      this.entries.delete(subjectId);
    }
    this.entries.set(subjectId, { key: Buffer.from(key), expiresAt: this.now() + this.ttlMs });
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value as string;
      this.drop(oldest);
    }
  }

  delete(subjectId: string): void {
    this.evictions += 1;
    this.drop(subjectId);
  }

  clear(): void {
    this.evictions += 1;
    for (const entry of this.entries.values()) entry.key.fill(0);
    this.entries.clear();
  }

  private drop(subjectId: string): void {
    const entry = this.entries.get(subjectId);
    if (entry === undefined) return;
    entry.key.fill(0);
    this.entries.delete(subjectId);
  }
}

/** Erasure is irreversible, so a known erased subject can be remembered without expiry; bounded like the key cache. */
class ErasedSet {
  private readonly ids = new Set<string>();

  constructor(private readonly maxEntries: number) {}

  has(subjectId: string): boolean {
    return this.ids.has(subjectId);
  }

  add(subjectId: string): void {
    if (this.maxEntries === 0) return;
    this.ids.delete(subjectId);
    this.ids.add(subjectId);
    if (this.ids.size > this.maxEntries) this.ids.delete(this.ids.values().next().value as string);
  }
}

/** Announces erasures to the other instances, which evict the key from their caches. */
export const ERASURE_CHANNEL = 'spie_personal_data_erased';
/** Payload meaning "evict every key" (after a replay). */
const EVICT_ALL = '*';

// Two-integer advisory locks live apart from the one-bigint locks of the event store and the
// migrator, so they never contend with them.
const LOCK_NAMESPACE_LEDGER = 731_120_401;
const LOCK_NAMESPACE_SUBJECT = 731_120_402;

export interface SqlKeyVaultOptions {
  /** Unwrapped keys kept in memory (default 10 000; 0 disables the cache). */
  cacheSize?: number;
  /** How long an unwrapped key stays cached (default 5 minutes). */
  cacheTtlMs?: number;
  /** For tests of the TTL. */
  now?: () => number;
}

interface KeyRow {
  wrapped_key: string;
  master_key_id: string;
}

interface ErasureRow {
  subject_id: string;
  erased_at: Date;
  legal_ground: string;
}

const GET_KEY = {
  name: 'spie_get_data_key_v1',
  text: `SELECT encode(wrapped_key, 'hex') AS wrapped_key, master_key_id FROM personal_data_keys WHERE subject_id = $1::uuid`,
};

/**
 * The vault on the SQL database (`personal_data_keys`, `personal_data_erasures`, migration 0002).
 * Data keys are stored wrapped by the master key, with the subject id as authenticated data.
 *
 * Concurrency: creating and destroying a subject's key take that subject's advisory lock, so a
 * creation cannot slip between an erasure's check and its commit; both also take the ledger lock
 * in shared mode, which a replay takes exclusively.
 */
export class SqlKeyVault extends KeyVault implements DataKeyWrites {
  private readonly cache: DataKeyCache;
  private readonly erased: ErasedSet;
  private unlisten: (() => Promise<void>) | undefined;

  constructor(private readonly db: SqlClient, private readonly masterKey: MasterKey, options: SqlKeyVaultOptions = {}) {
    super();
    const size = options.cacheSize ?? 10_000;
    this.cache = new DataKeyCache(size, options.cacheTtlMs ?? 5 * 60_000, options.now);
    this.erased = new ErasedSet(size);
  }

  /**
   * To call at boot, after migrations: checks that the configured master key is the one of this
   * database (a wrong key fails the start, not the first read), listens to other instances'
   * erasures, and replays the ledger already in the database, which cannot leave an erased
   * subject's key in place (a restore of the keys table alone, say). Cheap: a join of two keyed tables.
   */
  async start(): Promise<void> {
    await this.checkMasterKey();
    if (!this.unlisten) {
      // After a reconnect, erasures may have been announced while nobody listened: forget every key.
      this.unlisten = await this.db.listen(
        ERASURE_CHANNEL,
        (payload) => this.evict(payload),
        () => this.cache.clear(),
      );
    }
    await this.replayErasures();
  }

  async stop(): Promise<void> {
    await this.unlisten?.();
    this.unlisten = undefined;
    this.cache.clear();
  }

  /**
   * Fails if the database holds keys and none is wrapped by the configured master key. During a
   * rotation both ids coexist and the check passes. Stops at the first matching row.
   */
  async checkMasterKey(): Promise<void> {
    const rows = await this.db.query<{ any_key: boolean; ours: boolean }>(
      `SELECT EXISTS (SELECT 1 FROM personal_data_keys) AS any_key,
              EXISTS (SELECT 1 FROM personal_data_keys WHERE master_key_id = $1) AS ours`,
      [this.masterKey.id],
    );
    const { any_key: anyKey, ours } = single(rows);
    if (anyKey && !ours) {
      const others = await this.db.query<{ master_key_id: string }>(
        'SELECT DISTINCT master_key_id FROM personal_data_keys ORDER BY master_key_id LIMIT 5',
      );
      throw new MasterKeyMismatchError(
        others.map((row) => row.master_key_id),
        this.masterKey.id,
      );
    }
  }

  override async getDataKey(subjectId: string): Promise<Buffer | undefined> {
    const id = normalizeSubjectId(subjectId);
    const cached = this.cache.get(id);
    if (cached) return cached;
    if (this.erased.has(id)) return undefined;
    const generation = this.cache.generation;
    const row = (await this.db.query<KeyRow>(GET_KEY, [id]))[0];
    if (row === undefined) return undefined;
    const key = this.unwrap(id, row);
    this.cache.set(id, key, generation);
    return key;
  }

  override async createDataKey(subjectId: string): Promise<Buffer> {
    const id = normalizeSubjectId(subjectId);
    const existing = await this.getDataKey(id);
    if (existing) return existing;
    if (this.erased.has(id)) throw new SubjectErasedError(id);

    const fresh = randomBytes(DATA_KEY_BYTES);
    const wrapped = this.masterKey.wrap(fresh, keyContext(id)).toString('hex');
    const generation = this.cache.generation;
    const stored = await this.db.transaction(async (tx) => {
      await lockSubject(tx, id);
      const erased = await tx.query('SELECT 1 FROM personal_data_erasures WHERE subject_id = $1::uuid', [id]);
      if (erased.length > 0) return 'erased' as const;
      // Under the subject lock a concurrent creator has committed or not started, so the row we
      // read back is the one every creator returns.
      await tx.query(
        `INSERT INTO personal_data_keys (subject_id, wrapped_key, master_key_id) VALUES ($1::uuid, decode($2, 'hex'), $3)
         ON CONFLICT (subject_id) DO NOTHING`,
        [id, wrapped, this.masterKey.id],
      );
      return single(await tx.query<KeyRow>(GET_KEY.text, [id]));
    });
    if (stored === 'erased') {
      this.erased.add(id);
      throw new SubjectErasedError(id);
    }
    const key = stored.wrapped_key === wrapped ? fresh : this.unwrap(id, stored);
    this.cache.set(id, key, generation);
    return Buffer.from(key);
  }

  /**
   * The data key of a subject about to be written for the first time (a parcours being opened), and
   * the writes that store it, to commit with the events that use it (append follow-ups): a command
   * refused or failed leaves no key behind, a committed one never lacks its key. A subject that has
   * a key already gets it, with nothing to write. Refused (`SubjectErasedError`) for an erased
   * subject. One query, no transaction: the key row is written by the append's statement.
   */
  async dataKeyToCommit(subjectId: string): Promise<DataKeyToCommit> {
    const id = normalizeSubjectId(subjectId);
    const cached = this.cache.get(id);
    if (cached) return { key: cached, followups: [], settle: () => undefined };
    if (this.erased.has(id)) throw new SubjectErasedError(id);
    const generation = this.cache.generation;
    const row = single(
      await this.db.query<{ wrapped_key: string | null; master_key_id: string | null; erased: boolean }>(
        `SELECT encode(k.wrapped_key, 'hex') AS wrapped_key, k.master_key_id,
                EXISTS (SELECT 1 FROM personal_data_erasures WHERE subject_id = $1::uuid) AS erased
           FROM (SELECT 1) AS one LEFT JOIN personal_data_keys k ON k.subject_id = $1::uuid`,
        [id],
      ),
    );
    if (row.erased) {
      this.erased.add(id);
      throw new SubjectErasedError(id);
    }
    if (row.wrapped_key !== null && row.master_key_id !== null) {
      const key = this.unwrap(id, { wrapped_key: row.wrapped_key, master_key_id: row.master_key_id });
      this.cache.set(id, key, generation);
      return { key, followups: [], settle: () => undefined };
    }
    return this.freshDataKey(id, generation);
  }

  /**
   * `dataKeyToCommit` for many subjects at once (a batch of openings), in one query: a subject
   * that has a key already, or was erased, is answered undefined (its opening goes the one-by-one
   * way, which knows what to do with it); the others get a new key, stored by the append.
   */
  async dataKeysToCommit(subjectIds: readonly string[]): Promise<Array<DataKeyToCommit | undefined>> {
    const ids = subjectIds.map(normalizeSubjectId);
    const generation = this.cache.generation;
    const taken = new Set(
      (
        await this.db.query<{ subject_id: string }>(
          `SELECT k.subject_id::text FROM personal_data_keys k WHERE k.subject_id = ANY($1::uuid[])
           UNION SELECT e.subject_id::text FROM personal_data_erasures e WHERE e.subject_id = ANY($1::uuid[])`,
          [ids],
        )
      ).map((row) => row.subject_id),
    );
    return ids.map((id) => (taken.has(id) || this.cache.get(id) || this.erased.has(id) ? undefined : this.freshDataKey(id, generation)));
  }

  private freshDataKey(id: string, generation: number): DataKeyToCommit {
    const fresh = randomBytes(DATA_KEY_BYTES);
    const wrapped = this.masterKey.wrap(fresh, keyContext(id));
    const kept = Buffer.from(fresh);
    return {
      key: fresh,
      // Cached once stored, as createDataKey does: the reads that follow an opening need no query.
      settle: (stored) => {
        if (stored) this.cache.set(id, kept, generation);
        kept.fill(0);
      },
      followups: [
        // No ON CONFLICT: a key stored meanwhile by another writer must fail the whole statement
        // (events included) rather than leave these events encrypted under a key nobody kept. An
        // erasure recorded meanwhile wins: the events then read as erased.
        {
          kind: 'rows',
          table: 'personal_data_keys',
          columns: KEY_COLUMNS,
          rows: [[id, wrapped, this.masterKey.id]],
          where: 'NOT EXISTS (SELECT 1 FROM personal_data_erasures e WHERE e.subject_id = r.subject_id)',
        },
      ],
    };
  }

  override async destroyDataKey(subjectId: string, legalGround: string): Promise<ErasureOutcome> {
    const id = normalizeSubjectId(subjectId);
    const ground = normalizeLegalGround(legalGround);
    try {
      const outcome = await this.db.transaction(async (tx) => {
        await lockSubject(tx, id);
        const deleted = await tx.query('DELETE FROM personal_data_keys WHERE subject_id = $1::uuid RETURNING 1 AS deleted', [id]);
        const inserted = await tx.query(
          `INSERT INTO personal_data_erasures (subject_id, legal_ground) VALUES ($1::uuid, $2)
           ON CONFLICT (subject_id) DO NOTHING RETURNING 1 AS inserted`,
          [id, ground],
        );
        const record = single(
          await tx.query<ErasureRow>(
            'SELECT subject_id::text AS subject_id, erased_at, legal_ground FROM personal_data_erasures WHERE subject_id = $1::uuid',
            [id],
          ),
        );
        // In the transaction, so the announcement exists if and only if the erasure commits.
        // (A NOTIFY takes a database-wide lock at commit; erasures are rare enough for that.)
        await tx.query('SELECT pg_notify($1, $2)', [ERASURE_CHANNEL, id]);
        return { ...toRecord(record), alreadyErased: inserted.length === 0, keyDestroyed: deleted.length > 0 };
      });
      this.erased.add(id);
      return outcome;
    } finally {
      // After the commit: a reader that fetched the key before it is refused a place in the cache.
      this.cache.delete(id);
    }
  }

  /**
   * The erasure as writes that commit with the `PersonalDataErased` event (an append follow-up):
   * the key row deleted, the ledger entry added, the other instances told — all or nothing, so a
   * crash can leave neither an event without its erasure nor an erasure without its event. Call
   * `forget` once the append committed.
   */
  erasureFollowups(subjectId: string, legalGround: string): InlineWrite[] {
    const id = normalizeSubjectId(subjectId);
    const ground = normalizeLegalGround(legalGround);
    return [
      { kind: 'delete', table: 'personal_data_keys', match: [{ column: 'subject_id', type: 'uuid', value: id }] },
      {
        kind: 'rows',
        table: 'personal_data_erasures',
        columns: ERASURE_COLUMNS,
        rows: [[id, ground]],
        onConflict: 'ON CONFLICT (subject_id) DO NOTHING',
        notify: { channel: ERASURE_CHANNEL, column: 'subject_id' },
      },
    ];
  }

  /** After an erasure committed elsewhere than `destroyDataKey`: this instance forgets the key at once. */
  forget(subjectId: string): void {
    const id = normalizeSubjectId(subjectId);
    this.erased.add(id);
    this.cache.delete(id);
  }

  override async isErased(subjectId: string): Promise<boolean> {
    const id = normalizeSubjectId(subjectId);
    if (this.erased.has(id)) return true;
    const rows = await this.db.query<{ erased: boolean }>(
      'SELECT EXISTS (SELECT 1 FROM personal_data_erasures WHERE subject_id = $1::uuid) AS erased',
      [id],
    );
    const erased = single(rows).erased;
    if (erased) this.erased.add(id);
    return erased;
  }

  override async listErasures(): Promise<ErasureRecord[]> {
    const rows = await this.db.query<ErasureRow>(
      'SELECT subject_id::text AS subject_id, erased_at, legal_ground FROM personal_data_erasures ORDER BY erased_at, subject_id',
    );
    return rows.map(toRecord);
  }

  override async replayErasures(ledger: readonly ErasureRecord[] = []): Promise<ReplayReport> {
    const entries = ledger.map(validRecord);
    try {
      return await this.db.transaction(async (tx) => {
        // Exclusive: no key is created or destroyed while the ledger is merged and applied.
        await tx.query('SELECT pg_advisory_xact_lock($1::int4, 0)', [LOCK_NAMESPACE_LEDGER]);
        let imported = 0;
        if (entries.length > 0) {
          const rows = await tx.query(
            `INSERT INTO personal_data_erasures (subject_id, erased_at, legal_ground)
             SELECT * FROM unnest($1::uuid[], $2::timestamptz[], $3::text[])
             ON CONFLICT (subject_id) DO NOTHING RETURNING 1 AS imported`,
            [entries.map((entry) => entry.subjectId), entries.map((entry) => entry.erasedAt), entries.map((entry) => entry.legalGround)],
          );
          imported = rows.length;
        }
        const destroyed = await tx.query<{ subject_id: string }>(
          `DELETE FROM personal_data_keys k USING personal_data_erasures e WHERE k.subject_id = e.subject_id
           RETURNING k.subject_id::text AS subject_id`,
        );
        const count = single(await tx.query<{ n: number }>('SELECT count(*)::int AS n FROM personal_data_erasures'));
        if (destroyed.length > 0) await tx.query('SELECT pg_notify($1, $2)', [ERASURE_CHANNEL, EVICT_ALL]);
        return { imported, ledgerEntries: count.n, keysDestroyed: destroyed.map((row) => row.subject_id).sort() };
      });
    } finally {
      this.cache.clear();
    }
  }

  private evict(payload: string): void {
    if (payload === EVICT_ALL) {
      this.cache.clear();
    } else if (UUID.test(payload)) {
      this.cache.delete(payload);
      this.erased.add(payload);
    }
  }

  private unwrap(subjectId: string, row: KeyRow): Buffer {
    if (row.master_key_id !== this.masterKey.id) {
      throw new MasterKeyMismatchError([row.master_key_id], this.masterKey.id, subjectId);
    }
    const key = this.masterKey.unwrap(Buffer.from(row.wrapped_key, 'hex'), keyContext(subjectId));
    if (key === undefined || key.length !== DATA_KEY_BYTES) throw new WrappedKeyError(subjectId);
    return key;
  }
}

/** The authenticated data of a wrapped key: a purpose label and the subject. */
function keyContext(subjectId: string): Buffer {
  return Buffer.from(`spie-parcours:personal-data-key:${subjectId}`, 'utf8');
}

async function lockSubject(tx: SqlExecutor, subjectId: string): Promise<void> {
  await tx.query('SELECT pg_advisory_xact_lock_shared($1::int4, 0), pg_advisory_xact_lock($2::int4, hashtext($3))', [
    LOCK_NAMESPACE_LEDGER,
    LOCK_NAMESPACE_SUBJECT,
    subjectId,
  ]);
}

function toRecord(row: ErasureRow): ErasureRecord {
  return { subjectId: row.subject_id, erasedAt: new Date(row.erased_at).toISOString(), legalGround: row.legal_ground };
}

function validRecord(record: ErasureRecord): ErasureRecord {
  const erasedAt = new Date(record.erasedAt);
  if (Number.isNaN(erasedAt.getTime())) throw new KeyVaultInputError(`erasedAt must be an ISO date, got ${JSON.stringify(record.erasedAt)}`);
  return { subjectId: normalizeSubjectId(record.subjectId), erasedAt: erasedAt.toISOString(), legalGround: normalizeLegalGround(record.legalGround) };
}
