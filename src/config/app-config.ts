import { isIP } from 'node:net';
import { resolve } from 'node:path';
import { parseMultiHostUrl } from './multi-host-url.js';

/**
 * The whole configuration, read once from the environment at boot and injected typed
 * (DESIGN §9.11). A wrong value stops the start with a message naming the variable, so that an
 * operator never discovers a typo at the first request.
 */
export class AppConfig {
  readonly port!: number;
  readonly host!: string;
  /** `undefined` selects the embedded PostgreSQL (PGlite) persisted under `dataDir`. */
  readonly databaseUrl!: string | undefined;
  readonly databasePoolSize!: number;
  readonly dataDir!: string;
  readonly logLevel!: LogLevel;
  /** Largest accepted request body, in bytes (413 beyond). */
  readonly bodyLimitBytes!: number;
  /** Poll interval of store subscriptions when no notification wakes them. */
  readonly subscriptionPollMs!: number;
  /** Another field allow-list for the partner feeds (JSON, see partner-feed/feed-policies). */
  readonly feedPolicyFile!: string | undefined;
  /** Open feed streams (SSE) per organisation and per caller, counted on each instance (429 beyond). */
  readonly feedMaxStreamsPerPartner!: number;
  readonly feedMaxStreamsPerCaller!: number;
  /** How often an open feed stream re-checks its caller's credential and roles (and at the credential's expiry). */
  readonly feedRecheckSeconds!: number;
  /** Longest quiet time on an open feed stream before a keep-alive comment (proxies close idle connections). */
  readonly feedKeepAliveSeconds!: number;
  /** A folder of CAOM policy files (`*.json`) used instead of the shipped one. */
  readonly caomPolicyDir!: string | undefined;
  /** Another commune → territory map for the intake of the CAF/MSA monthly file (JSON, shaped like src/intake/communes-63.json). */
  readonly intakeCommunesFile!: string | undefined;
  /** Largest monthly file accepted by POST /v1/intake/imports, in bytes. */
  readonly intakeMaxFileBytes!: number;
  /** Lines of an import processed at once (more: faster on a PostgreSQL server, up to its pool). */
  readonly intakeConcurrency!: number;
  /** Other continuity thresholds (JSON, see continuity/policies). */
  readonly continuityPolicyFile!: string | undefined;
  /** Readiness fails when a projection lags more than this (seconds). */
  readonly projectionLagReadySeconds!: number;
  /** Expected `iss` of bearer tokens; the embedded default issues its own. */
  readonly oidcIssuer!: string;
  /** Expected `aud` of bearer tokens. */
  readonly oidcAudience!: string;
  /** JWKS of the identity provider (ProConnect…); undefined → the local signing key in DATA_DIR/keys. */
  readonly oidcJwksUrl!: string | undefined;
  /** Tolerated clock difference with the identity provider, for `exp`/`nbf`/`iat`. */
  readonly jwtClockSkewSeconds!: number;
  /** Requests per minute and per partner organisation (429 with Retry-After beyond). */
  readonly rateLimitPerMinute!: number;
  /** How long access journal entries are kept (CNIL: 12 months at least before purge). */
  readonly accessJournalRetentionMonths!: number;
  /** R. 263-8 CASF: months in the active base after the last activity on a parcours (then archived). */
  readonly retentionActiveMonths!: number;
  /** R. 263-8 CASF: months in the intermediate archive before the personal data are erased. */
  readonly retentionArchiveMonths!: number;
  /**
   * Base64 of the 32-byte key that wraps every beneficiary's data key. Unset: DATA_DIR/keys/master.key
   * (created on first start in the embedded default; required with a PostgreSQL server).
   */
  readonly masterKey!: string | undefined;
  /**
   * Base64 of the 32-byte key of the blind indexes (keyed HMAC of identifiers), distinct from the
   * master key. Unset: DATA_DIR/keys/blind-index.key (created on first start in the embedded
   * default; required with a PostgreSQL server).
   */
  readonly blindIndexKey!: string | undefined;
  /** The blind-index key being rotated away, set until `blind-index reindex` has run (see README). */
  readonly blindIndexPreviousKey!: string | undefined;
  /**
   * Whether the embedded database flushes its commits to disk (fsync). Off only for throw-away
   * data: a crash or power cut may then lose acknowledged writes. No effect on a PostgreSQL server.
   */
  readonly pgliteFsync!: boolean;
  /** PostgreSQL server: longest statement of the service (ms; 0 = the server's own setting, none by default); operator commands run without one. */
  readonly databaseStatementTimeoutMs!: number;
  /** PostgreSQL server: longest wait for a lock (ms; 0 = the server's setting): a request blocked longer answers 503. */
  readonly databaseLockTimeoutMs!: number;
  /** PostgreSQL server: a transaction left idle longer is ended by the server (ms; 0 = the server's setting). */
  readonly databaseIdleInTransactionTimeoutMs!: number;
  /** PostgreSQL server: longest wait for a connection, new or from the pool (ms). */
  readonly databaseConnectTimeoutMs!: number;
  /** At start, how long to keep retrying an unreachable PostgreSQL server before giving up (seconds). */
  readonly databaseConnectRetrySeconds!: number;
  /** Each readiness check not answered within this (ms) is reported down. */
  readonly readinessTimeoutMs!: number;
  /** Requests per minute and per client address, counted before authentication (429 beyond). */
  readonly rateLimitPerAddressPerMinute!: number;
  /** Failed authentications per minute and per client address; beyond, the address gets 429 until the minute ends. */
  readonly authFailuresPerAddressPerMinute!: number;
  /**
   * Which proxies may say who the client is (X-Forwarded-For): `false` (none, the default), a hop
   * count, or their addresses/CIDR ranges. Fastify's `trustProxy`.
   */
  readonly trustProxy!: false | number | string[];
  /** Longest lifetime (`exp - iat`) of an accepted bearer token, and of one minted by the CLI (seconds). */
  readonly tokenMaxLifetimeSeconds!: number;
  /**
   * What this process does: `all` (HTTP and the background work: what the embedded database needs),
   * `api` (HTTP only) or `worker` (projection runners, continuity scheduler, retention and journal
   * purge; HTTP for /health and /metrics only, on `workerPort`).
   */
  readonly processRole!: ProcessRole;
  /** The port a `worker` process answers /health and /metrics on. */
  readonly workerPort!: number;
  /** Webhook endpoints may use `http://` (default: on with the embedded database only; a server deployment takes `https://` only). */
  readonly webhookAllowHttp!: boolean;
  /** Webhook endpoints may reach loopback, private and link-local addresses (default: on with the embedded database only). */
  readonly webhookAllowPrivateTargets!: boolean;
  /** Longest wait for a webhook endpoint's answer (ms): past it the attempt failed. */
  readonly webhookTimeoutMs!: number;
  /** First retry delay of a failed webhook delivery (ms), doubled at each failure up to `webhookRetryMaxSeconds`. */
  readonly webhookRetryBaseMs!: number;
  readonly webhookRetryMaxSeconds!: number;
  /** An endpoint failing without a success for this long is dead-lettered: no more attempts until a replay. */
  readonly webhookDeadLetterSeconds!: number;
  /** Default time a rotated-away webhook secret keeps signing beside the new one. */
  readonly webhookSecretOverlapSeconds!: number;
  /** Endpoints delivered to at once by one worker process. */
  readonly webhookConcurrency!: number;
  /**
   * The web pages' local sign-in page, listing the members to sign in as without a password (demo,
   * local use): on by default on the embedded database only; WEB_LOCAL_SIGN_IN=on turns it on with a
   * PostgreSQL server (a demonstration), off turns it off. Never meant for production.
   */
  readonly webLocalSignIn!: boolean;
  /** The web pages' OpenID Connect provider (its issuer URL, discovery at /.well-known/openid-configuration): ProConnect in production. */
  readonly webOidcIssuerUrl!: string | undefined;
  readonly webOidcClientId!: string | undefined;
  readonly webOidcClientSecret!: string | undefined;
  /**
   * The address users reach the service at, e.g. https://parcours.example.gouv.fr: the OIDC redirect
   * URI is built on it (unset: on the address the browser used, which the provider checks against
   * the redirect URIs registered for the client anyway).
   */
  readonly webBaseUrl!: string | undefined;
  /** How long a web session lasts without activity, then at most 4 times this since sign-in (minutes). */
  readonly webSessionIdleMinutes!: number;

  constructor(values: AppConfig) {
    Object.assign(this, values);
    Object.freeze(this);
  }
}

/** Issuer of the tokens minted with the local signing key (`cli tokens mint`). */
export const LOCAL_ISSUER = 'spie-parcours-local';

export const PROCESS_ROLES = ['all', 'api', 'worker'] as const;
export type ProcessRole = (typeof PROCESS_ROLES)[number];

/** Whether this process runs the background work (projection runners, scheduled jobs). */
export function runsBackgroundWork(config: Pick<AppConfig, 'processRole'>): boolean {
  return config.processRole !== 'api';
}

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export class ConfigError extends Error {
  constructor(readonly variable: string, problem: string) {
    super(`Invalid configuration: ${variable} ${problem}`);
    this.name = 'ConfigError';
  }
}

type Env = Readonly<Record<string, string | undefined>>;

export function loadConfig(env: Env = process.env): AppConfig {
  const url = databaseUrl(env);
  return new AppConfig({
    port: integer(env, 'PORT', 3000, 0, 65535),
    host: text(env, 'HOST', '127.0.0.1'),
    databaseUrl: url,
    databasePoolSize: integer(env, 'DATABASE_POOL_SIZE', 10, 1, 200),
    dataDir: resolve(text(env, 'DATA_DIR', './data')),
    logLevel: oneOf(env, 'LOG_LEVEL', LOG_LEVELS, 'info'),
    bodyLimitBytes: integer(env, 'BODY_LIMIT_BYTES', 256 * 1024, 1024, 64 * 1024 * 1024),
    subscriptionPollMs: integer(env, 'SUBSCRIPTION_POLL_MS', 500, 10, 60_000),
    projectionLagReadySeconds: integer(env, 'PROJECTION_LAG_READY_SECONDS', 300, 1, 86_400),
    feedPolicyFile: raw(env, 'FEED_POLICY_FILE'),
    feedMaxStreamsPerPartner: integer(env, 'FEED_MAX_STREAMS_PER_PARTNER', 20, 1, 10_000),
    feedMaxStreamsPerCaller: integer(env, 'FEED_MAX_STREAMS_PER_CALLER', 4, 1, 1_000),
    feedRecheckSeconds: integer(env, 'FEED_RECHECK_SECONDS', 5, 1, 300),
    feedKeepAliveSeconds: integer(env, 'FEED_KEEPALIVE_SECONDS', 15, 1, 3_600),
    caomPolicyDir: raw(env, 'CAOM_POLICY_DIR'),
    continuityPolicyFile: raw(env, 'CONTINUITY_POLICY_FILE'),
    intakeCommunesFile: raw(env, 'INTAKE_COMMUNES_FILE'),
    intakeMaxFileBytes: integer(env, 'INTAKE_MAX_FILE_BYTES', 64 * 1024 * 1024, 1024, 1024 * 1024 * 1024),
    intakeConcurrency: integer(env, 'INTAKE_CONCURRENCY', 8, 1, 64),
    oidcIssuer: text(env, 'OIDC_ISSUER', LOCAL_ISSUER),
    oidcAudience: text(env, 'OIDC_AUDIENCE', 'spie-parcours'),
    oidcJwksUrl: httpUrl(env, 'OIDC_JWKS_URL'),
    jwtClockSkewSeconds: integer(env, 'JWT_CLOCK_SKEW_SECONDS', 30, 0, 300),
    rateLimitPerMinute: integer(env, 'RATE_LIMIT_PER_MINUTE', 6000, 1, 10_000_000),
    accessJournalRetentionMonths: integer(env, 'ACCESS_JOURNAL_RETENTION_MONTHS', 12, 12, 120),
    retentionActiveMonths: integer(env, 'RETENTION_ACTIVE_MONTHS', 24, 1, 240),
    retentionArchiveMonths: integer(env, 'RETENTION_ARCHIVE_MONTHS', 24, 1, 240),
    masterKey: base64Key(env, 'MASTER_KEY', 32),
    blindIndexKey: base64Key(env, 'BLIND_INDEX_KEY', 32),
    blindIndexPreviousKey: base64Key(env, 'BLIND_INDEX_PREVIOUS_KEY', 32),
    pgliteFsync: oneOf(env, 'PGLITE_FSYNC', ['on', 'off'], 'on') === 'on',
    databaseStatementTimeoutMs: integer(env, 'DATABASE_STATEMENT_TIMEOUT_MS', 30_000, 0, 86_400_000),
    databaseLockTimeoutMs: integer(env, 'DATABASE_LOCK_TIMEOUT_MS', 10_000, 0, 86_400_000),
    databaseIdleInTransactionTimeoutMs: integer(env, 'DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS', 60_000, 0, 86_400_000),
    databaseConnectTimeoutMs: integer(env, 'DATABASE_CONNECT_TIMEOUT_MS', 5_000, 100, 600_000),
    databaseConnectRetrySeconds: integer(env, 'DATABASE_CONNECT_RETRY_SECONDS', 60, 0, 3_600),
    readinessTimeoutMs: integer(env, 'READINESS_TIMEOUT_MS', 2_000, 100, 60_000),
    rateLimitPerAddressPerMinute: integer(env, 'RATE_LIMIT_PER_ADDRESS_PER_MINUTE', 6000, 1, 10_000_000),
    authFailuresPerAddressPerMinute: integer(env, 'AUTH_FAILURES_PER_ADDRESS_PER_MINUTE', 60, 1, 10_000_000),
    trustProxy: trustProxy(env, 'TRUST_PROXY'),
    tokenMaxLifetimeSeconds: integer(env, 'TOKEN_MAX_LIFETIME_SECONDS', 36_000, 60, 30 * 86_400),
    processRole: processRole(env, url),
    workerPort: integer(env, 'WORKER_PORT', 3001, 0, 65535),
    webhookAllowHttp: oneOf(env, 'WEBHOOK_ALLOW_HTTP', ['on', 'off'], url === undefined ? 'on' : 'off') === 'on',
    webhookAllowPrivateTargets: oneOf(env, 'WEBHOOK_ALLOW_PRIVATE_TARGETS', ['on', 'off'], url === undefined ? 'on' : 'off') === 'on',
    webhookTimeoutMs: integer(env, 'WEBHOOK_TIMEOUT_MS', 10_000, 100, 120_000),
    webhookRetryBaseMs: integer(env, 'WEBHOOK_RETRY_BASE_MS', 1_000, 1, 3_600_000),
    webhookRetryMaxSeconds: integer(env, 'WEBHOOK_RETRY_MAX_SECONDS', 3_600, 1, 86_400),
    webhookDeadLetterSeconds: integer(env, 'WEBHOOK_DEAD_LETTER_SECONDS', 3 * 86_400, 1, 30 * 86_400),
    webhookSecretOverlapSeconds: integer(env, 'WEBHOOK_SECRET_OVERLAP_SECONDS', 86_400, 0, 30 * 86_400),
    webhookConcurrency: integer(env, 'WEBHOOK_CONCURRENCY', 16, 1, 1_000),
    webLocalSignIn: oneOf(env, 'WEB_LOCAL_SIGN_IN', ['on', 'off'], url === undefined ? 'on' : 'off') === 'on',
    ...webOidc(env),
    webBaseUrl: httpUrl(env, 'WEB_BASE_URL'),
    webSessionIdleMinutes: integer(env, 'WEB_SESSION_IDLE_MINUTES', 120, 5, 24 * 60),
  });
}

/** The three settings of the web pages' OIDC client come together or not at all. */
function webOidc(env: Env): Pick<AppConfig, 'webOidcIssuerUrl' | 'webOidcClientId' | 'webOidcClientSecret'> {
  const webOidcIssuerUrl = httpUrl(env, 'WEB_OIDC_ISSUER_URL');
  const webOidcClientId = raw(env, 'WEB_OIDC_CLIENT_ID');
  const webOidcClientSecret = raw(env, 'WEB_OIDC_CLIENT_SECRET');
  const given = [webOidcIssuerUrl, webOidcClientId, webOidcClientSecret].filter((value) => value !== undefined).length;
  if (given !== 0 && given !== 3) throw new ConfigError('WEB_OIDC_ISSUER_URL', 'WEB_OIDC_CLIENT_ID and WEB_OIDC_CLIENT_SECRET are set together or not at all');
  return { webOidcIssuerUrl, webOidcClientId, webOidcClientSecret };
}

function raw(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === '' ? undefined : value;
}

export function text(env: Env, name: string, fallback: string): string {
  return raw(env, name) ?? fallback;
}

export function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const value = raw(env, name);
  if (value === undefined) return fallback;
  if (!/^-?\d+$/.test(value)) throw new ConfigError(name, `must be an integer, got "${value}"`);
  const parsed = Number(value);
  if (parsed < min || parsed > max) throw new ConfigError(name, `must be between ${min} and ${max}, got ${parsed}`);
  return parsed;
}

export function oneOf<T extends string>(env: Env, name: string, allowed: readonly T[], fallback: T): T {
  const value = raw(env, name);
  if (value === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(value)) {
    throw new ConfigError(name, `must be one of ${allowed.join(', ')}, got "${value}"`);
  }
  return value as T;
}

function httpUrl(env: Env, name: string): string | undefined {
  const value = raw(env, name);
  if (value === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(name, `is not a URL: "${value}"`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new ConfigError(name, 'must be an http(s) URL');
  return value;
}

/** Checked here for shape only; privacy/crypto/master-key.ts turns it into a key. The value never appears in a message. */
function base64Key(env: Env, name: string, bytes: number): string | undefined {
  const value = raw(env, name);
  if (value === undefined) return undefined;
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(value) || Buffer.from(value, 'base64').length !== bytes) {
    throw new ConfigError(name, `must be the base64 of ${bytes} random bytes (openssl rand -base64 ${bytes})`);
  }
  return value;
}

/**
 * Fastify's `trustProxy`, minus `true`: trusting every hop would let any client choose the address
 * its rate limit is counted against by sending X-Forwarded-For.
 */
function trustProxy(env: Env, name: string): false | number | string[] {
  const value = raw(env, name);
  if (value === undefined || value === 'false') return false;
  if (/^\d+$/.test(value)) return integer(env, name, 0, 1, 32);
  const entries = value.split(',').map((entry) => entry.trim());
  const bad = entries.find((entry) => !isAddressOrRange(entry));
  if (bad !== undefined) {
    throw new ConfigError(
      name,
      value === 'true'
        ? 'must not be "true" (any client could then choose its own address): give the number of proxies in front of the service, or their addresses'
        : `must be false, a number of proxies, or addresses/CIDR ranges separated by commas; "${bad}" is none of these`,
    );
  }
  return entries;
}

function isAddressOrRange(entry: string): boolean {
  // proxy-addr's names for the private ranges.
  if (entry === 'loopback' || entry === 'linklocal' || entry === 'uniquelocal') return true;
  const [address = '', bits, ...rest] = entry.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  if (bits === undefined) return true;
  return /^\d{1,3}$/.test(bits) && Number(bits) <= (family === 4 ? 32 : 128);
}

/**
 * `api` and `worker` split one service over several processes, which only a PostgreSQL server can
 * share: the embedded database is open in one process at a time (an `api` alone would never project).
 */
function processRole(env: Env, databaseUrl: string | undefined): ProcessRole {
  const role = oneOf(env, 'PROCESS_ROLE', PROCESS_ROLES, 'all');
  if (role !== 'all' && databaseUrl === undefined) {
    throw new ConfigError('PROCESS_ROLE', `must be "all" on the embedded database (got "${role}"): api and worker processes share a PostgreSQL server (DATABASE_URL)`);
  }
  return role;
}

function databaseUrl(env: Env): string | undefined {
  const value = raw(env, 'DATABASE_URL');
  if (value === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    url = new URL('postgres://host-list');
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    throw new ConfigError('DATABASE_URL', `must use the postgres:// scheme, got "${url.protocol}"`);
  }
  // Several hosts (host1:5432,host2:5432) are not a WHATWG URL: libpq's form, checked on its own.
  try {
    parseMultiHostUrl(value);
  } catch (error) {
    throw new ConfigError('DATABASE_URL', `is not a URL (expected postgres://user@host:port[,host:port…]/database): ${(error as Error).message}`);
  }
  return value;
}
