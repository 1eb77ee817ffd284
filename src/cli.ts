import { Command, CommanderError, Option } from 'commander';
import { ConfigError, loadConfig } from './config/app-config.js';
import { migrate } from './database/migrator.js';
import { openDatabase } from './database/open-database.js';
import { MEMBER_ID_DESCRIPTION, isMemberId } from './access/member-id.js';
import { assertBusinessDate } from './kernel/calendar.js';

/**
 * Operator commands (`npm run cli -- <command>`). Each command opens what it needs from the same
 * validated configuration as the service, does its work and exits non-zero on failure.
 */
export function buildCli(): Command {
  const program = new Command('spie-parcours').description('spie-parcours operator commands').exitOverride();

  program
    .command('migrate')
    .description('apply pending database migrations (the service also applies them at start)')
    .action(async () => {
      const config = loadConfig();
      const db = await openDatabase(config);
      try {
        const report = await migrate(db);
        const names = report.applied.map((migration) => `${String(migration.version).padStart(4, '0')}_${migration.name}`);
        process.stdout.write(
          names.length ? `applied ${names.join(', ')}\n` : `schema up to date (${report.alreadyApplied} migrations)\n`,
        );
      } finally {
        await db.close();
      }
    });

  const tokens = program.command('tokens').description('bearer tokens signed with the local key (embedded identity provider)');
  tokens
    .command('mint')
    .description('print a token for a member (the `sub` of a person added to an organisation); journaled in the access journal')
    .requiredOption('--sub <sub>', 'the member\'s user id')
    .option('--ttl <seconds>', 'lifetime in seconds, at most TOKEN_MAX_LIFETIME_SECONDS (default: 8 hours, a working day, or that maximum if shorter)')
    .action(async (options: { sub: string; ttl?: string }) => {
      const { mintTokenCommand } = await import('./partners/auth/token-cli.js');
      const config = loadConfig();
      if (!isMemberId(options.sub)) throw new Error(`--sub must be a user id: ${MEMBER_ID_DESCRIPTION}`);
      const ttlSeconds = options.ttl === undefined ? Math.min(8 * 3600, config.tokenMaxLifetimeSeconds) : Number(options.ttl);
      process.stdout.write(`${await mintTokenCommand(config, { sub: options.sub, ttlSeconds })}\n`);
    });

  program
    .command('partners')
    .description('partner organisations')
    .command('bootstrap')
    .description('register the first organisation with its first platform administrator (a fresh installation has nobody else)')
    .requiredOption('--name <name>', 'organisation name')
    .requiredOption('--kind <kind>', 'organisation kind, e.g. departement')
    .requiredOption('--territory <code...>', 'territory codes it serves (see GET /v1/territories)')
    .option('--siret <siret>', 'SIRET, 14 digits')
    .requiredOption('--admin-sub <sub>', "the administrator's user id (sub)")
    .requiredOption('--admin-name <name>', "the administrator's display name")
    .option('--force', 'bootstrap although organisations exist (refused otherwise); journaled')
    .action(async (options: { name: string; kind: string; territory: string[]; siret?: string; adminSub: string; adminName: string; force?: boolean }) => {
      const { bootstrapPlatform } = await import('./bootstrap.js');
      const partnerId = await bootstrapPlatform(loadConfig(), options);
      process.stdout.write(`organisation ${partnerId} registered; ${options.adminSub} is platform administrator\n`);
    });

  const projections = program.command('projections').description('the asynchronous read models');
  projections
    .command('status')
    .description("each projection's position, lag (events and seconds) and errors")
    .action(async () => {
      const { projectionsStatus } = await import('./projections-cli.js');
      process.stdout.write(await projectionsStatus(loadConfig()));
    });
  projections
    .command('rebuild')
    .argument('<name>', 'a projection name, or "all"')
    .description('rebuild from the first event into a new generation beside the live one, then switch')
    .action(async (name: string) => {
      const { rebuild } = await import('./projections-cli.js');
      process.stdout.write(await rebuild(loadConfig(), name));
    });

  const audit = program.command('audit').description('audit tools: replay as of a date, timelines, hash chains, continuity (journaled)');
  audit
    .command('verify')
    .description('recompute the hash chains (one stream, a category or the whole store); exits 1 on any break')
    .option('--stream <streamId>', 'one stream, e.g. parcours-<uuid>')
    .option('--category <category>', 'every stream of a category, e.g. parcours')
    .option('--quiet', 'no progress bar')
    .action(async (options: { stream?: string; category?: string; quiet?: boolean }) => {
      const { verifyCommand } = await import('./audit/audit-cli.js');
      const code = await verifyCommand(loadConfig(), options);
      if (code !== 0) throw new CliExit(code);
    });
  audit
    .command('replay')
    .argument('<parcoursId>')
    .requiredOption('--as-of <date>', 'YYYY-MM-DD')
    .option('--as-known', 'as the system knew it at that date (recording time) rather than as the facts were (business dates)')
    .description('the state of a parcours as it stood at a date (JSON)')
    .action(async (parcoursId: string, options: { asOf: string; asKnown?: boolean }) => {
      const { replayCommand } = await import('./audit/audit-cli.js');
      process.stdout.write(await replayCommand(loadConfig(), parcoursId, options.asOf, options.asKnown ? 'known' : 'facts'));
    });
  audit
    .command('timeline')
    .argument('<parcoursId>')
    .addOption(new Option('--format <format>', 'output format').choices(['json', 'csv', 'html']).default('html'))
    .option('--out <file>', 'write there instead of the standard output')
    .option('--as-of <date>', 'ruptures as of this date (default: today)')
    .description('the history of a parcours: dates, facts, organisations, event ids and hashes, ruptures')
    .action(async (parcoursId: string, options: { format: string; out?: string; asOf?: string }) => {
      const { timelineCommand } = await import('./audit/audit-cli.js');
      process.stdout.write(await timelineCommand(loadConfig(), parcoursId, options));
    });
  audit
    .command('continuity')
    .requiredOption('--territory <code>', 'an EPCI code')
    .requiredOption('--as-of <date>', 'YYYY-MM-DD')
    .addOption(new Option('--format <format>', 'output format').choices(['csv', 'html']).default('csv'))
    .option('--out <file>', 'write there instead of the standard output')
    .option('--as-known', 'the ruptures the system showed on that date (events recorded by then) rather than as the facts were')
    .description('the ruptures of every parcours of a territory as of a date, by regime')
    .action(async (options: { territory: string; asOf: string; format: string; out?: string; asKnown?: boolean }) => {
      const { continuityCommand } = await import('./audit/audit-cli.js');
      process.stdout.write(await continuityCommand(loadConfig(), options));
    });

  const privacy = program.command('privacy').description('the personal-data lifecycle: retention (R. 263-8 CASF) and the erasure ledger');
  privacy
    .command('retention')
    .description('archive the parcours idle for RETENTION_ACTIVE_MONTHS, erase those archived for RETENTION_ARCHIVE_MONTHS (the nightly job)')
    .option('--dry-run', 'only list what a run would archive and erase')
    .option('--as-of <date>', 'with --dry-run: plan the run of that day (YYYY-MM-DD)')
    .option('--json', 'JSON instead of text')
    .action(async (options: { dryRun?: boolean; asOf?: string; json?: boolean }) => {
      if (options.asOf !== undefined) assertBusinessDate(options.asOf, '--as-of');
      const { retentionCommand } = await import('./personal-data/privacy-cli.js');
      process.stdout.write(await retentionCommand(loadConfig(), options));
    });
  const erasures = privacy.command('erasures').description('the erasure ledger, to keep outside the database backups');
  erasures
    .command('export')
    .description('write the ledger of erasures (no personal data: subject ids, dates, legal grounds)')
    .option('--out <file>', 'write there (mode 600) instead of the standard output')
    .action(async (options: { out?: string }) => {
      const { exportErasuresCommand } = await import('./personal-data/privacy-cli.js');
      process.stdout.write(await exportErasuresCommand(loadConfig(), options.out));
    });
  erasures
    .command('replay')
    .description('after restoring a backup: add the erasures it lost and destroy their keys again')
    .requiredOption('--from <file>', 'a ledger written by `privacy erasures export`')
    .action(async (options: { from: string }) => {
      const { replayErasuresCommand } = await import('./personal-data/privacy-cli.js');
      process.stdout.write(await replayErasuresCommand(loadConfig(), options.from));
    });

  program
    .command('intake')
    .description('the CAF/MSA monthly flow of RSA entrants')
    .command('import')
    .argument('<file>', 'the CSV file (columns in the README)')
    .requiredOption('--as <sub>', 'the member the import acts as: a coordinator or a platform administrator (journaled)')
    .option('--quiet', 'no progress bar')
    .option('--json', 'the report as JSON')
    .description('open a parcours per new entrant, record changes of rights of people already followed; idempotent, resumes after a crash')
    .action(async (file: string, options: { as: string; quiet?: boolean; json?: boolean }) => {
      const { intakeImportCommand } = await import('./intake/intake-cli.js');
      process.stdout.write(await intakeImportCommand(loadConfig(), file, options));
    });

  program
    .command('blind-index')
    .description('the blind indexes of identifiers (search, one open parcours per person)')
    .command('reindex')
    .description('index every parcours under the current BLIND_INDEX_KEY only: the last step of a key rotation, or a backfill')
    .option('--quiet', 'no progress bar')
    .action(async (options: { quiet?: boolean }) => {
      const { reindexBlindIndexCommand } = await import('./personal-data/privacy-cli.js');
      process.stdout.write(await reindexBlindIndexCommand(loadConfig(), options));
    });

  program
    .command('openapi')
    .description('write the OpenAPI document')
    .option('--out <file>', 'where to write it', 'openapi.json')
    .action(async (options: { out: string }) => {
      const { writeOpenApiDocument } = await import('./openapi-export.js');
      await writeOpenApiDocument(options.out);
      process.stdout.write(`OpenAPI document written to ${options.out}\n`);
    });

  return program;
}

/** Thrown by a command whose outcome is a non-zero exit code (a broken hash chain, say), not an error. */
export class CliExit extends Error {
  constructor(readonly code: number) {
    super(`exit ${code}`);
  }
}

export async function runCli(argv: readonly string[]): Promise<number> {
  // An operator's command (a rebuild, a whole-store verify) may rightly run longer than any request:
  // no statement timeout unless one is set explicitly. Lock and idle timeouts still apply.
  process.env.DATABASE_STATEMENT_TIMEOUT_MS ??= '0';
  try {
    await buildCli().parseAsync([...argv], { from: 'user' });
    return 0;
  } catch (error) {
    if (error instanceof CliExit) return error.code;
    if (error instanceof CommanderError) return error.exitCode;
    process.stderr.write(`${error instanceof ConfigError ? error.message : error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  process.exitCode = await runCli(process.argv.slice(2));
}
