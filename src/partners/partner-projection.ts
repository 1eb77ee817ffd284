import type { Decision } from '../event-store/command-runner.js';
import { arrayText, type InlineWrite, tableColumns } from '../event-store/inline-writes.js';
import type { PartnerEvent } from './domain/partner-events.js';
import type { PartnerState } from './domain/partner-state.js';

// Parsed once, when the module loads: the column lists of the writes declared below.
const MEMBER_COLUMNS = tableColumns('user_id text, partner_id uuid, display_name text, roles text[], added_at recorded_at, updated_at recorded_at');
const API_KEY_COLUMNS = tableColumns('key_id text, partner_id uuid, name text, scopes text[], secret_hash text, expires_at timestamptz, created_at recorded_at, created_by text');

/**
 * Inline projection of partner streams into `partners`, `partner_members` and `api_keys`, written
 * by the statement that appends the events: authentication reads these tables, so a new member or
 * a revoked key must be visible the moment the command returns.
 *
 * The partner's row is written from the state after the change (it holds the merged values);
 * members and keys from the events. The decider answers a command with one event, so no row is
 * written twice by one statement (PostgreSQL would not let the second write see the first).
 */
export function partnerDirectoryWrites(decision: Decision<PartnerState | null, PartnerEvent>): InlineWrite[] {
  const partner = decision.after;
  if (!partner || decision.events.length === 0) return [];
  const events = decision.events.map((event) => ({ type: event.type, data: event.data }) as PartnerEvent);
  const byPartner = { column: 'partner_id', type: 'uuid', value: partner.partnerId };
  const partnerValues = [partner.name, partner.kind, partner.siret, arrayText(partner.territories), partner.active, decision.version];
  const writes: InlineWrite[] = [
    events.some((event) => event.type === 'PartnerRegistered')
      ? {
          kind: 'rows',
          table: 'partners',
          columns: REGISTERED_PARTNER_COLUMNS,
          rows: [[partner.partnerId, ...partnerValues]],
        }
      : {
          kind: 'update',
          table: 'partners',
          set: [...PARTNER_COLUMNS.map((column, index) => ({ ...column, value: partnerValues[index] })), { column: 'updated_at', type: 'recorded_at' }],
          match: [byPartner],
        },
  ];
  for (const event of events) writes.push(...writesOf(event, partner.partnerId, decision));
  return writes;
}

const PARTNER_COLUMNS = tableColumns('name text, kind text, siret text, territories text[], active boolean, version integer').map(({ name, type }) => ({ name, column: name, type }));
const REGISTERED_PARTNER_COLUMNS = [...tableColumns('partner_id uuid'), ...PARTNER_COLUMNS, ...tableColumns('registered_at recorded_at, updated_at recorded_at')];

function writesOf(event: PartnerEvent, partnerId: string, decision: Decision<PartnerState | null, PartnerEvent>): InlineWrite[] {
  switch (event.type) {
    case 'PartnerRegistered':
    case 'PartnerUpdated':
    case 'PartnerDeactivated':
    case 'PartnerReactivated':
      // The partner's row, written above from the state.
      return [];
    case 'MemberAdded':
      return [
        {
          kind: 'rows',
          table: 'partner_members',
          columns: MEMBER_COLUMNS,
          rows: [[event.data.userId, partnerId, event.data.displayName, arrayText(event.data.roles)]],
        },
      ];
    case 'MemberRolesChanged':
      return [
        {
          kind: 'update',
          table: 'partner_members',
          set: [
            { column: 'roles', type: 'text[]', value: arrayText(event.data.roles) },
            { column: 'updated_at', type: 'recorded_at' },
          ],
          match: [{ column: 'user_id', type: 'text', value: event.data.userId }],
        },
      ];
    case 'MemberRemoved':
      return [{ kind: 'delete', table: 'partner_members', match: [{ column: 'user_id', type: 'text', value: event.data.userId }] }];
    case 'ApiKeyCreated': {
      const { keyId, name, scopes, secretHash, expiresAt } = event.data;
      const creator = decision.metadata.actor.userId ?? decision.metadata.actor.apiKeyId ?? null;
      return [
        {
          kind: 'rows',
          table: 'api_keys',
          columns: API_KEY_COLUMNS,
          rows: [[keyId, partnerId, name, arrayText(scopes), secretHash, expiresAt, creator]],
        },
      ];
    }
    case 'ApiKeyRevoked':
      return [
        {
          kind: 'update',
          table: 'api_keys',
          set: [{ column: 'revoked_at', type: 'recorded_at' }],
          match: [{ column: 'key_id', type: 'text', value: event.data.keyId }],
        },
      ];
    default: {
      const unexpected: never = event;
      throw new Error(`unknown partner event ${JSON.stringify(unexpected)}`);
    }
  }
}
