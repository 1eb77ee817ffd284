import type { SqlClient } from '../database/sql-client.js';
import { type Identity, isIdentity } from '../privacy/identity.js';
import { type PersonalDataCipher, isErasedPersonalData } from '../privacy/crypto/personal-data-cipher.js';
import { type BlindIndex, ONE_OPEN_PARCOURS_CONSTRAINT } from '../privacy/blind-index/blind-index.js';

export interface ReindexReport {
  keyVersion: string;
  /** Parcours whose entries were rewritten under the current key only. */
  reindexed: number;
  /** Parcours whose identity could not be read (erased meanwhile): their entries were removed. */
  cleared: number;
  /**
   * Open parcours of one person found while indexing (opened before the constraint existed): ids
   * only, to be settled by the caseworkers (exit one, or merge the follow-up); their entries stay
   * closed until then.
   */
  duplicates: Array<{ parcoursId: string; conflictsWith: string[] }>;
}

const BATCH = 200;

/**
 * `blind-index reindex`: every parcours whose entries are not exactly the current key's (after a
 * rotation, or from before the blind indexes existed) is indexed again from its decrypted
 * identity, under the current key only. Each parcours in its own transaction, its
 * `parcours_details` row locked and its version checked, so that a command writing the same
 * parcours meanwhile is neither lost nor overwritten (it is then taken again in the next pass).
 */
export async function reindexBlindIndexes(
  db: SqlClient,
  cipher: PersonalDataCipher,
  blindIndex: BlindIndex,
  onProgress: (done: number, total: number) => void = () => undefined,
): Promise<ReindexReport> {
  const keyVersion = blindIndex.currentKeyVersion;
  const report: ReindexReport = { keyVersion, reindexed: 0, cleared: 0, duplicates: [] };
  const settled = new Set<string>();
  // Rows under another key, or parcours with an identity and no row under the current key.
  const due = async (after: string) =>
    db.query<{ parcours_id: string; version: number; identity_ciphertext: string | null; household_role: string; status: string }>(
      `SELECT d.parcours_id::text AS parcours_id, d.version, d.identity_ciphertext, d.state->>'householdRole' AS household_role, d.status
         FROM parcours_details d
        WHERE d.parcours_id > $2::uuid
          AND (EXISTS (SELECT 1 FROM parcours_blind_index b WHERE b.parcours_id = d.parcours_id AND b.key_version <> $1)
               OR (d.identity_ciphertext IS NOT NULL AND NOT EXISTS (SELECT 1 FROM parcours_blind_index b WHERE b.parcours_id = d.parcours_id AND b.key_version = $1)))
        ORDER BY d.parcours_id LIMIT ${BATCH}`,
      [keyVersion, after],
    );
  const [{ total }] = (await db.query<{ total: number }>(
    `SELECT count(*)::int AS total FROM parcours_details d
      WHERE EXISTS (SELECT 1 FROM parcours_blind_index b WHERE b.parcours_id = d.parcours_id AND b.key_version <> $1)
         OR (d.identity_ciphertext IS NOT NULL AND NOT EXISTS (SELECT 1 FROM parcours_blind_index b WHERE b.parcours_id = d.parcours_id AND b.key_version = $1))`,
    [keyVersion],
  )) as [{ total: number }];
  let done = 0;
  onProgress(done, total);
  for (let pass = 0; pass < 3; pass += 1) {
    let after = '00000000-0000-0000-0000-000000000000';
    let moved = false;
    for (;;) {
      const page = await due(after);
      const last = page.at(-1);
      if (!last) break;
      after = last.parcours_id;
      for (const row of page.filter((candidate) => !settled.has(candidate.parcours_id))) {
        const identity = row.identity_ciphertext ? await cipher.decrypt(row.parcours_id, { ciphertext: row.identity_ciphertext }) : null;
        const readable = identity !== null && !isErasedPersonalData(identity) && isIdentity(identity);
        const entries = readable ? blindIndex.entriesOf(identity as Identity, row.household_role, [blindIndex.currentKey]) : [];
        const outcome = await writeIfUnchanged(db, row.parcours_id, row.version, entries, row.status !== 'exited');
        if (outcome === 'changed') {
          moved = true;
          continue;
        }
        settled.add(row.parcours_id);
        done += 1;
        onProgress(done, Math.max(total, done));
        if (outcome === 'written') {
          if (readable) report.reindexed += 1;
          else report.cleared += 1;
        } else {
          const conflicts = await blindIndex.matches(db, entries, { openOnly: true, except: row.parcours_id });
          await writeIfUnchanged(db, row.parcours_id, row.version, entries, false);
          report.duplicates.push({ parcoursId: row.parcours_id, conflictsWith: [...conflicts.keys()].sort() });
        }
      }
    }
    if (!moved) break;
  }
  return report;
}

async function writeIfUnchanged(
  db: SqlClient,
  parcoursId: string,
  version: number,
  entries: ReadonlyArray<{ kind: string; keyVersion: string; digest: string }>,
  open: boolean,
): Promise<'written' | 'changed' | 'duplicate'> {
  try {
    return await db.transaction(async (tx) => {
      const [current] = await tx.query<{ version: number }>('SELECT version FROM parcours_details WHERE parcours_id = $1 FOR UPDATE', [parcoursId]);
      if (current?.version !== version) return 'changed';
      await tx.query('DELETE FROM parcours_blind_index WHERE parcours_id = $1', [parcoursId]);
      if (entries.length) {
        await tx.query(
          `INSERT INTO parcours_blind_index (parcours_id, key_version, kind, digest, open)
           SELECT $1::uuid, e.v, e.k, decode(e.d, 'hex'), $5::boolean FROM unnest($2::text[], $3::text[], $4::text[]) AS e(k, v, d)`,
          [parcoursId, entries.map((entry) => entry.kind), entries.map((entry) => entry.keyVersion), entries.map((entry) => entry.digest), open],
        );
      }
      return 'written';
    });
  } catch (error) {
    if ((error as { constraint?: unknown }).constraint === ONE_OPEN_PARCOURS_CONSTRAINT) return 'duplicate';
    throw error;
  }
}
