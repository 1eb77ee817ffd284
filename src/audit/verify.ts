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
  return { streams: streams.length, events, breaks };
}
