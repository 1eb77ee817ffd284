import { randomUUID } from 'node:crypto';
import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { type BeforeApplicationShutdown, Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { AppConfig, runsBackgroundWork } from '../config/app-config.js';
import { SqlClient, prepared } from '../database/sql-client.js';
import { type AllCursor, encodeCursor } from '../event-store/event-store.js';
import { FeedHub, type FeedRow } from '../parcours/read-models/partner-feed/feed-hub.js';
import { AccessJournal } from '../access-journal/access-journal.js';
import { ENDPOINT_COLUMNS, type EndpointRow, WebhookEndpoints } from './webhook-endpoints.js';
import { signatureHeader } from './webhook-signature.js';
import { RefusedTargetError, type TargetPolicy, guardedLookup, urlFault } from './webhook-targets.js';

/** Feed items read at once for an endpoint. */
const PAGE = 100;
/** Items sent to one endpoint per claim before it goes back in line (the others get their turn). */
const MAX_PER_CLAIM = 1_000;
/** An idle endpoint is looked at again after this even if no commit woke it (a notification lost). */
const IDLE_RECHECK_SECONDS = 30;
/** Longest sleep of the loop: due retries are found at least this often. */
const MAX_SLEEP_MS = 1_000;

/** Endpoints that a feed commit for their organisation makes due (only those not in back-off). */
const WAKE = `UPDATE webhook_endpoints SET next_attempt_at = LEAST(next_attempt_at, now()), wakes = wakes + 1
               WHERE ($1::uuid[] IS NULL OR partner_id = ANY($1::uuid[])) AND attempts = 0 AND dead_since IS NULL`;

/** Due endpoints of active organisations, nobody else's lease on them: leased to this claim. */
const CLAIM = `UPDATE webhook_endpoints e SET lease_owner = $1, lease_until = now() + make_interval(secs => $2::int)
                WHERE e.endpoint_id IN (
                  SELECT c.endpoint_id FROM webhook_endpoints c JOIN partners p USING (partner_id)
                   WHERE p.active AND c.dead_since IS NULL AND c.next_attempt_at <= now()
                     AND (c.lease_until IS NULL OR c.lease_until < now()) AND NOT (c.endpoint_id = ANY($4::uuid[]))
                   ORDER BY c.next_attempt_at LIMIT $3 FOR UPDATE OF c SKIP LOCKED)
                RETURNING ${ENDPOINT_COLUMNS}, true AS partner_active`;

/** When the next retry of an endpoint nobody holds is due (ms from now), to sleep until then. */
const NEXT_DUE = `SELECT GREATEST(0, extract(epoch FROM min(e.next_attempt_at) - now()) * 1000)::float8 AS ms
                    FROM webhook_endpoints e JOIN partners p USING (partner_id)
                   WHERE p.active AND e.dead_since IS NULL AND e.lease_owner IS NULL`;

/**
 * Acknowledged items: the cursor moves past them, the lease is renewed. Written every
 * `FLUSH_ITEMS` items or `FLUSH_MS`, and before the delivery stops: a crash between two writes sends
 * those items again (at least once). No row when the lease was taken away.
 */
const ADVANCE = prepared(`UPDATE webhook_endpoints
                             SET cursor_transaction_id = $3::text::xid8, cursor_position = $4, delivered = delivered + $5, attempts = 0, failing_since = NULL,
                                 last_attempt_at = now(), last_success_at = now(), last_status = $6, last_error = NULL,
                                 lease_until = now() + make_interval(secs => $7::int)
                           WHERE endpoint_id = $1 AND lease_owner = $2
                       RETURNING 1 AS held`);

/**
 * Asked before each item: is the lease still this delivery's (no row: the endpoint was deleted, or
 * replayed from another cursor), and is the organisation still active? A read, no commit.
 */
const STILL = prepared(`SELECT p.active FROM webhook_endpoints e JOIN partners p USING (partner_id) WHERE e.endpoint_id = $1 AND e.lease_owner = $2`);

const FLUSH_ITEMS = 50;
/** Parcours of a page whose items are sent at the same time, to one endpoint. */
const LANES = 8;
const FLUSH_MS = 250;

/** A failed attempt: back-off, or the dead letter once failing for longer than allowed. */
const FAILED = `UPDATE webhook_endpoints
                   SET attempts = attempts + 1, last_attempt_at = now(), last_status = $3, last_error = $4,
                       failing_since = COALESCE(failing_since, now()),
                       dead_since = CASE WHEN COALESCE(failing_since, now()) <= now() - make_interval(secs => $5::int) THEN now() END,
                       next_attempt_at = now() + make_interval(secs => $6::float8),
                       lease_owner = NULL, lease_until = NULL
                 WHERE endpoint_id = $1 AND lease_owner = $2`;

/** A failed attempt whose back-off the delivery waits itself, keeping the lease (renewed); dead-lettered likewise. */
const FAILED_HELD = `UPDATE webhook_endpoints
                        SET attempts = attempts + 1, last_attempt_at = now(), last_status = $3, last_error = $4,
                            failing_since = COALESCE(failing_since, now()),
                            dead_since = CASE WHEN COALESCE(failing_since, now()) <= now() - make_interval(secs => $5::int) THEN now() END,
                            next_attempt_at = now() + make_interval(secs => $6::float8),
                            lease_until = now() + make_interval(secs => $7::int)
                      WHERE endpoint_id = $1 AND lease_owner = $2
                  RETURNING dead_since IS NOT NULL AS dead`;

/** Dead-lettered while held: given back, never claimed again until a replay. */
const RELEASE_DEAD = `UPDATE webhook_endpoints SET lease_owner = NULL, lease_until = NULL WHERE endpoint_id = $1 AND lease_owner = $2`;

/** Back-offs up to this are waited by the delivery itself (the lease kept); longer ones give the endpoint back. */
const INLINE_RETRY_MAX_MS = 2_000;

/** Nothing more to send: idle until the next commit, unless one came while this delivery ran. */
const IDLE = `UPDATE webhook_endpoints
                 SET lease_owner = NULL, lease_until = NULL,
                     next_attempt_at = CASE WHEN wakes = $3 THEN now() + make_interval(secs => $4::int) ELSE now() END
               WHERE endpoint_id = $1 AND lease_owner = $2`;

/** Given back before its turn ends (shutdown, organisation deactivated, its share of the turn used). */
const RELEASE = `UPDATE webhook_endpoints SET lease_owner = NULL, lease_until = NULL, next_attempt_at = now() WHERE endpoint_id = $1 AND lease_owner = $2`;

interface Outcome {
  ok: boolean;
  status: number | null;
  /** Why it failed: a code, never what the receiver said. */
  error: string | null;
}

/**
 * Delivers each organisation's feed to its webhook endpoints, in the worker processes (where the
 * projections run, never in an `api` process): a command never waits for a delivery.
 *
 * One delivery per endpoint at a time across every worker (a lease in the endpoint's row); within
 * it, the items of each parcours one after the other in feed order (see `deliver`), the cursor
 * moving past an item only once it and every item before it were answered 2xx: each item arrives
 * at least once, in order per parcours (a crash, a timeout after the receiver processed an item, or
 * a long back-off sends items again; the receiver deduplicates on `webhook-id`). A failure holds its
 * parcours for an exponential back-off; failing without a success for WEBHOOK_DEAD_LETTER_SECONDS
 * dead-letters the endpoint until a replay.
 *
 * What is sent is the feed itself (the same rows, the same minimisation, the same cursor), read
 * through the FeedHub; deliveries are woken by the feed projection's commit for the organisation.
 * Each page sent is journaled as a feed page read is. The organisation must still be active at
 * each item: a deactivation stops its endpoints before their next item.
 */
@Injectable()
export class WebhookDispatcher implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('Webhooks');
  private readonly policy: TargetPolicy;
  private readonly leaseSeconds: number;
  private readonly http = new HttpAgent({ keepAlive: true, maxSockets: LANES });
  private readonly https = new HttpsAgent({ keepAlive: true, maxSockets: LANES });
  private readonly inflight = new Map<string, Promise<void>>();
  private readonly stopping = new AbortController();
  private pendingWake: Set<string> | '*' = new Set();
  private running = false;
  private loop: Promise<void> | undefined;
  private kick: (() => void) | undefined;
  private kicked = false;
  private unsubscribe: (() => void) | undefined;

  constructor(
    @Inject(SqlClient) private readonly db: SqlClient,
    @Inject(FeedHub) private readonly hub: FeedHub,
    @Inject(WebhookEndpoints) private readonly endpoints: WebhookEndpoints,
    @Inject(AccessJournal) private readonly journal: AccessJournal,
    @Inject(AppConfig) private readonly config: AppConfig,
  ) {
    this.policy = { allowHttp: config.webhookAllowHttp, allowPrivateTargets: config.webhookAllowPrivateTargets };
    // Longer than an attempt: a lease renewed at each item outlives the slowest answer.
    this.leaseSeconds = Math.ceil(config.webhookTimeoutMs / 1000) + 30;
  }

  onApplicationBootstrap(): void {
    if (!runsBackgroundWork(this.config)) return;
    this.running = true;
    this.unsubscribe = this.hub.onCommitted((partnerIds) => {
      if (partnerIds === '*') this.pendingWake = '*';
      else if (this.pendingWake !== '*') for (const id of partnerIds) this.pendingWake.add(id);
      this.wake();
    });
    this.loop = this.run();
  }

  async beforeApplicationShutdown(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.unsubscribe?.();
    // Attempts in flight end now; their endpoints are given back without counting a failure.
    this.stopping.abort();
    this.wake();
    await this.loop;
    await Promise.allSettled([...this.inflight.values()]);
    this.http.destroy();
    this.https.destroy();
  }

  private wake(): void {
    this.kicked = true;
    this.kick?.();
  }

  private async run(): Promise<void> {
    while (this.running) {
      this.kicked = false;
      let sleepMs = MAX_SLEEP_MS;
      try {
        sleepMs = await this.tick();
      } catch (error) {
        this.logger.warn({ msg: 'webhook dispatch failed; retrying', err: error });
      }
      if (!this.running) break;
      if (this.kicked) continue;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, sleepMs);
        this.kick = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.kick = undefined;
    }
  }

  /** Wakes what commits made due, starts what is due; answers how long to sleep. */
  private async tick(): Promise<number> {
    const wake = this.pendingWake;
    this.pendingWake = new Set();
    if (wake === '*' || wake.size) await this.db.query(WAKE, [wake === '*' ? null : [...wake]]);
    const free = this.config.webhookConcurrency - this.inflight.size;
    if (free > 0) {
      const lease = randomUUID();
      const claimed = await this.db.query<EndpointRow>(CLAIM, [lease, this.leaseSeconds, free, [...this.inflight.keys()]]);
      for (const row of claimed) {
        const delivery = this.deliver(row, lease)
          .catch((error: unknown) => {
            this.logger.error({ msg: 'webhook delivery failed', endpointId: row.endpoint_id, err: error });
            return this.db.query(RELEASE, [row.endpoint_id, lease]).then(() => undefined);
          })
          .catch(() => undefined)
          .finally(() => {
            this.inflight.delete(row.endpoint_id);
            this.wake();
          });
        this.inflight.set(row.endpoint_id, delivery);
      }
    }
    const [next] = await this.db.query<{ ms: number | null }>(NEXT_DUE);
    return Math.min(MAX_SLEEP_MS, Math.max(1, Math.ceil(next?.ms ?? MAX_SLEEP_MS)));
  }

  /**
   * Delivers pages of the feed from the endpoint's cursor while the lease holds. Within a page, the
   * items of each parcours form a lane, sent one after the other; lanes go in parallel (up to
   * `LANES`): order is owed per parcours, and a failing item then holds back its own parcours only.
   * The next page starts once the whole page is acknowledged. The cursor written is the end of the
   * acknowledged prefix of the page: an item acknowledged past an unacknowledged one is sent again
   * next time (at least once).
   */
  private async deliver(row: EndpointRow, lease: string): Promise<void> {
    const endpointId = row.endpoint_id;
    if (urlFault(row.url, this.policy) !== undefined) return this.failed(row, lease, { ok: false, status: null, error: 'url_refused' });
    let keys: Buffer[];
    try {
      keys = this.endpoints.signingKeys(row, new Date());
    } catch {
      // Wrapped under another master key (or altered): a failure like any other, until the secret is rotated.
      return this.failed(row, lease, { ok: false, status: null, error: 'secret_unreadable' });
    }
    try {
      let cursor: AllCursor = { transactionId: row.cursor_transaction_id, position: Number(row.cursor_position) };
      let sent = 0;
      while (this.running) {
        const items = await this.hub.page(row.partner_id, cursor, PAGE);
        if (items.length === 0) {
          await this.db.query(IDLE, [endpointId, lease, row.wakes, IDLE_RECHECK_SECONDS]);
          return;
        }
        await this.journalPage(row, items);
        const outcome = await this.deliverPage(row, lease, items, keys);
        sent += outcome.acknowledged;
        if (outcome.stop === 'lease_lost' || outcome.stop === 'dead') return;
        if (outcome.stop !== undefined && typeof outcome.stop === 'object') return this.failed(row, lease, outcome.stop.outcome, outcome.stop.attempts, outcome.stop.delayMs);
        if (outcome.stop !== undefined || sent >= MAX_PER_CLAIM) break;
        cursor = { transactionId: items.at(-1)!.transaction_id, position: Number(items.at(-1)!.global_position) };
      }
      await this.db.query(RELEASE, [endpointId, lease]);
    } finally {
      for (const key of keys) key.fill(0);
    }
  }

  private async deliverPage(
    row: EndpointRow,
    lease: string,
    items: FeedRow[],
    keys: readonly Buffer[],
  ): Promise<{ acknowledged: number; stop?: 'lease_lost' | 'dead' | 'inactive' | 'stopping' | { outcome: Outcome; attempts: number; delayMs: number } }> {
    const endpointId = row.endpoint_id;
    const acked = new Array<boolean>(items.length).fill(false);
    let prefix = 0;
    let written = 0;
    let lastStatus: number | null = null;
    let writtenAt = Date.now();
    let stop: Awaited<ReturnType<WebhookDispatcher['deliverPage']>>['stop'];
    let writing: Promise<void> = Promise.resolve();
    /** Writes the end of the acknowledged prefix (one write at a time); a lost lease stops the page. */
    const write = () =>
      (writing = writing.then(async () => {
        if (prefix === written || stop === 'lease_lost') return;
        const upTo = prefix;
        const last = items[upTo - 1]!;
        const rows = await this.db.query(ADVANCE, [endpointId, lease, last.transaction_id, Number(last.global_position), upTo - written, lastStatus, this.leaseSeconds]);
        written = upTo;
        writtenAt = Date.now();
        if (rows.length === 0) stop = 'lease_lost';
      }));
    const lanes = new Map<string, number[]>();
    items.forEach((item, index) => {
      const lane = lanes.get(item.parcours_id) ?? [];
      lane.push(index);
      lanes.set(item.parcours_id, lane);
    });
    const queue = [...lanes.values()];
    const runLane = async (lane: number[]) => {
      let attempts = 0;
      for (const index of lane) {
        for (;;) {
          if (stop !== undefined) return;
          if (!this.running) {
            stop = 'stopping';
            return;
          }
          // Before each item: deleted or replayed meanwhile, someone else decides what comes next;
          // deactivated, not one more item (reactivated, it resumes from here).
          const [still] = await this.db.query<{ active: boolean }>(STILL, [endpointId, lease]);
          if (!still) stop ??= 'lease_lost';
          else if (!still.active) stop ??= 'inactive';
          if (stop !== undefined) return;
          const outcome = await this.send(row.url, items[index]!, keys);
          if (outcome.ok) {
            attempts = 0;
            acked[index] = true;
            lastStatus = outcome.status;
            while (prefix < items.length && acked[prefix]) prefix += 1;
            if (prefix - written >= FLUSH_ITEMS || Date.now() - writtenAt >= FLUSH_MS) await write();
            break;
          }
          if (!this.running) {
            stop ??= 'stopping';
            return;
          }
          attempts += 1;
          const delayMs = this.backoffMs(attempts);
          if (delayMs > INLINE_RETRY_MAX_MS) {
            stop ??= { outcome, attempts, delayMs };
            return;
          }
          // A short back-off is waited here, the lease kept: the same item again, nothing re-read.
          await write();
          const [held] = await this.db.query<{ dead: boolean }>(FAILED_HELD, [endpointId, lease, outcome.status, outcome.error, this.config.webhookDeadLetterSeconds, delayMs / 1000, this.leaseSeconds]);
          this.logFailure(endpointId, attempts, outcome);
          if (!held) stop ??= 'lease_lost';
          else if (held.dead) {
            if (stop === undefined) await this.db.query(RELEASE_DEAD, [endpointId, lease]);
            stop ??= 'dead';
          }
          if (stop !== undefined) return;
          await this.pause(delayMs);
        }
      }
    };
    await Promise.all(
      Array.from({ length: Math.min(LANES, queue.length) }, async () => {
        for (let lane = queue.shift(); lane !== undefined; lane = queue.shift()) await runLane(lane);
      }),
    );
    await write();
    await writing;
    if (stop === 'inactive' || stop === 'stopping') await this.db.query(RELEASE, [endpointId, lease]).catch(() => undefined);
    // RELEASE above gives the endpoint back; the caller must not release it again.
    return { acknowledged: written, stop: stop === 'inactive' || stop === 'stopping' ? 'lease_lost' : stop };
  }

  /** The back-off before the next attempt after `attempts` consecutive failures: doubling from the base, ±20 % (endpoints that failed together do not all come back at once). */
  private backoffMs(attempts: number): number {
    const backoff = Math.min(this.config.webhookRetryMaxSeconds * 1000, this.config.webhookRetryBaseMs * 2 ** Math.min(attempts - 1, 30));
    return backoff * (0.8 + Math.random() * 0.4);
  }

  /** A failure whose back-off is long: the endpoint is given back, to be claimed again when due. */
  private async failed(row: EndpointRow, lease: string, outcome: Outcome, attempts = row.attempts + 1, delayMs = this.backoffMs(attempts)): Promise<void> {
    await this.db.query(FAILED, [row.endpoint_id, lease, outcome.status, outcome.error, this.config.webhookDeadLetterSeconds, delayMs / 1000]);
    this.logFailure(row.endpoint_id, attempts, outcome);
  }

  private logFailure(endpointId: string, attempt: number, outcome: Outcome): void {
    this.logger.warn({ msg: 'webhook attempt failed', endpointId, attempt, status: outcome.status, error: outcome.error });
  }

  /** Waits `ms`, or less if the process stops. */
  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.stopping.signal.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.stopping.signal.addEventListener('abort', done);
    });
  }

  /** What the organisation's system received is journaled as a feed page it read: one entry per page, naming its parcours. */
  private async journalPage(row: EndpointRow, items: FeedRow[]): Promise<void> {
    const cursorOf = (item: FeedRow) => encodeCursor({ transactionId: item.transaction_id, position: Number(item.global_position) });
    await this.journal.record({
      actor: { userId: `webhook:${row.endpoint_id}`, partnerId: row.partner_id, role: 'webhook' },
      operation: 'webhook.deliver',
      recordType: 'feed_page',
      recordId: `${cursorOf(items[0]!)}..${cursorOf(items.at(-1)!)}`,
      recordIds: [...new Set(items.map((item) => item.parcours_id))],
      outcome: 'ok',
      correlationId: randomUUID(),
    });
  }

  /** One signed POST of one feed item (Standard Webhooks: `webhook-id`, `webhook-timestamp`, `webhook-signature`). */
  private send(url: string, item: FeedRow, keys: readonly Buffer[]): Promise<Outcome> {
    const cursor = encodeCursor({ transactionId: item.transaction_id, position: Number(item.global_position) });
    const recordedAt = item.recorded_at.toISOString();
    // The feed item exactly as GET /v1/feed serves it.
    const data = { cursor, parcoursId: item.parcours_id, eventId: item.event_id, type: item.type, data: item.data, recordedAt };
    const body = JSON.stringify({ type: item.type, timestamp: recordedAt, data });
    const timestamp = Math.floor(Date.now() / 1000);
    const target = new URL(url);
    const secure = target.protocol === 'https:';
    const headers = {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(body),
      'user-agent': 'spie-parcours-webhooks/1',
      'webhook-id': item.event_id,
      'webhook-timestamp': String(timestamp),
      'webhook-signature': signatureHeader(keys, item.event_id, timestamp, body),
    };
    return new Promise<Outcome>((resolve) => {
      let settled = false;
      const settle = (outcome: Outcome) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(outcome);
      };
      const request = (secure ? httpsRequest : httpRequest)(target, {
        method: 'POST',
        headers,
        agent: secure ? this.https : this.http,
        lookup: guardedLookup(this.policy),
        signal: this.stopping.signal,
      });
      const timer = setTimeout(() => {
        settle({ ok: false, status: null, error: 'timeout' });
        request.destroy();
      }, this.config.webhookTimeoutMs);
      request.on('response', (response) => {
        const status = response.statusCode ?? 0;
        const ok = status >= 200 && status < 300;
        // Read to the end, and no further than needed: the connection is kept for the next item.
        response.on('data', () => undefined);
        response.on('end', () => settle({ ok, status, error: ok ? null : 'http_status' }));
        response.on('error', () => settle({ ok: false, status, error: 'connection_reset' }));
      });
      request.on('error', (error) => settle({ ok: false, status: null, error: errorCode(error) }));
      request.end(body);
    });
  }
}

function errorCode(error: Error & { code?: string }): string {
  if (error instanceof RefusedTargetError) return error.code;
  switch (error.code) {
    case 'ECONNREFUSED':
      return 'connection_refused';
    case 'ECONNRESET':
    case 'EPIPE':
      return 'connection_reset';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'dns_error';
    case 'ETIMEDOUT':
      return 'timeout';
    case 'ABORT_ERR':
      return 'aborted';
    default:
      return error.code?.startsWith('CERT_') || error.code?.startsWith('ERR_TLS') || error.code?.includes('SSL') ? 'tls_error' : 'network_error';
  }
}
