import type { Clock } from '../../clock.js';
import type { SqlExecutor } from '../../database/sql-client.js';
import { type CaseloadDoc, caseloadProjection } from '../../parcours/read-models/caseload/caseload.projection.js';
import { PARCOURS_EVENT_TYPES, type ParcoursEvent } from '../../parcours/domain/events.js';
import { type CustomProjection, type ProjectedEvent, parcoursIdOf } from '../../projections/projection.js';
import { nextReevaluationOn } from '../deadlines.js';
import { findingKey } from '../findings.js';
import type { ContinuityPolicy } from '../policy.js';
import { evaluateContinuity } from '../rules.js';
import type { ContinuityEvent } from '../timeline.js';

/**
 * `continuity_alerts` — where is a parcours breaking, and for whom? For each parcours the projection
 * keeps the events the rules read (without the identity nor the notes of contacts) and the
 * organisations that see it; it evaluates R1–R10 as of today whenever an event comes, stores the
 * findings, and the date at which time alone would change them. The scheduler
 * (continuity.scheduler.ts) re-evaluates the parcours whose date has come, so the alerts are
 * current without any new event. An archived parcours keeps its findings, all closed on the
 * archive date at the latest, and no date: the scheduler never re-evaluates it.
 */
export interface ContinuityRow {
  parcours_id: string;
  territory: string;
  events: ContinuityEvent[];
  view: CaseloadDoc;
  /** How many of `events`, at the end, are not stored yet (the projection appends them; the scheduler adds none). */
  fresh?: number;
}

export function continuityProjection(policy: ContinuityPolicy, clock: Clock): CustomProjection {
  return {
    kind: 'custom',
    name: 'continuity_alerts',
    schemaVersion: 1,
    categories: ['parcours'],
    eventTypes: PARCOURS_EVENT_TYPES,
    async create(tx, prefix) {
      await tx.exec(`
        CREATE TABLE ${prefix}_parcours (
          parcours_id          uuid PRIMARY KEY,
          territory            text NOT NULL,
          partner_ids          uuid[] NOT NULL,
          status               text NOT NULL,
          events               jsonb NOT NULL,
          view                 jsonb NOT NULL,
          evaluated_on         date NOT NULL,
          next_reevaluation_on date
        );
        CREATE INDEX ${prefix}_parcours_due ON ${prefix}_parcours (next_reevaluation_on);
        CREATE TABLE ${prefix} (
          parcours_id   uuid NOT NULL,
          finding_key   text NOT NULL,
          rule_id       text NOT NULL,
          severity      text NOT NULL,
          status        text NOT NULL,
          due_on        date,
          observed_on   date NOT NULL,
          ended_on      date,
          duration_days integer NOT NULL,
          evaluated_on  date NOT NULL,
          territory     text NOT NULL,
          partner_ids   uuid[] NOT NULL,
          finding       jsonb NOT NULL,
          PRIMARY KEY (parcours_id, finding_key)
        );
        CREATE INDEX ${prefix}_open ON ${prefix} (territory, rule_id) WHERE status = 'open';
        CREATE INDEX ${prefix}_partners ON ${prefix} USING gin (partner_ids);`);
    },
    tables: (prefix) => [prefix, `${prefix}_parcours`],
    views: (prefix) => ({ continuity_alerts: prefix, continuity_parcours: `${prefix}_parcours` }),
    async apply(tx, prefix, events, failed) {
      const ids = [...new Set(events.map((event) => parcoursIdOf(event)).filter((id): id is string => id !== null))];
      const rows = new Map(
        (await tx.query<ContinuityRow>(`SELECT parcours_id, territory, events, view FROM ${prefix}_parcours WHERE parcours_id = ANY($1::uuid[])`, [ids])).map(
          (row) => [row.parcours_id, row],
        ),
      );
      const touched = new Set<string>();
      for (const event of events) {
        const parcoursId = parcoursIdOf(event);
        if (!parcoursId) continue;
        try {
          const row = rows.get(parcoursId);
          if (row && row.events.some((known) => known.streamVersion >= event.streamVersion)) continue;
          const view = caseloadProjection.reduce(row?.view ?? null, event);
          if (!view) continue;
          rows.set(parcoursId, { parcours_id: parcoursId, territory: view.territory, events: [...(row?.events ?? []), compact(event)], view, fresh: (row?.fresh ?? 0) + 1 });
          touched.add(parcoursId);
        } catch (error) {
          failed(event, error);
        }
      }
      await saveEvaluations(tx, prefix, [...touched].map((parcoursId) => rows.get(parcoursId)!), policy, clock.today());
    },
  };
}

/**
 * Re-evaluates parcours as of `today` and replaces their findings: three statements for the whole
 * batch, whatever its size (one per parcours could not keep up with a steady write load).
 */
export async function saveEvaluations(tx: SqlExecutor, prefix: string, rows: readonly ContinuityRow[], policy: ContinuityPolicy, today: string): Promise<void> {
  if (rows.length === 0) return;
  const parcours: object[] = [];
  const findings: object[] = [];
  for (const row of rows) {
    const found = evaluateContinuity(row.events, today, policy, row.territory);
    // The archive ends the follow-up as an exit does: its findings are closed on the archive date and
    // no clock runs any more, so the scheduler never comes back to it (nothing can be recorded on it).
    const archived = archivedBy(row.events, today);
    const next = row.view.status === 'exited' || archived ? null : nextReevaluationOn(row.events, today, policy, row.territory);
    parcours.push({
      parcours_id: row.parcours_id,
      territory: row.territory,
      partner_ids: row.view.partnerIds,
      status: archived ? 'archived' : row.view.status,
      // Only the events not stored yet travel: the stored list is appended to, not rewritten.
      events: row.fresh ? row.events.slice(-row.fresh) : [],
      view: row.view,
      next_reevaluation_on: next,
    });
    for (const finding of found) findings.push({ parcours_id: row.parcours_id, territory: row.territory, partner_ids: row.view.partnerIds, key: findingKey(finding), finding });
  }
  await tx.query(
    `INSERT INTO ${prefix}_parcours (parcours_id, territory, partner_ids, status, events, view, evaluated_on, next_reevaluation_on)
     SELECT (p ->> 'parcours_id')::uuid, p ->> 'territory', ARRAY(SELECT jsonb_array_elements_text(p -> 'partner_ids'))::uuid[], p ->> 'status',
            p -> 'events', p -> 'view', $2::date, (p ->> 'next_reevaluation_on')::date
       FROM jsonb_array_elements($1::jsonb) AS p
     ON CONFLICT (parcours_id) DO UPDATE SET territory = EXCLUDED.territory, partner_ids = EXCLUDED.partner_ids, status = EXCLUDED.status,
       events = ${prefix}_parcours.events || EXCLUDED.events, view = EXCLUDED.view, evaluated_on = EXCLUDED.evaluated_on,
       next_reevaluation_on = EXCLUDED.next_reevaluation_on`,
    [JSON.stringify(parcours), today],
  );
  await tx.query(`DELETE FROM ${prefix} WHERE parcours_id = ANY($1::uuid[])`, [rows.map((row) => row.parcours_id)]);
  if (findings.length) {
    await tx.query(
      `INSERT INTO ${prefix} (parcours_id, finding_key, rule_id, severity, status, due_on, observed_on, ended_on, duration_days, evaluated_on, territory, partner_ids, finding)
       SELECT (x ->> 'parcours_id')::uuid, x ->> 'key', f ->> 'ruleId', f ->> 'severity', f ->> 'status', (f ->> 'dueOn')::date, (f ->> 'observedOn')::date,
              (f ->> 'endedOn')::date, (f ->> 'durationDays')::integer, $2::date, x ->> 'territory',
              ARRAY(SELECT jsonb_array_elements_text(x -> 'partner_ids'))::uuid[], f
         FROM jsonb_array_elements($1::jsonb) AS x, LATERAL (SELECT x -> 'finding' AS f) AS found`,
      [JSON.stringify(findings), today],
    );
  }
}

/** Archived on or before `today` (the archive is final: no event undoes it). */
function archivedBy(events: readonly ContinuityEvent[], today: string): boolean {
  return events.some((event) => event.type === 'ParcoursArchived' && event.data.archivedOn <= today);
}

/**
 * What the rules read of an event, and no personal data: not the identity that the opening and a
 * rectification carry (encrypted), nor the free-text note of a contact (encrypted too). The rules
 * read none of them, and a read model is no place to keep ciphertexts that an erasure must reach.
 */
export function compact(event: ProjectedEvent): ContinuityEvent {
  let data = event.data;
  if (event.type === 'ParcoursOpened' || event.type === 'IdentityRectified') data = { ...(event.data as object), identity: null };
  else if (event.type === 'ContactRecorded') data = { ...(event.data as object), note: null };
  return { eventId: event.eventId, streamVersion: event.streamVersion, globalPosition: event.globalPosition, recordedAt: event.recordedAt, type: event.type, data } as ContinuityEvent & ParcoursEvent;
}
