import { createHash, randomBytes } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { migrate } from '../../src/database/migrator.js';
import { PgliteSqlClient } from '../../src/database/pglite-sql-client.js';

const MIGRATIONS = fileURLToPath(new URL('../../src/database/migrations/', import.meta.url));
const PGLITE_PACKAGE = fileURLToPath(new URL('../../node_modules/@electric-sql/pglite/package.json', import.meta.url));

const made = new Map<'migrated' | 'empty', Promise<string>>();

/**
 * A PGlite data folder initialised and migrated once, for every test of every run that needs a
 * fresh embedded database: copying it (~0.2 s) replaces PGlite's initdb and the migrations (2 to
 * 6 s on this machine), which most test files pay once or more. Kept in the temporary folder
 * under a name derived from the migrations and the PGlite version, so that a change to either
 * makes a new one. Several test workers may build it at once: each builds in a folder of its own
 * and renames it into place; the one that loses the rename uses the winner's.
 */
export function pgliteTemplate(kind: 'migrated' | 'empty' = 'migrated'): Promise<string> {
  let template = made.get(kind);
  if (!template) {
    template = build(kind);
    made.set(kind, template);
  }
  return template;
}

async function build(kind: 'migrated' | 'empty'): Promise<string> {
  const hash = createHash('sha256');
  hash.update(readFileSync(PGLITE_PACKAGE));
  for (const file of readdirSync(MIGRATIONS).sort()) hash.update(file).update(readFileSync(join(MIGRATIONS, file)));
  const folder = join(tmpdir(), `spie-pglite-template-${kind}-${hash.digest('hex').slice(0, 16)}`);
  if (existsSync(join(folder, 'PG_VERSION'))) return folder;
  const building = `${folder}.${randomBytes(4).toString('hex')}`;
  const db = await PgliteSqlClient.open(building, { fsync: false });
  try {
    if (kind === 'migrated') await migrate(db);
  } finally {
    await db.close();
  }
  try {
    renameSync(building, folder);
  } catch {
    // Another worker's is in place.
    rmSync(building, { recursive: true, force: true });
  }
  return folder;
}

/** A fresh copy of the template (migrated, or only initialised) at `pgliteDir` (which must not exist yet). */
export async function copyPgliteTemplate(pgliteDir: string, kind: 'migrated' | 'empty' = 'migrated'): Promise<void> {
  const template = await pgliteTemplate(kind);
  mkdirSync(join(pgliteDir, '..'), { recursive: true });
  cpSync(template, pgliteDir, { recursive: true });
}
