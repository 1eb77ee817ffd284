import { createHmac } from 'node:crypto';
import { type BeforeApplicationShutdown, Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppConfig } from '../config/app-config.js';
import { SqlClient } from '../database/sql-client.js';
import { ProblemError, sendProblem, toProblem } from './problem.js';

const WINDOW_MS = 60_000;
const SYNC_MS = 1_000;

interface Count {
  expiresAtMs: number;
  /** Every instance's hits as of the last sync (this one's synced hits included). */
  shared: number;
  /** This instance's hits not yet added to the shared count. */
  pending: number;
}

/**
 * Request counts per key over a one-minute window opened by the key's first request, shared by
 * the instances of the service without costing a request anything: a request is judged in memory
 * (the shared total as of the last sync, plus this instance's hits since), and once a second each
 * instance adds its new hits to the database in one statement and gets the totals back. Between
 * two syncs an instance does not see the others' latest hits: the limit may be overshot by at most
 * a second's worth of requests per instance. A key seen for the first time is synced at once.
 *
 * On the embedded database there is only ever one instance (see DataDirLock): counts stay in memory.
 * Either way, windows that ended are dropped at each tick, so that a flood from many addresses
 * holds memory for a minute at most.
 */
@Injectable()
export class SharedRateCounter implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly counts = new Map<string, Count>();
  private timer: NodeJS.Timeout | undefined;
  private syncing: Promise<void> | undefined;
  private queued: Promise<void> | undefined;
  private salt: string | undefined;
  private lastPurgeMs = 0;
  private shared = false;

  constructor(@Inject(SqlClient) private readonly db: SqlClient) {}

  /** Counts a hit on `key`; answers the seconds until its window ends if that makes more than `limit`. */
  hit(key: string, limit: number): number | undefined {
    const now = Date.now();
    let count = this.counts.get(key);
    if (!count || count.expiresAtMs <= now) {
      count = { expiresAtMs: now + WINDOW_MS, shared: 0, pending: 0 };
      this.counts.set(key, count);
      // The other instances may have counted this key already: learn their total now, not in a second.
      if (this.shared) setImmediate(() => void this.sync());
    }
    count.pending += 1;
    return count.shared + count.pending > limit ? Math.max(1, Math.ceil((count.expiresAtMs - now) / 1000)) : undefined;
  }

  /** Without counting: the seconds until `key`'s window ends if it already holds `limit` hits. */
  reached(key: string, limit: number): number | undefined {
    const now = Date.now();
    const count = this.counts.get(key);
    if (!count || count.expiresAtMs <= now || count.shared + count.pending < limit) return undefined;
    return Math.max(1, Math.ceil((count.expiresAtMs - now) / 1000));
  }

  onApplicationBootstrap(): void {
    this.shared = this.db.dialect === 'postgres';
    // On the embedded database too: ended windows are dropped from memory at each tick.
    this.timer = setInterval(() => void this.sync(), SYNC_MS);
    this.timer.unref();
  }

  async beforeApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.syncing;
  }

  /**
   * Adds this instance's new hits to the shared counts and takes back the totals; one at a time. A
   * call made while a sync is under way (begun before this call's latest hits, perhaps) gets one
   * more after it, shared by every caller meanwhile: the hits counted before the call are synced
   * when its promise resolves.
   */
  sync(): Promise<void> {
    if (!this.syncing) return this.startSync();
    this.queued ??= this.syncing.then(() => {
      this.queued = undefined;
      return this.startSync();
    });
    return this.queued;
  }

  private startSync(): Promise<void> {
    this.syncing = this.flush()
      .catch(() => {
        // The database is unreachable (readiness says so): meanwhile each instance holds the limits alone.
      })
      .finally(() => {
        this.syncing = undefined;
      });
    return this.syncing;
  }

  private async flush(): Promise<void> {
    const now = Date.now();
    const keys: string[] = [];
    const entries: Count[] = [];
    const stored: string[] = [];
    const expiries: number[] = [];
    const hits: number[] = [];
    if (this.shared) this.salt ??= (await this.db.query<{ salt: string }>('SELECT salt FROM rate_limit_salt'))[0]?.salt ?? '';
    for (const [key, count] of this.counts) {
      if (count.expiresAtMs <= now) this.counts.delete(key);
      else if (this.shared && count.pending > 0) {
        keys.push(key);
        entries.push(count);
        stored.push(this.storedKey(key));
        expiries.push(count.expiresAtMs);
        hits.push(count.pending);
      }
    }
    if (!this.shared) return;
    if (keys.length) {
      // A window that ended is started afresh by the first instance to report after its end.
      const rows = await this.db.query<{ key: string; expires_at_ms: number; hits: number }>(
        `INSERT INTO rate_limit_counts AS c (key, expires_at_ms, hits)
           SELECT * FROM unnest($1::text[], $2::bigint[], $3::int[])
         ON CONFLICT (key) DO UPDATE SET
           hits = CASE WHEN c.expires_at_ms <= $4 THEN excluded.hits ELSE c.hits + excluded.hits END,
           expires_at_ms = CASE WHEN c.expires_at_ms <= $4 THEN excluded.expires_at_ms ELSE c.expires_at_ms END
         RETURNING key, expires_at_ms, hits`,
        [stored, expiries, hits, now],
      );
      const byStored = new Map(rows.map((row) => [row.key, row]));
      keys.forEach((key, index) => {
        const row = byStored.get(stored[index]!);
        const count = entries[index]!;
        // A window that ended meanwhile was replaced by a fresh count: the totals are not its own.
        if (!row || this.counts.get(key) !== count) return;
        count.pending -= hits[index]!;
        count.shared = row.hits;
        count.expiresAtMs = row.expires_at_ms;
      });
    }
    if (now - this.lastPurgeMs > WINDOW_MS) {
      this.lastPurgeMs = now;
      await this.db.query('DELETE FROM rate_limit_counts WHERE expires_at_ms < $1', [now - WINDOW_MS]);
    }
  }

  /** Client addresses are personal data: the shared table holds a keyed hash of them. */
  private storedKey(key: string): string {
    if (key.startsWith('org:')) return key;
    const colon = key.indexOf(':');
    return `${key.slice(0, colon)}:${createHmac('sha256', this.salt!).update(key.slice(colon + 1)).digest('base64url').slice(0, 22)}`;
  }
}

/**
 * The limits that apply before authentication, per client address (`request.ip`: the peer, or
 * what TRUST_PROXY's proxies say): every request counts against RATE_LIMIT_PER_ADDRESS_PER_MINUTE,
 * and an address that failed authentication AUTH_FAILURES_PER_ADDRESS_PER_MINUTE times is refused
 * until its minute ends, whatever it sends. Both answer 429 before any token is checked or any body
 * read. Health probes are exempt: an orchestrator must always get an answer.
 */
@Injectable()
export class AddressRateLimits {
  private readonly logger = new Logger('RateLimits');

  constructor(
    @Inject(SharedRateCounter) private readonly counter: SharedRateCounter,
    @Inject(AppConfig) private readonly config: AppConfig,
  ) {}

  install(fastify: FastifyInstance): void {
    fastify.addHook('onRequest', (request, reply, done) => {
      if (isProbe(request)) return done();
      const address = addressKey(request.ip);
      const blocked = this.counter.reached(`fail:${address}`, this.config.authFailuresPerAddressPerMinute);
      const retryAfterSeconds = blocked ?? this.counter.hit(`addr:${address}`, this.config.rateLimitPerAddressPerMinute);
      if (retryAfterSeconds === undefined) return done();
      const refusal = new ProblemError(
        429,
        'rate_limited',
        blocked === undefined ? 'Too many requests from your address' : 'Too many failed authentications from your address',
        `retry in ${retryAfterSeconds} s`,
        { retryAfterSeconds },
      );
      sendProblem(reply, toProblem(refusal, request, this.logger));
    });
    fastify.addHook('onResponse', (request, reply, done) => {
      if (reply.statusCode === 401) this.counter.hit(`fail:${addressKey(request.ip)}`, Number.MAX_SAFE_INTEGER);
      done();
    });
  }
}

function isProbe(request: FastifyRequest): boolean {
  return request.url === '/health' || request.url.startsWith('/health/') || request.url.startsWith('/health?');
}

/**
 * The address a limit is counted against: an IPv4 address, or the /64 network of an IPv6 one (a
 * single client commonly holds a whole /64, and would otherwise get a fresh limit per address).
 */
export function addressKey(ip: string): string {
  if (!ip.includes(':')) return ip;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped) return mapped[1]!;
  const [head = '', tail] = ip.toLowerCase().split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = tail === undefined ? left : [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  return `${groups.slice(0, 4).map((group) => group.replace(/^0+(?=.)/, '')).join(':')}::/64`;
}
