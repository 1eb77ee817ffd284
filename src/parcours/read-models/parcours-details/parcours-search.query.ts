import { Inject } from '@nestjs/common';
import { type IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { parcoursCondition } from '../../../access/parcours-rule.js';
import { SqlClient } from '../../../database/sql-client.js';
import { AccessJournal } from '../../../access-journal/access-journal.js';
import type { BlindIndexKind } from '../../../privacy/blind-index/blind-index-keys.js';
import { BlindIndex, type PersonIdentifiers } from '../../../privacy/blind-index/blind-index.js';
import { PersonalDataCipher } from '../../../privacy/crypto/personal-data-cipher.js';
import { type DetailsRow, type ParcoursSummary, type Reader, entryFor, summaryOf } from './parcours-details.query.js';

export interface ParcoursMatch extends ParcoursSummary {
  /** Which identifiers matched: `nir`, `allocataire`, `name_birth`. */
  matchedBy: BlindIndexKind[];
}

/** Finds a person's parcours by identifier, through the blind indexes: no identifier is compared, stored or logged in clear. */
export class SearchParcours extends Query<{ items: ParcoursMatch[] }> {
  constructor(readonly criteria: PersonIdentifiers, readonly reader: Reader) {
    super();
  }
}

/** At most this many parcours per answer: one person has few (one open, some exited). */
const LIMIT = 50;

@QueryHandler(SearchParcours)
export class SearchParcoursHandler implements IQueryHandler<SearchParcours> {
  constructor(
    @Inject(SqlClient) private readonly db: SqlClient,
    @Inject(PersonalDataCipher) private readonly cipher: PersonalDataCipher,
    @Inject(AccessJournal) private readonly journal: AccessJournal,
    @Inject(BlindIndex) private readonly blindIndex: BlindIndex,
  ) {}

  async execute({ criteria, reader }: SearchParcours): Promise<{ items: ParcoursMatch[] }> {
    const matches = await this.blindIndex.matches(this.db, this.blindIndex.probesOf(criteria));
    // Among the matches, those the caller may read: the rule's own condition, in the query.
    const visible = parcoursCondition(reader.caller, 'read', 3);
    const rows = matches.size
      ? await this.db.query<DetailsRow>(
          `SELECT d.parcours_id::text AS parcours_id, d.version, d.identity_ciphertext, d.state, d.opened_at, d.updated_at
             FROM parcours_details d
            WHERE d.parcours_id = ANY($1::uuid[]) AND ${visible.sql}
            ORDER BY d.opened_at DESC, d.parcours_id LIMIT $2`,
          [[...matches.keys()], LIMIT, ...visible.params],
        )
      : [];
    const items = await Promise.all(
      rows.map(async (row): Promise<ParcoursMatch> => ({ ...(await summaryOf(this.cipher, reader.caller, row)), matchedBy: [...(matches.get(row.parcours_id) ?? [])].sort() })),
    );
    // Every search is journaled: each parcours shown, or the search itself when it found nothing
    // the caller may see (who looked for someone, when — never what was looked for).
    const entries = items.length ? items.map((item) => entryFor(reader, 'parcours.search', item.id, 'ok')) : [entryFor(reader, 'parcours.search', '*', 'not_found')];
    await Promise.all(entries.map((entry) => this.journal.record(entry)));
    return { items };
  }
}
