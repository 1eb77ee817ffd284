import { Inject, Injectable } from '@nestjs/common';
import type { Caller } from '../../../access/caller.js';
import { parcoursCondition } from '../../../access/parcours-rule.js';
import { SqlClient } from '../../../database/sql-client.js';
import type { CaseloadDoc } from './caseload.projection.js';

export interface CaseloadFilter {
  status?: 'open' | 'suspended';
  /** A référent's `sub`; null: every référent. */
  referentUserId: string | null;
  /** Exclusive: the last parcours id of the previous page. */
  after?: string;
  limit: number;
}

/** A parcours in hand: its caseload document, with what needs doing from the continuity read model. */
export interface CaseloadEntry {
  parcoursId: string;
  territory: string;
  status: string;
  parcoursType: string | null;
  organismeReferentId: string | null;
  referent: CaseloadDoc['referent'];
  entryOn: string;
  lastContactOn: string | null;
  engagementContractEndsOn: string | null;
  restrictedSince: string | null;
  opposedSince: string | null;
  nextDeadlineOn: string | null;
  openAlerts: number;
  openBreaches: number;
}

interface CaseloadRow {
  key: string;
  doc: CaseloadDoc;
  next_deadline_on: Date | string | null;
  open_alerts: number;
  open_breaches: number;
}

/** Reads `caseload` (caseload.projection.ts), joined with the continuity read model. */
@Injectable()
export class CaseloadQueries {
  constructor(@Inject(SqlClient) private readonly db: SqlClient) {}

  /**
   * Which open parcours the caller's organisation has in hand (a coordinator: its territory), a page
   * in parcours id order. Who sees which parcours is the parcours rule's, on the inline read model
   * (current even when this projection lags). The continuity read model adds what needs doing: the
   * next deadline and the ruptures open now.
   */
  async inHand(caller: Caller, filter: CaseloadFilter): Promise<{ items: CaseloadEntry[]; nextCursor: string | null }> {
    const visible = parcoursCondition(caller, 'read', 5);
    const rows = await this.db.query<CaseloadRow>(
      `SELECT c.key, c.doc, cp.next_reevaluation_on::text AS next_deadline_on,
              coalesce(a.open_alerts, 0)::int AS open_alerts, coalesce(a.open_breaches, 0)::int AS open_breaches
         FROM caseload c
         JOIN parcours_details d ON d.parcours_id = c.key::uuid
         LEFT JOIN continuity_parcours cp ON cp.parcours_id = c.key::uuid
         LEFT JOIN LATERAL (
           SELECT count(*) AS open_alerts, count(*) FILTER (WHERE severity = 'breach') AS open_breaches
             FROM continuity_alerts WHERE parcours_id = c.key::uuid AND status = 'open'
         ) a ON true
        WHERE doc ->> 'status' IN ('open', 'suspended')
          AND ($1::text IS NULL OR doc ->> 'status' = $1)
          AND ($2::text IS NULL OR doc -> 'referent' ->> 'userId' = $2)
          AND ($3::text IS NULL OR c.key > $3)
          AND ${visible.sql}
        ORDER BY c.key LIMIT $4`,
      [filter.status ?? null, filter.referentUserId, filter.after ?? null, filter.limit, ...visible.params],
    );
    const items = rows.map(({ doc, next_deadline_on, open_alerts, open_breaches }) => ({
      parcoursId: doc.parcoursId,
      territory: doc.territory,
      status: doc.status,
      parcoursType: doc.parcoursType,
      organismeReferentId: doc.organismeReferentId,
      referent: doc.referent,
      entryOn: doc.entryOn,
      lastContactOn: doc.lastContactOn,
      engagementContractEndsOn: doc.engagementContractEndsOn,
      restrictedSince: doc.restrictedSince ?? null,
      opposedSince: doc.opposedSince ?? null,
      nextDeadlineOn: next_deadline_on === null ? null : String(next_deadline_on),
      openAlerts: open_alerts,
      openBreaches: open_breaches,
    }));
    return { items, nextCursor: items.length === filter.limit ? items[items.length - 1]!.parcoursId : null };
  }
}
