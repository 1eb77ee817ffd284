import { createHash } from 'node:crypto';
import type { SqlExecutor } from '../../database/sql-client.js';

/**
 * Tamper evidence (DESIGN §4). Each event row stores
 *   hash   = sha256(previous hash of the stream ‖ int32 version ‖ int64 recordedAt epoch ms ‖ digest)
 *   digest = sha256(JSON [streamId, eventId, type, schemaVersion] ‖ "\n" ‖ data text ‖ "\n" ‖ metadata text)
 * The data and metadata columns are `json`, which keeps the very text the writer sent, so those
 * bytes are the canonical form: no re-serialisation can drift between writing and verifying. The
 * writer computes the digest; the database links it to the previous hash inside the append, where
 * the head is known. `verifyStreams` recomputes both from the stored rows.
 */
export interface EventHeader {
  eventId: string;
  type: string;
  schemaVersion: number;
}

export function eventDigest(streamId: string, header: EventHeader, dataText: string, metadataText: string): Buffer {
  return createHash('sha256')
    .update(JSON.stringify([streamId, header.eventId, header.type, header.schemaVersion]))
    .update('\n')
    .update(dataText)
    .update('\n')
    .update(metadataText)
    .digest();
}

export function linkHash(previous: Buffer, streamVersion: number, recordedAtMs: number, digest: Buffer): Buffer {
  const position = Buffer.alloc(12);
  position.writeInt32BE(streamVersion, 0);
  position.writeBigInt64BE(BigInt(recordedAtMs), 4);
  return createHash('sha256').update(previous).update(position).update(digest).digest();
}

export type ChainBreakKind =
  /** The row's content no longer matches its link: data, metadata, type, id or time was altered. */
  | 'changed'
  /** Versions are missing before this row: rows were deleted. */
  | 'missing'
  /** The row is intact but sits at another version than the one it was written at. */
  | 'reordered'
  /**
   * The last versions of the stream, or the whole stream, are gone: the chain cannot tell (nothing
   * follows them), but a record written in the same statement as the events says how far it went.
   */
  | 'truncated';

/**
 * One tampering, not one symptom: a deleted run of events is one `missing` break whatever its
 * length, two events swapped are one `reordered` break (not two), a cut tail is one `truncated`.
 * `firstVersion`..`lastVersion` are the versions concerned (both included): the missing range,
 * the versions whose events were moved among themselves, the changed event's own version.
 * `streamVersion`, `eventId` and `globalPosition` locate the stored row where it shows (for a
 * deletion, the first row after the gap; none for a truncation: `''` and 0).
 */
export interface ChainBreak {
  streamId: string;
  kind: ChainBreakKind;
  firstVersion: number;
  lastVersion: number;
  streamVersion: number;
  eventId: string;
  globalPosition: number;
  detail: string;
}

interface ChainRow {
  stream_id: string;
  stream_version: number;
  event_id: string;
  global_position: number;
  type: string;
  schema_version: number;
  data_text: string;
  metadata_text: string;
  recorded_ms: number;
  hash: string;
}

const GENESIS = Buffer.alloc(0);

/**
 * Recomputes the chains of the given streams and reports every link that does not hold. Each link
 * is checked against the stored hash of the row before it, so one altered row is one break, not a
 * cascade. Deleting the tail of a stream leaves a valid shorter chain: only a head published
 * elsewhere (an anchor) can reveal it.
 */
export async function verifyStreams(db: SqlExecutor, streamIds: readonly string[]): Promise<ChainBreak[]> {
  if (streamIds.length === 0) return [];
  const rows = await db.query<ChainRow>(
    `SELECT stream_id, stream_version, event_id, global_position, type, schema_version,
            data::text AS data_text, metadata::text AS metadata_text,
            (extract(epoch FROM recorded_at) * 1000)::bigint AS recorded_ms, encode(hash, 'hex') AS hash
       FROM events WHERE stream_id = ANY($1::text[]) ORDER BY stream_id, stream_version`,
    [[...streamIds]],
  );
  const breaks: ChainBreak[] = [];
  let start = 0;
  while (start < rows.length) {
    let end = start;
    while (end < rows.length && rows[end]!.stream_id === rows[start]!.stream_id) end += 1;
    breaks.push(...verifyChain(rows.slice(start, end)));
    start = end;
  }
  return breaks;
}

/** Verifies the rows of one stream, in version order. */
export function verifyChain(rows: readonly ChainRow[]): ChainBreak[] {
  const storedHashes = [GENESIS, ...rows.map((row) => Buffer.from(row.hash, 'hex'))];
  const verifiesAt = (row: ChainRow, version: number) =>
    storedHashes.some((candidate) => linkOf(row, candidate, version).equals(Buffer.from(row.hash, 'hex')));
  const breaks: ChainBreak[] = [];
  const broken: ChainRow[] = [];
  let previous = GENESIS;
  rows.forEach((row, index) => {
    const at = { streamId: row.stream_id, streamVersion: row.stream_version, eventId: row.event_id, globalPosition: row.global_position };
    const expectedVersion = index === 0 ? 1 : rows[index - 1]!.stream_version + 1;
    if (row.stream_version !== expectedVersion) {
      const last = row.stream_version - 1;
      breaks.push({
        ...at,
        kind: 'missing',
        firstVersion: expectedVersion,
        lastVersion: last,
        detail: expectedVersion === last ? `version ${last} is missing before this event` : `versions ${expectedVersion}..${last} are missing before this event`,
      });
    } else if (!linkOf(row, previous, row.stream_version).equals(Buffer.from(row.hash, 'hex')) && !verifiesAt(row, row.stream_version)) {
      // (A row that links to another stored hash at its own version is intact: its predecessor moved.)
      broken.push(row);
      breaks.push({ ...at, kind: 'changed', firstVersion: row.stream_version, lastVersion: row.stream_version, detail: 'the stored hash does not match the event content' });
    }
    previous = Buffer.from(row.hash, 'hex');
  });
  // An intact row moved to another version verifies, at its original version, after one of the
  // stored hashes: look for that among the other broken positions. The rows moved among
  // themselves (a swap, a rotation) make one tampering: one break over their versions.
  const origins = new Map<number, number>();
  for (const row of broken) {
    const origin = broken.find((other) => other !== row && verifiesAt(row, other.stream_version));
    if (origin) origins.set(row.stream_version, origin.stream_version);
  }
  if (origins.size === 0) return breaks;
  // Union-find over "written at": each connected set of versions is one move.
  const parent = new Map<number, number>();
  const root = (version: number): number => {
    let at = version;
    while (parent.get(at) !== at) at = parent.get(at)!;
    return at;
  };
  for (const [at, from] of origins) {
    for (const version of [at, from]) if (!parent.has(version)) parent.set(version, version);
    parent.set(root(at), root(from));
  }
  const groups = new Map<number, number[]>();
  for (const version of parent.keys()) groups.set(root(version), [...(groups.get(root(version)) ?? []), version]);
  const kept = breaks.filter((item) => !(item.kind === 'changed' && origins.has(item.streamVersion)));
  for (const group of groups.values()) {
    const versions = group.sort((a, b) => a - b);
    const located = breaks.find((item) => item.kind === 'changed' && item.streamVersion === versions.find((version) => origins.has(version)))!;
    const moves = versions.filter((version) => origins.has(version)).map((version) => `version ${version} was written at ${origins.get(version)}`);
    kept.push({ ...located, kind: 'reordered', firstVersion: versions[0]!, lastVersion: versions.at(-1)!, detail: `events moved among versions ${versions[0]}..${versions.at(-1)}: ${moves.join(', ')}` });
  }
  return kept.sort((a, b) => a.streamVersion - b.streamVersion);
}

function linkOf(row: ChainRow, previous: Buffer, version: number): Buffer {
  const digest = eventDigest(row.stream_id, { eventId: row.event_id, type: row.type, schemaVersion: row.schema_version }, row.data_text, row.metadata_text);
  return linkHash(previous, version, row.recorded_ms, digest);
}
