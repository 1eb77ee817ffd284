import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { SqlClient, type SqlExecutor } from '../database/sql-client.js';
import { type AllCursor, encodeCursor } from '../event-store/event-store.js';
import { MasterKey } from '../privacy/crypto/master-key.js';
import { generateSecret } from './webhook-signature.js';
import { FEED_HEAD } from '../parcours/read-models/partner-feed/feed-positions.js';

/** How an endpoint stands, as its organisation's administrator sees it. */
export type DeliveryState = 'active' | 'retrying' | 'dead' | 'stopped';

export interface DeliveryStatus {
  state: DeliveryState;
  /** The feed cursor of the last item the endpoint acknowledged (2xx). */
  cursor: string;
  delivered: number;
  /** Consecutive failed attempts of the next item. */
  attempts: number;
  nextAttemptAt: string | null;
  lastAttemptAt: string | null;
  lastSuccessAt: string | null;
  lastStatus: number | null;
  /** An error code (`timeout`, `http_status`, `connection_refused`…), never what the receiver answered. */
  lastError: string | null;
  failingSince: string | null;
  deadSince: string | null;
}

export interface EndpointView {
  id: string;
  url: string;
  description: string;
  createdAt: string;
  secretRotatedAt: string | null;
  /** Until when the secret a rotation replaced still signs beside the new one. */
  previousSecretValidUntil: string | null;
  delivery: DeliveryStatus;
}

export interface EndpointRow {
  endpoint_id: string;
  partner_id: string;
  url: string;
  description: string;
  secret_wrapped: Uint8Array;
  previous_secret_wrapped: Uint8Array | null;
  previous_secret_until: Date | null;
  created_at: Date;
  secret_rotated_at: Date | null;
  cursor_transaction_id: string;
  cursor_position: number | string;
  delivered: number | string;
  attempts: number;
  next_attempt_at: Date;
  wakes: number | string;
  failing_since: Date | null;
  dead_since: Date | null;
  last_attempt_at: Date | null;
  last_success_at: Date | null;
  last_status: number | null;
  last_error: string | null;
  partner_active: boolean;
}

export const ENDPOINT_COLUMNS = `e.endpoint_id, e.partner_id, e.url, e.description, e.secret_wrapped, e.previous_secret_wrapped, e.previous_secret_until,
  e.created_at, e.secret_rotated_at, e.cursor_transaction_id::text AS cursor_transaction_id, e.cursor_position, e.delivered, e.attempts,
  e.next_attempt_at, e.wakes, e.failing_since, e.dead_since, e.last_attempt_at, e.last_success_at, e.last_status, e.last_error`;

const SELECT = `SELECT ${ENDPOINT_COLUMNS}, p.active AS partner_active FROM webhook_endpoints e JOIN partners p USING (partner_id)`;

/** At most this many endpoints per organisation: each is delivered to on its own. */
export const MAX_ENDPOINTS_PER_PARTNER = 10;

export class TooManyEndpointsError extends Error {}

/**
 * The endpoints an organisation registered and their delivery state. The signing secret is kept
 * wrapped by the master key (the service signs with it, so a hash would not do), bound to its
 * endpoint; it leaves the service once, in the answer that created or rotated it.
 */
@Injectable()
export class WebhookEndpoints {
  constructor(
    @Inject(SqlClient) private readonly db: SqlClient,
    @Inject(MasterKey) private readonly masterKey: MasterKey,
  ) {}

  /** `after` omitted: from the end of the organisation's feed now (what comes next). */
  async create(partnerId: string, input: { url: string; description: string; after?: AllCursor; createdBy: string | null }): Promise<{ view: EndpointView; secret: string }> {
    const endpointId = randomUUID();
    const secret = generateSecret();
    try {
      await this.db.transaction(async (tx) => {
        // Counted under the organisation's row lock: two concurrent creations cannot both pass the cap.
        await tx.query('SELECT 1 FROM partners WHERE partner_id = $1 FOR UPDATE', [partnerId]);
        const [{ n } = { n: 0 }] = await tx.query<{ n: number }>('SELECT count(*)::int AS n FROM webhook_endpoints WHERE partner_id = $1', [partnerId]);
        if (n >= MAX_ENDPOINTS_PER_PARTNER) throw new TooManyEndpointsError();
        const start = input.after ?? (await feedEnd(tx, partnerId));
        await tx.query(
          `INSERT INTO webhook_endpoints (endpoint_id, partner_id, url, description, secret_wrapped, master_key_id, created_by, cursor_transaction_id, cursor_position)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8::text::xid8, $9)`,
          [endpointId, partnerId, input.url, input.description, this.wrap(endpointId, secret.key), this.masterKey.id, input.createdBy, start.transactionId, start.position],
        );
      });
    } finally {
      secret.key.fill(0);
    }
    return { view: (await this.get(partnerId, endpointId))!, secret: secret.text };
  }

  async partnerExists(partnerId: string): Promise<boolean> {
    return (await this.db.query('SELECT 1 FROM partners WHERE partner_id = $1', [partnerId])).length > 0;
  }

  async list(partnerId: string): Promise<EndpointView[]> {
    const rows = await this.db.query<EndpointRow>(`${SELECT} WHERE e.partner_id = $1 ORDER BY e.created_at, e.endpoint_id`, [partnerId]);
    return rows.map(viewOf);
  }

  async get(partnerId: string, endpointId: string): Promise<EndpointView | undefined> {
    const rows = await this.db.query<EndpointRow>(`${SELECT} WHERE e.partner_id = $1 AND e.endpoint_id = $2`, [partnerId, endpointId]);
    return rows[0] && viewOf(rows[0]);
  }

  /** False when there was no such endpoint. A delivery in flight stops at its next item. */
  async remove(partnerId: string, endpointId: string): Promise<boolean> {
    const rows = await this.db.query('DELETE FROM webhook_endpoints WHERE partner_id = $1 AND endpoint_id = $2 RETURNING 1', [partnerId, endpointId]);
    return rows.length > 0;
  }

  /**
   * A new secret; the current one keeps signing beside it for `overlapSeconds` (0: replaced at
   * once). A secret already rotated away and still in its overlap is dropped: two at most sign.
   */
  async rotate(partnerId: string, endpointId: string, overlapSeconds: number): Promise<{ view: EndpointView; secret: string } | undefined> {
    const secret = generateSecret();
    let found = false;
    try {
      await this.db.transaction(async (tx) => {
        const [current] = await tx.query<{ secret_wrapped: Uint8Array }>('SELECT secret_wrapped FROM webhook_endpoints WHERE partner_id = $1 AND endpoint_id = $2 FOR UPDATE', [
          partnerId,
          endpointId,
        ]);
        if (!current) return;
        found = true;
        await tx.query(
          `UPDATE webhook_endpoints
              SET secret_wrapped = $3, master_key_id = $4, secret_rotated_at = now(),
                  previous_secret_wrapped = CASE WHEN $5::int > 0 THEN secret_wrapped END,
                  previous_secret_until = CASE WHEN $5::int > 0 THEN now() + make_interval(secs => $5::int) END
            WHERE partner_id = $1 AND endpoint_id = $2`,
          [partnerId, endpointId, this.wrap(endpointId, secret.key), this.masterKey.id, overlapSeconds],
        );
      });
    } finally {
      secret.key.fill(0);
    }
    if (!found) return undefined;
    return { view: (await this.get(partnerId, endpointId))!, secret: secret.text };
  }

  /**
   * Delivers again from `after` (the cursor of the last item the partner has): the cursor moves
   * there, back-off and dead letter are cleared, and the next attempt is now. The worker holding
   * the endpoint, if any, notices at its next item (its lease is taken away).
   */
  async replay(partnerId: string, endpointId: string, after: AllCursor): Promise<EndpointView | undefined> {
    const rows = await this.db.query(
      `UPDATE webhook_endpoints
          SET cursor_transaction_id = $3::text::xid8, cursor_position = $4, attempts = 0, next_attempt_at = now(), wakes = wakes + 1,
              failing_since = NULL, dead_since = NULL, lease_owner = NULL, lease_until = NULL
        WHERE partner_id = $1 AND endpoint_id = $2 RETURNING 1`,
      [partnerId, endpointId, after.transactionId, after.position],
    );
    return rows.length ? this.get(partnerId, endpointId) : undefined;
  }

  /** The key bytes of the secrets that sign now: the current one, and the previous one in its overlap. */
  signingKeys(row: Pick<EndpointRow, 'endpoint_id' | 'secret_wrapped' | 'previous_secret_wrapped' | 'previous_secret_until'>, now: Date): Buffer[] {
    const keys = [this.unwrap(row.endpoint_id, row.secret_wrapped)];
    if (row.previous_secret_wrapped && row.previous_secret_until && row.previous_secret_until > now) keys.push(this.unwrap(row.endpoint_id, row.previous_secret_wrapped));
    return keys;
  }

  private wrap(endpointId: string, key: Buffer): Buffer {
    return this.masterKey.wrap(key, context(endpointId));
  }

  private unwrap(endpointId: string, wrapped: Uint8Array): Buffer {
    const key = this.masterKey.unwrap(wrapped, context(endpointId));
    // Another master key, or an altered row: the endpoint cannot be signed for (its secret must be rotated).
    if (!key) throw new Error(`the signing secret of webhook endpoint ${endpointId} does not unwrap under the master key`);
    return key;
  }
}

/** The wrapped secret only unwraps for its own endpoint. */
function context(endpointId: string): Buffer {
  return Buffer.from(`spie-parcours:webhook-secret:${endpointId}`, 'utf8');
}

/** The cursor of the last item of the organisation's feed, or the start of an empty feed. */
async function feedEnd(db: SqlExecutor, partnerId: string): Promise<AllCursor> {
  const [last] = await db.query<{ transaction_id: string; global_position: number | string }>(FEED_HEAD, [partnerId]);
  return last ? { transactionId: last.transaction_id, position: Number(last.global_position) } : { transactionId: '0', position: 0 };
}

export function stateOf(row: Pick<EndpointRow, 'dead_since' | 'partner_active' | 'attempts'>): DeliveryState {
  if (row.dead_since) return 'dead';
  if (!row.partner_active) return 'stopped';
  return row.attempts > 0 ? 'retrying' : 'active';
}

export function viewOf(row: EndpointRow): EndpointView {
  const iso = (date: Date | null) => (date ? date.toISOString() : null);
  const state = stateOf(row);
  return {
    id: row.endpoint_id,
    url: row.url,
    description: row.description,
    createdAt: row.created_at.toISOString(),
    secretRotatedAt: iso(row.secret_rotated_at),
    previousSecretValidUntil: row.previous_secret_until && row.previous_secret_until > new Date() ? row.previous_secret_until.toISOString() : null,
    delivery: {
      state,
      cursor: encodeCursor({ transactionId: row.cursor_transaction_id, position: Number(row.cursor_position) }),
      delivered: Number(row.delivered),
      attempts: row.attempts,
      nextAttemptAt: state === 'retrying' ? iso(row.next_attempt_at) : null,
      lastAttemptAt: iso(row.last_attempt_at),
      lastSuccessAt: iso(row.last_success_at),
      lastStatus: row.last_status,
      lastError: row.last_error,
      failingSince: iso(row.failing_since),
      deadSince: iso(row.dead_since),
    },
  };
}
