import type { Followup } from '../../../event-store/sql/sql-event-store.js';
import type { ParcoursState } from '../../domain/state.js';

const COLUMNS = `parcours_id, version, status, territory, entry_on, rsa_socle, parcours_type, organisme_referent_id,
  referent_user_id, referent_partner_id, follow_up_partner_ids, identity_ciphertext, state, last_activity_on, archived_on, opened_at, updated_at`;

/**
 * Inline projection (DESIGN §7 `parcours_details`): one row per parcours, rewritten from the state
 * a command just produced, in the very statement that appends its events — a caseworker reads what
 * they wrote, and the row can never disagree with the stream.
 */
/**
 * `lastActivityOn` is the day a caseworker recorded something, the retention clock (R. 263-8
 * CASF); null for what is not accompaniment (the person's rights, archive, erasure), which keeps
 * the day already stored.
 */
export function parcoursDetailsFollowup(state: ParcoursState, version: number, lastActivityOn: string | null): Followup {
  return (guard, first) => {
    const p = (offset: number) => `$${first + offset}`;
    return {
      sql: `INSERT INTO parcours_details (${COLUMNS})
            SELECT ${p(0)}::uuid, ${p(1)}::integer, ${p(2)}, ${p(3)}, ${p(4)}::date, ${p(5)}::boolean, ${p(6)}, ${p(7)}::uuid, ${p(8)},
                   ${p(9)}::uuid, ${p(10)}::uuid[], ${p(11)}, ${p(12)}::json, ${p(13)}::date, ${p(14)}::date, g.recorded_at, g.recorded_at
              FROM ${guard} g LIMIT 1
            ON CONFLICT (parcours_id) DO UPDATE SET version = EXCLUDED.version, status = EXCLUDED.status,
              territory = EXCLUDED.territory, entry_on = EXCLUDED.entry_on, rsa_socle = EXCLUDED.rsa_socle,
              parcours_type = EXCLUDED.parcours_type, organisme_referent_id = EXCLUDED.organisme_referent_id,
              referent_user_id = EXCLUDED.referent_user_id, referent_partner_id = EXCLUDED.referent_partner_id,
              follow_up_partner_ids = EXCLUDED.follow_up_partner_ids, identity_ciphertext = EXCLUDED.identity_ciphertext,
              state = EXCLUDED.state, last_activity_on = COALESCE(EXCLUDED.last_activity_on, parcours_details.last_activity_on),
              archived_on = EXCLUDED.archived_on, updated_at = EXCLUDED.updated_at`,
      params: [
        state.parcoursId,
        version,
        state.status,
        state.territory,
        state.entryOn,
        state.rsaSocle,
        state.parcoursType,
        state.organismeReferentId,
        state.referent?.userId ?? null,
        state.referent?.partnerId ?? null,
        [...state.followUpGroup],
        state.identity.status === 'encrypted' ? state.identity.value.ciphertext : null,
        JSON.stringify(withoutIdentity(state)),
        lastActivityOn,
        state.archived?.archivedOn ?? null,
      ],
    };
  };
}

/** The state the API shows, identity excepted (it lives, encrypted, in its own column). */
export type StoredState = Omit<ParcoursState, 'identity'> & { identity: { status: 'encrypted' } | Extract<ParcoursState['identity'], { status: 'erased' }> };

function withoutIdentity(state: ParcoursState): StoredState {
  const identity = state.identity.status === 'encrypted' ? { status: 'encrypted' as const } : state.identity;
  return { ...state, identity };
}
