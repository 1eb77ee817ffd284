import type { SqlClient } from '../database/sql-client.js';
import type { EventFacts, EventStore, RecordedEvent } from '../event-store/event-store.js';
import type { Finding } from '../continuity/findings.js';
import type { ContinuityPolicy } from '../continuity/policy.js';
import { evaluateContinuity } from '../continuity/rules.js';
import { continuityEventsOf } from '../continuity/parcours-history.js';
import { type ContinuityMode, eventsFor } from '../continuity/as-known.js';
import { regimeOn } from '../continuity/regime-of-parcours.js';
import type { ParcoursFindings } from './continuity-report.js';
import { parcoursStreamId } from '../parcours/parcours-write.js';
import { type Replay, type ReplayMode, replayAsOf } from './replay.js';
import { type Timeline, buildTimeline } from './timeline/timeline.js';
import { type VerifyReport, type VerifyScope, verifyStore } from './verify.js';
import { partnerNamesById } from '../partners/partner-directory.query.js';

export class ParcoursUnknownError extends Error {
  constructor(readonly parcoursId: string) {
    super(`no parcours ${parcoursId}`);
    this.name = 'ParcoursUnknownError';
  }
}

/**
 * The audit tools (DESIGN §1, §4, §6), shared by the read-only API and the CLI: replay as of a
 * date, the timeline, hash-chain verification, the continuity of a territory. They read the event
 * store itself, not the read models, since they are what the read models are checked against.
 */
export class Audit {
  constructor(
    private readonly db: SqlClient,
    private readonly store: EventStore,
    private readonly policy: ContinuityPolicy,
  ) {}

  /** The whole events of a parcours, metadata and hashes included (the timeline shows them). */
  async events(parcoursId: string): Promise<RecordedEvent[]> {
    const events = await this.store.readStream(parcoursStreamId(parcoursId));
    if (events.length === 0) throw new ParcoursUnknownError(parcoursId);
    return events;
  }

  /** The facts of a parcours' events: what a replay and the continuity rules read. */
  async facts(parcoursId: string): Promise<EventFacts[]> {
    const streamId = parcoursStreamId(parcoursId);
    const events = (await this.store.readStreamFacts([streamId])).get(streamId) ?? [];
    if (events.length === 0) throw new ParcoursUnknownError(parcoursId);
    return events;
  }

  async replay(parcoursId: string, asOf: string, mode: ReplayMode): Promise<Replay> {
    return replayAsOf(await this.facts(parcoursId), asOf, mode);
  }

  async findings(parcoursId: string, asOf: string, mode: ContinuityMode = 'facts'): Promise<{ events: EventFacts[]; findings: Finding[] }> {
    const events = await this.facts(parcoursId);
    return { events, findings: this.evaluate(events, asOf, mode) };
  }

  /** `mode` 'known': only the events recorded by the end of `asOf` (as-known.ts). */
  private evaluate(events: readonly EventFacts[], asOf: string, mode: ContinuityMode = 'facts'): Finding[] {
    const territory = (events[0]?.data as { territory?: string } | undefined)?.territory;
    return evaluateContinuity(continuityEventsOf(eventsFor(events, asOf, mode)), asOf, this.policy, territory);
  }

  async timeline(parcoursId: string, asOf: string): Promise<Timeline> {
    return this.timelineOf(await this.events(parcoursId), asOf);
  }

  /** The timeline of events already read (`events`), for callers that need them too. */
  async timelineOf(events: readonly RecordedEvent[], asOf: string): Promise<Timeline> {
    return buildTimeline(events, this.evaluate(events, asOf), { partnerNames: await partnerNamesById(this.db), asOf });
  }

  verify(scope: VerifyScope, onProgress?: Parameters<typeof verifyStore>[2]): Promise<VerifyReport> {
    return verifyStore(this.db, scope, onProgress);
  }

  /**
   * The ruptures of every parcours of a territory as of a date, from the store (not from the
   * continuity read model it checks), read a chunk of streams per round trip.
   */
  async territoryContinuity(territory: string, asOf: string, mode: ContinuityMode = 'facts', chunkSize = 500): Promise<ParcoursFindings[]> {
    const ids = await this.db.query<{ parcours_id: string }>('SELECT parcours_id FROM parcours_details WHERE territory = $1 ORDER BY parcours_id', [territory]);
    const chunks: string[][] = [];
    for (let start = 0; start < ids.length; start += chunkSize) chunks.push(ids.slice(start, start + chunkSize).map((row) => row.parcours_id));
    const read = (chunk: string[] | undefined) => (chunk ? this.store.readStreamFacts(chunk.map(parcoursStreamId)) : undefined);
    const result: ParcoursFindings[] = [];
    // The next chunk is read while this one is evaluated: the database and this process work at once.
    let next = read(chunks[0]);
    try {
      for (let index = 0; index < chunks.length; index += 1) {
        const streams = await next!;
        next = read(chunks[index + 1]);
        for (const parcoursId of chunks[index]!) {
          const events = streams.get(parcoursStreamId(parcoursId)) ?? [];
          const known = eventsFor(events, asOf, mode);
          // As known, a parcours whose opening was not recorded yet did not exist: left out of the report.
          if (known.length === 0) continue;
          result.push({ parcoursId, regime: regimeOn(continuityEventsOf(known), asOf), findings: this.evaluate(events, asOf, mode) });
        }
      }
    } catch (error) {
      next?.catch(() => undefined); // the read ahead is abandoned with the audit
      throw error;
    }
    return result;
  }

  get policyVersion(): string {
    return this.policy.version;
  }
}
