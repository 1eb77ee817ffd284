import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { SingleBar } from 'cli-progress';
import { Command, CommanderError } from 'commander';
import pino from 'pino';
import { createApp } from '../app.factory.js';
import { readableOnTerminal } from '../http/logging.js';
import { ConfigError, loadConfig } from '../config/app-config.js';
import { SqlClient } from '../database/sql-client.js';
import { loadOrCreateSigningKey, mintToken } from '../partners/auth/signing-key.js';
import { AccessJournal } from '../access-journal/access-journal.js';
import { DEMO_ORGANISATIONS, demoPartnerId } from './consortium.js';
import { DEMO_SEED, type DemoLoadReport, loadDemo } from './demo-loader.js';
import { DEMO_PERSONAS } from './personas.js';

/**
 * `npm run demo`: the service on its own embedded database (`./demo-data`), loaded on first start
 * with the Thiers experimentation consortium and a few thousand parcours since 2021, then serving
 * like `npm start`. `--reset` starts again from nothing.
 *
 * Demo mode must never be switched on by accident against a real database: with DATABASE_URL set
 * it refuses to start unless `--force-database-url` says so, and even then it loads only into a
 * database holding no event at all.
 */

/** The folder holds a demo (and may be deleted by --reset): written when the folder is created. */
const MARKER = 'spie-demo.json';

export class DemoRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DemoRefusedError';
  }
}

export interface DemoSettings {
  dataDir: string;
  reset: boolean;
  parcours: number;
  seed: number;
  databaseUrl: string | undefined;
}

/** What the command line and the environment ask for, or why demo mode is refused. Nothing is touched here. */
export function demoSettings(argv: readonly string[], env: NodeJS.ProcessEnv): DemoSettings {
  const program = new Command('npm run demo --')
    .description('the service with the demo data of the Thiers experimentation consortium')
    .option('--reset', 'delete the demo folder and load the demo again')
    .option('--parcours <count>', 'parcours to load', '3000')
    .option('--seed <number>', 'seed of the generator (the same seed on the same day loads the same data)', String(DEMO_SEED))
    .option('--data-dir <dir>', 'the demo folder (never the service\'s DATA_DIR)', 'demo-data')
    .option('--force-database-url', 'load the demo into the PostgreSQL of DATABASE_URL, which must hold no event yet')
    .exitOverride()
    .configureOutput({ writeErr: (text) => process.stderr.write(text) });
  program.parse([...argv], { from: 'user' });
  const options = program.opts<{ reset?: boolean; parcours: string; seed: string; dataDir: string; forceDatabaseUrl?: boolean }>();
  const databaseUrl = env.DATABASE_URL?.trim() || undefined;
  if (databaseUrl && !options.forceDatabaseUrl) {
    throw new DemoRefusedError(
      'DATABASE_URL is set: demo mode loads made-up people and organisations, and is refused on a database server unless you pass --force-database-url (to load the demo into an empty database). Unset DATABASE_URL to run the demo on its own embedded database in ./demo-data.',
    );
  }
  if (databaseUrl && options.reset) throw new DemoRefusedError('--reset deletes the demo folder of the embedded database; on a database server, start from a new empty database instead');
  const parcours = Number(options.parcours);
  if (!Number.isInteger(parcours) || parcours < 1 || parcours > 100_000) throw new DemoRefusedError('--parcours must be a whole number from 1 to 100 000');
  const seed = Number(options.seed);
  if (!Number.isInteger(seed) || seed < 0 || seed > 2 ** 32 - 1) throw new DemoRefusedError('--seed must be a whole number from 0 to 4 294 967 295');
  return { dataDir: resolve(options.dataDir), reset: options.reset === true, parcours, seed, databaseUrl };
}

interface Marker {
  createdAt: string;
  loaded?: DemoLoadReport & { seed: number; today: string };
}

function readMarker(dataDir: string): Marker | undefined {
  const file = join(dataDir, MARKER);
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Marker) : undefined;
}

/** Deletes the demo folder, only if it is one (a mistyped --data-dir must never delete a real DATA_DIR). */
function resetFolder(dataDir: string): void {
  if (!existsSync(dataDir)) return;
  if (!readMarker(dataDir)) throw new DemoRefusedError(`${dataDir} is not a demo folder (no ${MARKER} in it): not deleted`);
  rmSync(dataDir, { recursive: true, force: true });
}

/** A path as the user would type it from here: relative below the working folder, absolute elsewhere. */
function shown(path: string): string {
  const local = relative(process.cwd(), path);
  return local && !local.startsWith('..') ? local : path;
}

const grouped = (value: number) => value.toLocaleString('fr-FR').replace(/\u202f/g, ' ');

export async function runDemo(settings: DemoSettings): Promise<void> {
  if (settings.reset) resetFolder(settings.dataDir);
  if (existsSync(settings.dataDir) && !readMarker(settings.dataDir)) {
    throw new DemoRefusedError(`${settings.dataDir} exists and is not a demo folder: choose another --data-dir`);
  }
  mkdirSync(settings.dataDir, { recursive: true });
  if (!readMarker(settings.dataDir)) writeFileSync(join(settings.dataDir, MARKER), `${JSON.stringify({ createdAt: new Date().toISOString() } satisfies Marker, null, 2)}\n`);

  // Quiet by default: the service's start-up lines (and its "no platform administrator yet", true
  // for the instant before the load) would bury the summary. LOG_LEVEL=info shows every request.
  const env: NodeJS.ProcessEnv = { LOG_LEVEL: 'error', ...process.env, DATA_DIR: settings.dataDir, DATABASE_URL: settings.databaseUrl ?? '' };
  const config = loadConfig(env);
  const app = await createApp(config, { logDestination: readableOnTerminal(pino.destination({ dest: 1, sync: true })) });
  // Starts the projection runners (they follow the load) without taking requests yet.
  await app.init();
  const db = app.get(SqlClient);
  let marker = readMarker(settings.dataDir)!;
  const [{ events, demo } = { events: 0, demo: false }] = await db.query<{ events: number; demo: boolean }>(
    `SELECT (SELECT count(*)::int FROM events) AS events, EXISTS (SELECT 1 FROM partners WHERE partner_id = $1) AS demo`,
    [demoPartnerId(DEMO_ORGANISATIONS[0]!.key)],
  );
  if (!marker.loaded && demo && !settings.databaseUrl) {
    // The marker is written at the end of the load: the demo's organisations without it are a load
    // cut short (a crash, Ctrl-C), whose data would be served as if whole.
    await app.close();
    throw new DemoRefusedError(`the load into ${shown(settings.dataDir)} was interrupted: start again with --reset`);
  }
  if (!marker.loaded || (settings.databaseUrl && !demo)) {
    if (events > 0 && !demo) {
      await app.close();
      throw new DemoRefusedError('the database already holds events that are not the demo\'s: the demo loads only into an empty database');
    }
    if (!demo) {
      process.stdout.write(`Loading the Thiers experimentation consortium and ${grouped(settings.parcours)} parcours (seed ${settings.seed})…\n`);
      const bar = process.stdout.isTTY ? new SingleBar({ format: ' {bar} {percentage}% | {phase}: {value}/{total} | {events} events', hideCursor: true }) : undefined;
      bar?.start(settings.parcours, 0, { events: 0, phase: 'parcours' });
      let lastDecile = 0;
      let lastPhase = 'parcours';
      const report = await loadDemo(app, {
        parcours: settings.parcours,
        seed: settings.seed,
        onProgress: ({ phase, done, total, events: written }) => {
          if (phase !== lastPhase) {
            lastPhase = phase;
            lastDecile = 0;
            bar?.setTotal(total);
          }
          bar?.update(done, { events: grouped(written), phase: phase === 'parcours' ? 'parcours' : 'read models (events applied)' });
          const decile = Math.floor((done / total) * 10);
          if (!bar && decile > lastDecile) {
            lastDecile = decile;
            process.stdout.write(`  ${phase}: ${decile * 10}% (${done}/${total})\n`);
          }
        },
      });
      bar?.stop();
      marker = { ...marker, loaded: { ...report, seed: settings.seed, today: new Date().toISOString().slice(0, 10) } };
      writeFileSync(join(settings.dataDir, MARKER), `${JSON.stringify(marker, null, 2)}\n`);
    }
  }

  await app.listen(config.port, config.host);
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const baseUrl = `http://${config.host}:${port}`;
  const tokens = await mintPersonaTokens(app, config, settings.dataDir);
  process.stdout.write(summary(marker, settings, baseUrl, tokens, Math.round(config.tokenMaxLifetimeSeconds / 3600)));
}

/**
 * A token for each persona, written in the demo folder (mode 600) and journaled like `cli tokens
 * mint`: on the embedded database the CLI cannot open it while the demo runs.
 */
async function mintPersonaTokens(app: Awaited<ReturnType<typeof createApp>>, config: ReturnType<typeof loadConfig>, dataDir: string): Promise<string> {
  const folder = join(dataDir, 'tokens');
  mkdirSync(folder, { recursive: true, mode: 0o700 });
  const key = await loadOrCreateSigningKey(config.dataDir);
  const journal = app.get(AccessJournal);
  for (const persona of DEMO_PERSONAS) {
    const token = await mintToken(key, { subject: persona.userId, issuer: config.oidcIssuer, audience: config.oidcAudience, ttlSeconds: config.tokenMaxLifetimeSeconds });
    await journal.record({ actor: { userId: 'cli:demo', role: 'operator' }, operation: 'token.mint', recordType: 'member', recordId: persona.userId, outcome: 'ok', correlationId: randomUUID() });
    writeFileSync(join(folder, `${persona.userId}.jwt`), `${token}\n`, { mode: 0o600 });
  }
  return folder;
}

function summary(marker: Marker, settings: DemoSettings, baseUrl: string, tokens: string, tokenHours: number): string {
  const loaded = marker.loaded;
  const tokenDir = shown(tokens);
  const lines: string[] = [''];
  lines.push('spie-parcours demo — consortium de l’expérimentation SPIE de Thiers (Puy-de-Dôme)');
  if (loaded) {
    const status = (name: string) => grouped(loaded.byStatus[name] ?? 0);
    lines.push(
      `  ${loaded.organisations} organisations, ${grouped(loaded.members)} members, ${grouped(loaded.parcours)} parcours (${status('open')} open, ${status('suspended')} suspended, ${status('exited')} exited), ${grouped(loaded.events)} events`,
      `  loaded on ${loaded.today} in ${loaded.seconds.total} s (consortium ${loaded.seconds.consortium} s, parcours ${loaded.seconds.parcours} s, read models ${loaded.seconds.projections} s), seed ${loaded.seed}`,
    );
    if (loaded.refused.length) lines.push(`  ${loaded.refused.length} generated steps were refused by the decider and left out`);
  } else {
    lines.push('  the demo was loaded into this database by an earlier start');
  }
  lines.push(
    `  listening on ${baseUrl} — API documentation ${baseUrl}/docs`,
    settings.databaseUrl
      ? '  data in the PostgreSQL of DATABASE_URL (to load it again, start from an empty database)'
      : `  data in ${shown(settings.dataDir)} (npm run demo -- --reset loads it again from nothing)`,
    '',
    `Personas (a token for each, valid ${tokenHours} h, in ${tokenDir}/<user id>.jwt):`,
  );
  const width = Math.max(...DEMO_PERSONAS.map((persona) => persona.userId.length));
  for (const persona of DEMO_PERSONAS) {
    lines.push(`  ${persona.userId.padEnd(width)}  ${persona.role.padEnd(19)}  ${persona.displayName}, ${persona.organisation}`);
  }
  lines.push(
    '',
    'Try:',
    `  curl -H "authorization: Bearer $(cat ${tokenDir}/coordinatrice.thiers.jwt)" ${baseUrl}/v1/caseload`,
    `  curl -H "authorization: Bearer $(cat ${tokenDir}/auditeur.ddets.jwt)" "${baseUrl}/v1/reports/continuity"`,
    'Another token, for any member (once the demo is stopped: one process at a time opens the embedded database):',
    `  DATA_DIR=${shown(settings.dataDir)} npm run --silent cli -- tokens mint --sub referente.ml-thiers`,
    '',
    'ready',
    '',
  );
  return lines.join('\n');
}

async function main(): Promise<void> {
  let settings: DemoSettings;
  try {
    settings = demoSettings(process.argv.slice(2), process.env);
    await runDemo(settings);
  } catch (error) {
    if (error instanceof CommanderError) process.exit(error.exitCode);
    if (error instanceof DemoRefusedError || error instanceof ConfigError) {
      process.stderr.write(`npm run demo: ${error.message}\n`);
      process.exit(2);
    }
    process.stderr.write(`npm run demo could not start: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
