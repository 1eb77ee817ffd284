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
  ])('stops on %j with a message naming the variable', (env, message) => {
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

  it('treats an empty value as unset', () => {
    expect(loadConfig({ DATABASE_URL: '  ', PORT: '' })).toMatchObject({ databaseUrl: undefined, port: 3000 });
  });
});
