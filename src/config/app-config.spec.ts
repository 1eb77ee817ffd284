import { ConfigError, loadConfig } from './app-config.js';

describe('loadConfig', () => {
  it('gives sane defaults on an empty environment: embedded database in ./data', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({ port: 3000, host: '127.0.0.1', databaseUrl: undefined, logLevel: 'info', databasePoolSize: 10 });
    expect(config.dataDir).toMatch(/\/data$/);
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('reads every variable it knows', () => {
    const config = loadConfig({
      PORT: '8080',
      HOST: '0.0.0.0',
      DATABASE_URL: 'postgres://app@db:5432/spie',
      DATABASE_POOL_SIZE: '25',
      DATA_DIR: '/var/lib/spie',
      LOG_LEVEL: 'warn',
      BODY_LIMIT_BYTES: '65536',
    });
    expect(config).toMatchObject({
      port: 8080,
      host: '0.0.0.0',
      databaseUrl: 'postgres://app@db:5432/spie',
      databasePoolSize: 25,
      dataDir: '/var/lib/spie',
      logLevel: 'warn',
      bodyLimitBytes: 65536,
    });
  });

  it.each([
    [{ PORT: 'eighty' }, 'PORT must be an integer'],
    [{ PORT: '70000' }, 'PORT must be between 0 and 65535'],
    [{ DATABASE_URL: 'mysql://x@y/z' }, 'DATABASE_URL must use the postgres:// scheme'],
    [{ DATABASE_URL: 'not a url' }, 'DATABASE_URL is not a URL'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL must be one of'],
    [{ DATABASE_POOL_SIZE: '0' }, 'DATABASE_POOL_SIZE must be between 1 and 200'],
    [{ DATABASE_URL: 'postgres://app@db1:5432,db2:port/spie' }, 'DATABASE_URL is not a URL'],
    [{ PROCESS_ROLE: 'both' }, 'PROCESS_ROLE must be one of all, api, worker'],
    [{ PROCESS_ROLE: 'api' }, 'PROCESS_ROLE must be "all" on the embedded database'],
    [{ PROCESS_ROLE: 'worker' }, 'PROCESS_ROLE must be "all" on the embedded database'],
    [{ PROCESS_ROLE: 'worker', DATABASE_URL: 'postgres://app@db/spie', WORKER_PORT: '-1' }, 'WORKER_PORT must be'],
    [{ INTAKE_CONCURRENCY: '0' }, 'INTAKE_CONCURRENCY must be between 1 and 64'],
    [{ INTAKE_MAX_FILE_BYTES: 'big' }, 'INTAKE_MAX_FILE_BYTES must be an integer'],
    [{ BLIND_INDEX_KEY: 'c2hvcnQ=' }, 'BLIND_INDEX_KEY must be the base64 of 32 random bytes'],
    [{ BLIND_INDEX_PREVIOUS_KEY: 'not base64!' }, 'BLIND_INDEX_PREVIOUS_KEY must be the base64 of 32 random bytes'],
  ])('stops on %j with a message naming the variable', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });

  it('takes a multi-host DATABASE_URL (a pg_auto_failover formation)', () => {
    const url = 'postgres://app@node1:6010,node2:6011/spie?target_session_attrs=read-write';
    expect(loadConfig({ DATABASE_URL: url }).databaseUrl).toBe(url);
  });

  it('runs everything in one process by default; api and worker roles on a PostgreSQL server', () => {
    expect(loadConfig({})).toMatchObject({ processRole: 'all', workerPort: 3001 });
    expect(loadConfig({ PROCESS_ROLE: 'api', DATABASE_URL: 'postgres://app@db/spie' })).toMatchObject({ processRole: 'api' });
    expect(loadConfig({ PROCESS_ROLE: 'worker', WORKER_PORT: '9101', DATABASE_URL: 'postgres://app@db/spie' })).toMatchObject({ processRole: 'worker', workerPort: 9101 });
  });

  it('reads the blind-index keys (unset: the key file in DATA_DIR/keys)', () => {
    const key = Buffer.alloc(32, 7).toString('base64');
    const previous = Buffer.alloc(32, 9).toString('base64');
    expect(loadConfig({ BLIND_INDEX_KEY: key, BLIND_INDEX_PREVIOUS_KEY: previous })).toMatchObject({ blindIndexKey: key, blindIndexPreviousKey: previous });
    expect(loadConfig({})).toMatchObject({ blindIndexKey: undefined, blindIndexPreviousKey: undefined });
  });

  it('hardens by default: fsync on, database timeouts, per-address limits, no trusted proxy, tokens of at most 10 hours', () => {
    expect(loadConfig({})).toMatchObject({
      pgliteFsync: true,
      databaseStatementTimeoutMs: 30_000,
      databaseLockTimeoutMs: 10_000,
      databaseIdleInTransactionTimeoutMs: 60_000,
      databaseConnectTimeoutMs: 5_000,
      databaseConnectRetrySeconds: 60,
      readinessTimeoutMs: 2_000,
      rateLimitPerAddressPerMinute: 6000,
      authFailuresPerAddressPerMinute: 60,
      trustProxy: false,
      tokenMaxLifetimeSeconds: 36_000,
    });
  });

  it('reads the hardening settings', () => {
    const config = loadConfig({
      PGLITE_FSYNC: 'off',
      DATABASE_STATEMENT_TIMEOUT_MS: '0',
      DATABASE_LOCK_TIMEOUT_MS: '500',
      DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS: '1000',
      DATABASE_CONNECT_TIMEOUT_MS: '250',
      DATABASE_CONNECT_RETRY_SECONDS: '0',
      READINESS_TIMEOUT_MS: '700',
      RATE_LIMIT_PER_ADDRESS_PER_MINUTE: '100',
      AUTH_FAILURES_PER_ADDRESS_PER_MINUTE: '5',
      TOKEN_MAX_LIFETIME_SECONDS: '3600',
    });
    expect(config).toMatchObject({
      pgliteFsync: false,
      databaseStatementTimeoutMs: 0,
      databaseLockTimeoutMs: 500,
      databaseIdleInTransactionTimeoutMs: 1000,
      databaseConnectTimeoutMs: 250,
      databaseConnectRetrySeconds: 0,
      readinessTimeoutMs: 700,
      rateLimitPerAddressPerMinute: 100,
      authFailuresPerAddressPerMinute: 5,
      tokenMaxLifetimeSeconds: 3600,
    });
  });

  it.each([
    ['false', false],
    ['2', 2],
    ['10.0.0.1', ['10.0.0.1']],
    ['10.0.0.0/8, 192.168.1.1,::1, fd00::/8', ['10.0.0.0/8', '192.168.1.1', '::1', 'fd00::/8']],
    ['loopback,uniquelocal', ['loopback', 'uniquelocal']],
  ])('reads TRUST_PROXY=%j as Fastify expects it', (value, expected) => {
    expect(loadConfig({ TRUST_PROXY: value }).trustProxy).toEqual(expected);
  });

  it.each([
    [{ PGLITE_FSYNC: 'no' }, 'PGLITE_FSYNC must be one of on, off'],
    [{ DATABASE_STATEMENT_TIMEOUT_MS: '-1' }, 'DATABASE_STATEMENT_TIMEOUT_MS must be between 0 and'],
    [{ DATABASE_LOCK_TIMEOUT_MS: '10s' }, 'DATABASE_LOCK_TIMEOUT_MS must be an integer'],
    [{ DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS: 'x' }, 'DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS must be an integer'],
    [{ DATABASE_CONNECT_TIMEOUT_MS: '0' }, 'DATABASE_CONNECT_TIMEOUT_MS must be between 100 and'],
    [{ DATABASE_CONNECT_RETRY_SECONDS: '7200' }, 'DATABASE_CONNECT_RETRY_SECONDS must be between 0 and 3600'],
    [{ READINESS_TIMEOUT_MS: '10' }, 'READINESS_TIMEOUT_MS must be between 100 and'],
    [{ RATE_LIMIT_PER_ADDRESS_PER_MINUTE: '0' }, 'RATE_LIMIT_PER_ADDRESS_PER_MINUTE must be between 1 and'],
    [{ AUTH_FAILURES_PER_ADDRESS_PER_MINUTE: 'many' }, 'AUTH_FAILURES_PER_ADDRESS_PER_MINUTE must be an integer'],
    [{ TRUST_PROXY: 'true' }, 'TRUST_PROXY must not be "true"'],
    [{ TRUST_PROXY: '0' }, 'TRUST_PROXY must be between 1 and 32'],
    [{ TRUST_PROXY: '10.0.0.1, proxy.local' }, 'TRUST_PROXY must be false, a number of proxies, or addresses/CIDR ranges separated by commas; "proxy.local"'],
    [{ TRUST_PROXY: '10.0.0.0/33' }, '"10.0.0.0/33" is none of these'],
    [{ TOKEN_MAX_LIFETIME_SECONDS: '30' }, 'TOKEN_MAX_LIFETIME_SECONDS must be between 60 and 2592000'],
  ])('stops on the hardening setting %j with a message naming it', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });

  it('caps open feed streams per organisation and per caller, re-checked every 5 s by default', () => {
    expect(loadConfig({})).toMatchObject({ feedMaxStreamsPerPartner: 20, feedMaxStreamsPerCaller: 4, feedRecheckSeconds: 5 });
    expect(loadConfig({ FEED_MAX_STREAMS_PER_PARTNER: '50', FEED_MAX_STREAMS_PER_CALLER: '2', FEED_RECHECK_SECONDS: '1' })).toMatchObject({
      feedMaxStreamsPerPartner: 50,
      feedMaxStreamsPerCaller: 2,
      feedRecheckSeconds: 1,
    });
    expect(() => loadConfig({ FEED_MAX_STREAMS_PER_PARTNER: '0' })).toThrow('FEED_MAX_STREAMS_PER_PARTNER must be between 1 and 10000');
    expect(() => loadConfig({ FEED_MAX_STREAMS_PER_CALLER: 'four' })).toThrow('FEED_MAX_STREAMS_PER_CALLER must be an integer');
    expect(() => loadConfig({ FEED_RECHECK_SECONDS: '0' })).toThrow('FEED_RECHECK_SECONDS must be between 1 and 300');
  });

  it('sends a keep-alive on a quiet feed stream every 15 s by default, between 1 s and an hour', () => {
    expect(loadConfig({}).feedKeepAliveSeconds).toBe(15);
    expect(loadConfig({ FEED_KEEPALIVE_SECONDS: '60' }).feedKeepAliveSeconds).toBe(60);
    expect(() => loadConfig({ FEED_KEEPALIVE_SECONDS: '0' })).toThrow('FEED_KEEPALIVE_SECONDS must be between 1 and 3600');
    expect(() => loadConfig({ FEED_KEEPALIVE_SECONDS: '3601' })).toThrow('FEED_KEEPALIVE_SECONDS must be between 1 and 3600');
  });

  it('treats an empty value as unset', () => {
    expect(loadConfig({ DATABASE_URL: '  ', PORT: '' })).toMatchObject({ databaseUrl: undefined, port: 3000 });
  });
});
