import type { SqlExecutor } from '../../../database/sql-client.js';
import type { CustomProjection, ProjectedEvent } from '../../../projections/projection.js';
import { parcoursIdOf } from '../../../projections/projection.js';
import type { PartnerKind } from '../../../access/roles.js';
import { PARCOURS_EVENT_TYPES } from '../../domain/events.js';
import { FEED_COMMITTED_CHANNEL, feedCommittedPayload } from './feed-hub.js';
import { type FeedPolicy } from './feed-policy.js';
import { type FollowerState, KEPT_AFTER_ARCHIVE, NO_FOLLOWERS, deliver, readFollowerState } from './feed.js';

/**
 * `partner_feed` — what may each partner organisation know of the parcours it follows, and in
 * which order? For each event, the organisations following the parcours at that moment get one row
 * with the event minimised to what their kind may know (feed-policy.ts). Rows are keyed by the
 * event's place in the global order, so a partner's cursor stays valid across rebuilds.
 * A second table keeps each parcours' followers, the state the recipients are decided on, with the
 * person's rights in force and the archive.
 *
 * When a parcours is archived (R. 263-8 CASF) it leaves the feeds: its rows are deleted but the
 * archive notice's (and an erasure's, which may follow), in the batch that applies the archive. The
 * rows left depend on the history only, never on how it was cut into batches: a rebuild gives the
 * rows of the incremental run.
 */
export function partnerFeedProjection(policy: FeedPolicy): CustomProjection {
  return {
    kind: 'custom',
    name: 'partner_feed',
    // The policy's version is part of the shape: a new policy is applied by a rebuild.
    // 2: the follower state holds the rights in force and the archive; archived parcours are purged.
    schemaVersion: 2,
    categories: ['parcours'],
    eventTypes: PARCOURS_EVENT_TYPES,
    async create(tx, prefix) {
      await tx.exec(`
        CREATE TABLE ${prefix} (
          partner_id      uuid NOT NULL,
          transaction_id  xid8 NOT NULL,
          global_position bigint NOT NULL,
          parcours_id     uuid NOT NULL,
          event_id        uuid NOT NULL,
          type            text NOT NULL,
          data            jsonb NOT NULL,
          recorded_at     timestamptz NOT NULL,
          policy_version  text NOT NULL,
          profile         text NOT NULL,
          PRIMARY KEY (partner_id, transaction_id, global_position)
        );
        CREATE INDEX ${prefix}_parcours ON ${prefix} (parcours_id);
        CREATE TABLE ${prefix}_followers (parcours_id uuid PRIMARY KEY, state jsonb NOT NULL);`);
    },
    tables: (prefix) => [prefix, `${prefix}_followers`],
    views: (prefix) => ({ partner_feed: prefix, partner_feed_followers: `${prefix}_followers` }),
    async apply(tx, prefix, events, failed) {
      const parcoursIds = [...new Set(events.map((event) => parcoursIdOf(event)).filter((id): id is string => id !== null))];
      const states = new Map<string, FollowerState>(
        (
          await tx.query<{ parcours_id: string; state: Partial<FollowerState> }>(`SELECT parcours_id, state FROM ${prefix}_followers WHERE parcours_id = ANY($1::uuid[])`, [
            parcoursIds,
          ])
        ).map((row) => [row.parcours_id, readFollowerState(row.state)]),
      );
      const kinds = await partnerKinds(tx);
      let rows: Array<{ partnerId: string; event: ProjectedEvent; parcoursId: string; type: string; data: unknown; profile: string }> = [];
      const touched = new Set<string>();
      const archived = new Set<string>();
      const kept = (type: string) => (KEPT_AFTER_ARCHIVE as readonly string[]).includes(type);
      for (const event of events) {
        const parcoursId = parcoursIdOf(event);
        if (!parcoursId) continue;
        try {
          const outcome = deliver(states.get(parcoursId) ?? NO_FOLLOWERS, event, (partnerId) => kinds.get(partnerId) ?? null, policy);
          states.set(parcoursId, outcome.state);
          touched.add(parcoursId);
          if (outcome.purge) {
            // What this batch was about to deliver goes the way of the stored rows.
            archived.add(parcoursId);
            rows = rows.filter((row) => row.parcoursId !== parcoursId || kept(row.type));
          }
          for (const delivery of outcome.deliveries) {
            rows.push({ partnerId: delivery.partnerId, event, parcoursId, type: delivery.event.type, data: delivery.event.data, profile: delivery.profile });
          }
        } catch (error) {
          failed(event, error);
        }
      }
      if (archived.size) {
        await tx.query(`DELETE FROM ${prefix} WHERE parcours_id = ANY($1::uuid[]) AND NOT (type = ANY($2::text[]))`, [[...archived], [...KEPT_AFTER_ARCHIVE]]);
      }
      if (rows.length) {
        await tx.query(
          `INSERT INTO ${prefix} (partner_id, transaction_id, global_position, parcours_id, event_id, type, data, recorded_at, policy_version, profile)
           SELECT r.partner_id, r.transaction_id::xid8, r.global_position, r.parcours_id, r.event_id, r.type, d.data, r.recorded_at, $10, r.profile
             FROM unnest($1::uuid[], $2::text[], $3::bigint[], $4::uuid[], $5::uuid[], $6::text[], $8::timestamptz[], $9::text[])
                  WITH ORDINALITY AS r(partner_id, transaction_id, global_position, parcours_id, event_id, type, recorded_at, profile, i)
             JOIN jsonb_array_elements($7::jsonb) WITH ORDINALITY AS d(data, i) ON d.i = r.i
           ON CONFLICT DO NOTHING`,
          [
            rows.map((row) => row.partnerId),
            rows.map((row) => row.event.transactionId),
            rows.map((row) => row.event.globalPosition),
            rows.map((row) => row.parcoursId),
            rows.map((row) => row.event.eventId),
            rows.map((row) => row.type),
            JSON.stringify(rows.map((row) => row.data)),
            rows.map((row) => row.event.recordedAt),
            rows.map((row) => row.profile),
            policy.version,
          ],
        );
        // Delivered at this batch's commit, to the streams of these organisations only (feed-hub.ts).
        await tx.query('SELECT pg_notify($1, $2)', [FEED_COMMITTED_CHANNEL, feedCommittedPayload(rows.map((row) => row.partnerId))]);
      }
      if (touched.size) {
        const ids = [...touched];
        await tx.query(
          `INSERT INTO ${prefix}_followers (parcours_id, state)
           SELECT k.id, d.state FROM unnest($1::uuid[]) WITH ORDINALITY AS k(id, i)
             JOIN jsonb_array_elements($2::jsonb) WITH ORDINALITY AS d(state, i) ON d.i = k.i
           ON CONFLICT (parcours_id) DO UPDATE SET state = EXCLUDED.state`,
          [ids, JSON.stringify(ids.map((id) => states.get(id)))],
        );
      }
    },
  };
}

/** Partner kinds decide what each may know; the directory is small enough to read per batch. */
async function partnerKinds(tx: SqlExecutor): Promise<Map<string, PartnerKind>> {
  const rows = await tx.query<{ partner_id: string; kind: PartnerKind }>('SELECT partner_id, kind FROM partners');
  return new Map(rows.map((row) => [row.partner_id, row.kind]));
}
