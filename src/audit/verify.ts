import type { SqlExecutor } from '../database/sql-client.js';
import { type ChainBreak, verifyStreams } from '../event-store/sql/hash-chain.js';

export interface VerifyScope {
  /** One stream. */
  streamId?: string;
  /** Every stream of a category (`parcours`, `partner`). Neither: the whole store. */
  category?: string;
}

export interface VerifyReport {
  streams: number;
  events: number;
  /** How many tamperings the breaks show: one per break (a break is a tampering, not a symptom: hash-chain.ts). */
  tamperings: number;
  breaks: ChainBreak[];
}

const STREAMS_PER_BATCH = 200;

/**
 * Recomputes every hash chain in scope, a batch of streams at a time, and reports each changed,
 * removed or reordered event with its stream and version (hash-chain.ts). `onProgress` lets the
 * CLI draw its bar over the whole store.
 */
export async function verifyStore(
  db: SqlExecutor,
  scope: VerifyScope = {},
  onProgress?: (progress: { streams: number; totalStreams: number; breaks: number }) => void,
): Promise<VerifyReport> {
  const streams = scope.streamId
    ? [scope.streamId]
    : (
        await db.query<{ stream_id: string }>('SELECT DISTINCT stream_id FROM events WHERE ($1::text IS NULL OR category = $1) ORDER BY stream_id', [
          scope.category ?? null,
        ])
      ).map((row) => row.stream_id);
  const [{ events } = { events: 0 }] = await db.query<{ events: number }>(
    `SELECT count(*)::int AS events FROM events WHERE ($1::text IS NULL OR stream_id = $1) AND ($2::text IS NULL OR category = $2)`,
    [scope.streamId ?? null, scope.category ?? null],
  );
  const breaks: ChainBreak[] = [];
  for (let start = 0; start < streams.length; start += STREAMS_PER_BATCH) {
    breaks.push(...(await verifyStreams(db, streams.slice(start, start + STREAMS_PER_BATCH))));
    onProgress?.({ streams: Math.min(start + STREAMS_PER_BATCH, streams.length), totalStreams: streams.length, breaks: breaks.length });
  }
  breaks.push(...(await truncations(db, scope)));
  return { streams: streams.length, events, tamperings: breaks.length, breaks };
}

/**
 * A chain shows what was removed before an event that remains, not what was cut at its end nor a
 * stream deleted whole. The anchor: `parcours_details.version`, written in the very statement that
 * appends a parcours' events (CommandRunner followups), so it records how far each stream went.
 * Someone able to delete events can also lower it; the check still catches a careless deletion,
 * and a restore from a backup older than the read model.
 */
async function truncations(db: SqlExecutor, scope: VerifyScope): Promise<ChainBreak[]> {
  if (scope.category && scope.category !== 'parcours') return [];
  if (scope.streamId && !scope.streamId.startsWith('parcours-')) return [];
  const rows = await db.query<{ stream_id: string; anchored: number; stored: number }>(
    `SELECT a.stream_id, a.version AS anchored, coalesce(max(e.stream_version), 0)::int AS stored
       FROM (SELECT 'parcours-' || parcours_id AS stream_id, version FROM parcours_details) a
       LEFT JOIN events e ON e.stream_id = a.stream_id
      WHERE ($1::text IS NULL OR a.stream_id = $1)
      GROUP BY a.stream_id, a.version
     HAVING coalesce(max(e.stream_version), 0) < a.version
      ORDER BY a.stream_id`,
    [scope.streamId ?? null],
  );
  return rows.map((row) => ({
    streamId: row.stream_id,
    streamVersion: row.stored + 1,
    kind: 'truncated' as const,
    firstVersion: row.stored + 1,
    lastVersion: row.anchored,
    eventId: '',
    globalPosition: 0,
    detail:
      row.stored === 0
        ? `the whole stream is missing: parcours_details recorded version ${row.anchored}`
        : `versions ${row.stored + 1}..${row.anchored} are missing at the end: parcours_details recorded version ${row.anchored}`,
  }));
}
