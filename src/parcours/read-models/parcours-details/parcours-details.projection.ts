import { parisDate } from '../../../clock.js';
import type { SqlExecutor } from '../../../database/sql-client.js';
import type { Change } from '../../../event-store/command-runner.js';
import type { ParcoursEvent } from '../../domain/events.js';
import type { ParcoursState } from '../../domain/state.js';

/**
 * Inline projection (DESIGN §7 `parcours_details`): one row per parcours, rewritten from the state
 * the command just produced, in the transaction of its events — a caseworker reads what they wrote.
 */
export async function projectParcoursDetails(tx: SqlExecutor, change: Change<ParcoursState | null, ParcoursEvent>): Promise<void> {
  const state = change.after;
  const last = change.events[change.events.length - 1];
  if (!state || !last) return;
  const first = change.events[0]!;
  const identity = state.identity.status === 'encrypted' ? state.identity.value.ciphertext : null;
  await tx.query(
    `INSERT INTO parcours_details (parcours_id, version, status, territory, entry_on, rsa_socle, parcours_type, organisme_referent_id,
       referent_user_id, referent_partner_id, follow_up_partner_ids, identity_ciphertext, state, last_activity_on, opened_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)
     ON CONFLICT (parcours_id) DO UPDATE SET version = EXCLUDED.version, status = EXCLUDED.status, territory = EXCLUDED.territory,
       entry_on = EXCLUDED.entry_on, rsa_socle = EXCLUDED.rsa_socle, parcours_type = EXCLUDED.parcours_type,
       organisme_referent_id = EXCLUDED.organisme_referent_id, referent_user_id = EXCLUDED.referent_user_id,
       referent_partner_id = EXCLUDED.referent_partner_id, follow_up_partner_ids = EXCLUDED.follow_up_partner_ids,
       identity_ciphertext = EXCLUDED.identity_ciphertext, state = EXCLUDED.state, last_activity_on = EXCLUDED.last_activity_on,
       updated_at = EXCLUDED.updated_at`,
    [
      state.parcoursId,
      change.version,
      state.status,
      state.territory,
      state.entryOn,
      state.rsaSocle,
      state.parcoursType,
      state.organismeReferentId,
      state.referent?.userId ?? null,
      state.referent?.partnerId ?? null,
      [...state.followUpGroup],
      identity,
      JSON.stringify(withoutIdentity(state)),
      parisDate(new Date(last.recordedAt)),
      // Only a creation sets it (the update clause leaves it alone).
      first.recordedAt,
      last.recordedAt,
    ],
  );
}

/** The state the API shows, identity excepted (it lives, encrypted, in its own column). */
export type StoredState = Omit<ParcoursState, 'identity'> & { identity: { status: 'encrypted' } | Extract<ParcoursState['identity'], { status: 'erased' }> };

function withoutIdentity(state: ParcoursState): StoredState {
  const identity = state.identity.status === 'encrypted' ? { status: 'encrypted' as const } : state.identity;
  return { ...state, identity };
}
