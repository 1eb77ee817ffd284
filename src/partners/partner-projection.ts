import type { SqlExecutor } from '../database/sql-client.js';
import type { Change } from '../event-store/command-runner.js';
import type { PartnerEvent } from './domain/partner-events.js';
import type { PartnerState } from './domain/partner-state.js';

/**
 * Inline projection of partner streams into `partners`, `partner_members` and `api_keys`, in the
 * transaction of the events: authentication reads these tables, so a new member or a revoked key
 * must be visible the moment the command returns.
 */
export async function projectPartner(tx: SqlExecutor, change: Change<PartnerState | null, PartnerEvent>): Promise<void> {
  const partner = change.after;
  if (!partner || change.events.length === 0) return;
  for (const recorded of change.events) {
    const event = { type: recorded.type, data: recorded.data } as PartnerEvent;
    const at = recorded.recordedAt;
    switch (event.type) {
      case 'PartnerRegistered': {
        const { partnerId, name, kind, siret, territories } = event.data;
        await tx.query(
          `INSERT INTO partners (partner_id, name, kind, siret, territories, active, version, registered_at, updated_at)
           VALUES ($1, $2, $3, $4, $5, true, $6, $7, $7)`,
          [partnerId, name, kind, siret, territories, recorded.streamVersion, at],
        );
        break;
      }
      case 'PartnerUpdated':
      case 'PartnerDeactivated':
      case 'PartnerReactivated':
        // The state after the change already holds the merged values.
        await tx.query('UPDATE partners SET name = $2, siret = $3, territories = $4, active = $5, kind = $6 WHERE partner_id = $1', [
          partner.partnerId,
          partner.name,
          partner.siret,
          partner.territories,
          partner.active,
          partner.kind,
        ]);
        break;
      case 'MemberAdded':
        await tx.query(
          `INSERT INTO partner_members (user_id, partner_id, display_name, roles, added_at, updated_at) VALUES ($1, $2, $3, $4, $5, $5)`,
          [event.data.userId, partner.partnerId, event.data.displayName, event.data.roles, at],
        );
        break;
      case 'MemberRolesChanged':
        await tx.query('UPDATE partner_members SET roles = $2, updated_at = $3 WHERE user_id = $1', [event.data.userId, event.data.roles, at]);
        break;
      case 'MemberRemoved':
        await tx.query('DELETE FROM partner_members WHERE user_id = $1', [event.data.userId]);
        break;
      case 'ApiKeyCreated': {
        const { keyId, name, scopes, secretHash, expiresAt } = event.data;
        const creator = recorded.metadata.actor.userId ?? recorded.metadata.actor.apiKeyId ?? null;
        await tx.query(
          `INSERT INTO api_keys (key_id, partner_id, name, scopes, secret_hash, expires_at, created_at, created_by)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
          [keyId, partner.partnerId, name, scopes, secretHash, expiresAt, at, creator],
        );
        break;
      }
      case 'ApiKeyRevoked':
        await tx.query('UPDATE api_keys SET revoked_at = $2 WHERE key_id = $1', [event.data.keyId, at]);
        break;
      default: {
        const unexpected: never = event;
        throw new Error(`unknown partner event ${JSON.stringify(unexpected)}`);
      }
    }
  }
  await tx.query('UPDATE partners SET version = $2, updated_at = $3 WHERE partner_id = $1', [
    partner.partnerId,
    change.version,
    change.events[change.events.length - 1]!.recordedAt,
  ]);
}
