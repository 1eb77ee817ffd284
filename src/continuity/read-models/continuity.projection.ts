import type { Clock } from '../../kernel/clock.js';
import type { SqlExecutor } from '../../database/sql-client.js';
import { type CaseloadDoc, caseloadProjection } from '../../parcours/read-models/caseload/caseload.projection.js';
import { PARCOURS_EVENT_TYPES, type ParcoursEvent } from '../../parcours/domain/events.js';
import { type CustomProjection, type ProjectedEvent, parcoursIdOf } from '../../projections/projection.js';
import { nextReevaluationOn } from '../deadlines.js';
import { findingKey } from '../findings.js';
import type { ContinuityPolicy } from '../policy.js';
import { evaluateContinuity } from '../rules.js';
import type { ContinuityEvent } from '../parcours-history.js';

/**
 * `continuity_alerts` — where is a parcours breaking, and for whom? For each parcours the projection
 * keeps the events the rules read (without the identity nor the notes of contacts) and the
 * organisations that see it; it evaluates R1–R11 as of today whenever an event comes, stores the
 * findings, and the date at which time alone would change them. The scheduler
 * (continuity.scheduler.ts) re-evaluates the parcours whose date has come, so the alerts are
 * current without any new event. An archived parcours keeps its findings, all closed on the
 * archive date at the latest, and no date: the scheduler never re-evaluates it.
 *
 * The events live in their own append-only table, a row each: a list in the parcours' row would be
 * rewritten whole (and its WAL with it) at every new event, a cost growing with the parcours' age
 * that kept the projection from following 500 commands/s.
 */
export interface ContinuityRow {
  parcours_id: string;
  territory: string;
  /** The stream version of the last event applied. */
  version: number;
  events: readonly ContinuityEvent[];
  view: CaseloadDoc;
  /** How many of `events`, at the end, are not stored yet (the projection inserts them; the scheduler adds none). */
  fresh?: number;
}

/**
 * Events kept in memory between batches, all parcours together: about 1.6 kB each as objects, so
 * up to ~160 MB. Worth it: without it, p99 of bench:api's commands went from ~41 ms to ~55 ms.
 */
const CACHED_EVENTS = 100_000;

export function continuityProjection(policy: ContinuityPolicy, clock: Clock): CustomProjection {
  // The runner is the only writer of a generation, so what it wrote last is what the tables hold,
  // unless its transaction rolled back or another instance took the lease since: each entry is
  // used only while its version is the one stored in the parcours' row.
  const cache = new Map<string, { prefix: string; version: number; events: readonly ContinuityEvent[] }>();
  let cachedEvents = 0;
  return {
    kind: 'custom',
    name: 'continuity_alerts',
    // 3: R4 watches every period without a référent, R11 is new, findings name their regime (issue 14): rebuilt once.
    schemaVersion: 3,
    categories: ['parcours'],
    eventTypes: PARCOURS_EVENT_TYPES,
    async create(tx, prefix) {
      await tx.exec(`
        CREATE TABLE ${prefix}_parcours (
          parcours_id          uuid PRIMARY KEY,
          territory            text NOT NULL,
          partner_ids          uuid[] NOT NULL,
          status               text NOT NULL,
          version              integer NOT NULL,
          view                 jsonb NOT NULL,
          evaluated_on         date NOT NULL,
          next_reevaluation_on date
        );
        CREATE INDEX ${prefix}_parcours_due ON ${prefix}_parcours (next_reevaluation_on);
        CREATE TABLE ${prefix}_events (
          parcours_id    uuid NOT NULL,
          stream_version integer NOT NULL,
          event          jsonb NOT NULL,
          PRIMARY KEY (parcours_id, stream_version)
        );
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
    tables: (prefix) => [prefix, `${prefix}_parcours`, `${prefix}_events`],
    views: (prefix) => ({ continuity_alerts: prefix, continuity_parcours: `${prefix}_parcours`, continuity_events: `${prefix}_events` }),
    async apply(tx, prefix, events, failed) {
      const ids = [...new Set(events.map((event) => parcoursIdOf(event)).filter((id): id is string => id !== null))];
      const stored = await tx.query<Omit<ContinuityRow, 'events'>>(`SELECT parcours_id, territory, version, view FROM ${prefix}_parcours WHERE parcours_id = ANY($1::uuid[])`, [ids]);
      const known = new Map<string, readonly ContinuityEvent[]>();
      const missing: string[] = [];
      for (const row of stored) {
        const cached = cache.get(row.parcours_id);
        if (cached && cached.prefix === prefix && cached.version === row.version) known.set(row.parcours_id, cached.events);
        else missing.push(row.parcours_id);
      }
      for (const [parcoursId, list] of await storedEvents(tx, prefix, missing)) known.set(parcoursId, list);
      const rows = new Map<string, ContinuityRow>(stored.map((row) => [row.parcours_id, { ...row, events: known.get(row.parcours_id) ?? [] }]));
      const touched = new Set<string>();
      for (const event of events) {
        const parcoursId = parcoursIdOf(event);
        if (!parcoursId) continue;
        try {
          const row = rows.get(parcoursId);
          if (row && row.version >= event.streamVersion) continue;
          const view = caseloadProjection.reduce(row?.view ?? null, event);
          if (!view) continue;
          rows.set(parcoursId, {
            parcours_id: parcoursId,
            territory: view.territory,
            version: event.streamVersion,
            events: [...(row?.events ?? []), compact(event)],
            view,
            fresh: (row?.fresh ?? 0) + 1,
          });
          touched.add(parcoursId);
        } catch (error) {
          failed(event, error);
        }
      }
      const changed = [...touched].map((parcoursId) => rows.get(parcoursId)!);
      await saveEvaluations(tx, prefix, changed, policy, clock.today());
      for (const row of changed) {
        cachedEvents -= cache.get(row.parcours_id)?.events.length ?? 0;
        cache.delete(row.parcours_id);
        cache.set(row.parcours_id, { prefix, version: row.version, events: row.events });
        cachedEvents += row.events.length;
      }
      // The least recently written go first.
      for (const [parcoursId, entry] of cache) {
        if (cachedEvents <= CACHED_EVENTS) break;
        cache.delete(parcoursId);
        cachedEvents -= entry.events.length;
      }
    },
  };
}

/** The events stored for these parcours, each list in stream order. */
export async function storedEvents(tx: SqlExecutor, prefix: string, parcoursIds: readonly string[]): Promise<Map<string, ContinuityEvent[]>> {
  const lists = new Map<string, ContinuityEvent[]>(parcoursIds.map((id) => [id, []]));
  if (parcoursIds.length === 0) return lists;
  const rows = await tx.query<{ parcours_id: string; event: ContinuityEvent }>(
    `SELECT parcours_id, event FROM ${prefix}_events WHERE parcours_id = ANY($1::uuid[]) ORDER BY parcours_id, stream_version`,
    [parcoursIds],
  );
  for (const row of rows) lists.get(row.parcours_id)!.push(row.event);
  return lists;
}

/**
 * Re-evaluates parcours as of `today` and replaces their findings: four statements for the whole
 * batch, whatever its size (one per parcours could not keep up with a steady write load).
 */
export async function saveEvaluations(tx: SqlExecutor, prefix: string, rows: readonly ContinuityRow[], policy: ContinuityPolicy, today: string): Promise<void> {
  if (rows.length === 0) return;
  const parcours: object[] = [];
  const fresh: object[] = [];
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
      version: row.version,
      view: row.view,
      next_reevaluation_on: next,
    });
    if (row.fresh) for (const event of row.events.slice(-row.fresh)) fresh.push({ parcours_id: row.parcours_id, event });
    for (const finding of found) findings.push({ parcours_id: row.parcours_id, territory: row.territory, partner_ids: row.view.partnerIds, key: findingKey(finding), finding });
  }
  await tx.query(
    `INSERT INTO ${prefix}_parcours (parcours_id, territory, partner_ids, status, version, view, evaluated_on, next_reevaluation_on)
     SELECT (p ->> 'parcours_id')::uuid, p ->> 'territory', ARRAY(SELECT jsonb_array_elements_text(p -> 'partner_ids'))::uuid[], p ->> 'status',
            (p ->> 'version')::integer, p -> 'view', $2::date, (p ->> 'next_reevaluation_on')::date
       FROM jsonb_array_elements($1::jsonb) AS p
     ON CONFLICT (parcours_id) DO UPDATE SET territory = EXCLUDED.territory, partner_ids = EXCLUDED.partner_ids, status = EXCLUDED.status,
       version = EXCLUDED.version, view = EXCLUDED.view, evaluated_on = EXCLUDED.evaluated_on, next_reevaluation_on = EXCLUDED.next_reevaluation_on`,
    [JSON.stringify(parcours), today],
  );
  if (fresh.length) {
    await tx.query(
      `INSERT INTO ${prefix}_events (parcours_id, stream_version, event)
       SELECT (x ->> 'parcours_id')::uuid, (x -> 'event' ->> 'streamVersion')::integer, x -> 'event' FROM jsonb_array_elements($1::jsonb) AS x`,
      [JSON.stringify(fresh)],
    );
  }
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
