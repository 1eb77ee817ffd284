/**
 * Builds the service (`nest build`) only when the sources changed since the last build: `npm run
 * cli`, `npm run migrate` and `npm run demo` run the built output, and an operator's tenth command
 * should not wait for ten builds. The last successful build leaves `dist/.build-stamp`; a file of
 * src/ (or the build's own configuration) newer than it, or no stamp, means build again.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import process from 'node:process';

const stamp = join('dist', '.build-stamp');

function newest(path) {
  const stats = statSync(path);
  if (!stats.isDirectory()) return stats.mtimeMs;
  return readdirSync(path).reduce((latest, entry) => Math.max(latest, newest(join(path, entry))), stats.mtimeMs);
}

const sources = Math.max(newest('src'), ...['tsconfig.json', 'nest-cli.json', 'package-lock.json'].map((file) => (existsSync(file) ? statSync(file).mtimeMs : 0)));
if (!existsSync(stamp) || statSync(stamp).mtimeMs < sources) {
  process.stderr.write('building (sources changed since the last build)…\n');
  const started = Date.now();
  const build = spawnSync(process.execPath, [join('node_modules', '@nestjs', 'cli', 'bin', 'nest.js'), 'build'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (build.status !== 0) {
    process.stderr.write(`${build.stdout}${build.stderr}the build failed\n`);
    process.exit(build.status ?? 1);
  }
  writeFileSync(stamp, `${new Date(started).toISOString()}\n`);
}
