import { Inject, Injectable } from '@nestjs/common';
import type { Caller } from '../../../access/caller.js';
import { parcoursCondition } from '../../../access/parcours-rule.js';
import { SqlClient } from '../../../database/sql-client.js';
import { ProblemError } from '../../../http/problem.js';
import { BlindIndex, type IndexEntry } from '../../../privacy/blind-index/blind-index.js';

/**
 * 409 parcours_exists: the person already has an open parcours. Its id when the caller may read
 * it; otherwise only the name of the organisation in charge (the organisme référent, else the
 * référent's organisation, else the one that opened it), so that the caseworker can ask to join
 * the follow-up group (exchanges within the SPIE, CASF R. 263-5) — never anything of the person.
 */
@Injectable()
export class ExistingParcoursQuery {
  constructor(
    @Inject(SqlClient) private readonly db: SqlClient,
    @Inject(BlindIndex) private readonly blindIndex: BlindIndex,
  ) {}

  /** The refusal of a write on `parcoursId` that would have given the person of `index` (else its stored entries) a second open parcours. */
  async refusal(caller: Caller, parcoursId: string, index: readonly IndexEntry[] | undefined): Promise<ProblemError> {
    const probes =
      index ??
      (
        await this.db.query<{ kind: IndexEntry['kind']; key_version: string; digest: string }>(
          "SELECT kind, key_version, encode(digest, 'hex') AS digest FROM parcours_blind_index WHERE parcours_id = $1",
          [parcoursId],
        )
      ).map((row) => ({ kind: row.kind, keyVersion: row.key_version, digest: row.digest }));
    const [existing] = [...(await this.blindIndex.matches(this.db, probes, { openOnly: true, except: parcoursId })).keys()].sort();
    const problem = (extensions: Record<string, unknown>) =>
      new ProblemError(409, 'parcours_exists', 'This person already has an open parcours', 'one open parcours per person: ask the organisation in charge to add yours to its follow-up group', extensions);
    if (existing === undefined) return problem({});
    const visible = parcoursCondition(caller, 'read', 2);
    const [seen] = await this.db.query<{ parcours_id: string }>(`SELECT d.parcours_id FROM parcours_details d WHERE d.parcours_id = $1 AND ${visible.sql}`, [existing, ...visible.params]);
    if (seen) return problem({ parcoursId: existing });
    const [holder] = await this.db.query<{ name: string }>(
      `SELECT p.name FROM parcours_details d
         JOIN partners p ON p.partner_id = coalesce(d.organisme_referent_id, d.referent_partner_id, d.follow_up_partner_ids[1])
        WHERE d.parcours_id = $1`,
      [existing],
    );
    return problem({ organismeReferent: holder?.name ?? null });
  }
}
