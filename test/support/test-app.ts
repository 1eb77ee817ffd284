import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createApp } from '../../src/app.factory.js';
import type { AppOptions } from '../../src/app.module.js';
import { AppConfig, loadConfig } from '../../src/config/app-config.js';
import { copyPgliteTemplate } from './pglite-template.js';
import { type TestDatabase, defaultTarget } from './test-database.js';

export interface RunningApp {
  app: NestFastifyApplication;
  baseUrl: string;
  config: AppConfig;
  database: TestDatabase | undefined;
  /** Stops the service but keeps its data (DATA_DIR, the schema): to look at what it left, or run the CLI on it. */
  stop(): Promise<void>;
  close(): Promise<void>;
}

/**
 * The real service on a free port, over real HTTP: on PostgreSQL in a schema of its own when
 * DATABASE_URL is set, otherwise on PGlite in a temporary data folder.
 */
export async function startApp(
  overrides: Partial<Record<string, string>> = {},
  options: AppOptions = {},
  /**
   * A second instance of the service beside `instanceOf` (which owns them): the same PostgreSQL
   * schema, and the same DATA_DIR, hence the same token signing key. `fresh`: on PGlite, a first
   * start on an empty data folder (initdb and every migration), as a new deployment's.
   */
  { instanceOf, fresh = false }: { instanceOf?: RunningApp; fresh?: boolean } = {},
): Promise<RunningApp> {
  const dataDir = instanceOf?.config.dataDir ?? mkdtempSync(join(tmpdir(), 'spie-test-'));
  const target = defaultTarget();
  // On PGlite, the service starts on a copy of the migrated template (its own start then finds
  // nothing to migrate), unless the test asks for a first start on an empty folder.
  if (target.name === 'pglite' && !instanceOf && !fresh) await copyPgliteTemplate(join(dataDir, 'pglite'));
  const database = target.name === 'postgres' && !instanceOf ? await target.open({ migrate: false }) : undefined;
  if (database) await database.db.close();
  const url = instanceOf ? instanceOf.config.databaseUrl : database?.url;
  // A server deployment must be given its master key (instances share it); each test app gets its own.
  const masterKey = instanceOf ? (instanceOf.config.masterKey ?? '') : database ? randomBytes(32).toString('base64') : '';
  // A test's embedded database is thrown away: no fsync, which doubles the time of commit-heavy
  // suites (the authorisation matrix). Durability itself is tested with the default (fsync on) in
  // test/database/pglite-durability.int-spec.ts.
  // Likewise the blind-index key (instances must compute the same digests).
  const blindIndexKey = instanceOf ? (instanceOf.config.blindIndexKey ?? '') : database ? randomBytes(32).toString('base64') : '';
  const base = loadConfig({ LOG_LEVEL: 'silent', MASTER_KEY: masterKey, BLIND_INDEX_KEY: blindIndexKey, PGLITE_FSYNC: 'off', ...overrides, DATA_DIR: dataDir, DATABASE_URL: url ?? '' });
  const config = new AppConfig({ ...base, port: 0 });
  const app = await createApp(config, options);
  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : 0;
  let stopped = false;
  return {
    app,
    baseUrl: `http://127.0.0.1:${port}`,
    config,
    database,
    stop: async () => {
      if (stopped) return;
      stopped = true;
      await app.close();
    },
    close: async () => {
      if (!stopped) await app.close();
      stopped = true;
      await database?.close();
      if (!instanceOf) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
