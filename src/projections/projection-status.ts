import type { SqlExecutor } from '../database/sql-client.js';
import { encodeCursor } from '../event-store/event-store.js';
import type { Projection } from './projection.js';
import { activeGeneration, readCheckpoint } from './projection-tables.js';

export interface ProjectionStatus {
  name: string;
  generation: number | null;
  schemaVersion: number | null;
  /** Where it stands in the global order (opaque cursor). */
  position: string | null;
  eventsApplied: number;
  /** Events it reads that are not applied yet. */
  lagEvents: number;
  /** Age of the oldest event not applied yet (0 when caught up). */
  lagSeconds: number;
  errors: number;
  lastError: { at: string; globalPosition: number; eventType: string; message: string } | null;
}

/** The state of a projection's live generation, for `cli projections status`, /metrics and readiness. */
export async function projectionStatus(db: SqlExecutor, projection: Projection): Promise<ProjectionStatus> {
  const live = await activeGeneration(db, projection.name);
  const checkpoint = live && (await readCheckpoint(db, projection.name, live.generation));
  if (!live || !checkpoint) {
    return { name: projection.name, generation: null, schemaVersion: null, position: null, eventsApplied: 0, lagEvents: 0, lagSeconds: 0, errors: 0, lastError: null };
  }
  const [lag] = await db.query<{ events: number; oldest: Date | null }>(
    `SELECT count(*)::int AS events, min(recorded_at) AS oldest FROM events
      WHERE (transaction_id, global_position) > ($1::text::xid8, $2::bigint)
        AND category = ANY($3::text[]) AND type = ANY($4::text[])`,
    [checkpoint.after.transactionId, checkpoint.after.position, [...projection.categories], [...projection.eventTypes]],
  );
  const errors = await db.query<{ count: number; at: Date | null; global_position: number | null; event_type: string | null; message: string | null }>(
    `SELECT (SELECT count(*)::int FROM projection_errors WHERE name = $1 AND generation = $2) AS count, e.at, e.global_position, e.event_type, e.message
       FROM (SELECT 1) one
       LEFT JOIN LATERAL (SELECT at, global_position, event_type, message FROM projection_errors
                           WHERE name = $1 AND generation = $2 ORDER BY error_id DESC LIMIT 1) e ON true`,
    [projection.name, live.generation],
  );
  const error = errors[0];
  return {
    name: projection.name,
    generation: live.generation,
    schemaVersion: live.schemaVersion,
    position: encodeCursor(checkpoint.after),
    eventsApplied: checkpoint.eventsApplied,
    lagEvents: lag?.events ?? 0,
    lagSeconds: lag?.oldest ? Math.max(0, Math.round((Date.now() - lag.oldest.getTime()) / 100) / 10) : 0,
    errors: error?.count ?? 0,
    lastError:
      error?.at && error.message && error.event_type && error.global_position !== null
        ? { at: error.at.toISOString(), globalPosition: error.global_position, eventType: error.event_type, message: error.message }
        : null,
  };
}
