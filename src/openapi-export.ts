import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp } from './app.factory.js';
import { loadConfig } from './config/app-config.js';
import { buildOpenApiDocument } from './openapi.js';

/** Builds the application on a throw-away embedded database, only to describe it. */
export async function writeOpenApiDocument(file: string): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'spie-openapi-'));
  try {
    // Thrown away at once: nothing to flush to disk.
    const app = await createApp(loadConfig({ LOG_LEVEL: 'silent', DATA_DIR: dataDir, PGLITE_FSYNC: 'off' }));
    await app.init();
    writeFileSync(file, `${JSON.stringify(buildOpenApiDocument(app), null, 2)}\n`);
    await app.close();
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}
