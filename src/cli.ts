import { Command, CommanderError } from 'commander';
import { ConfigError, loadConfig } from './config/app-config.js';
import { migrate } from './database/migrator.js';
import { openDatabase } from './database/open-database.js';
import { loadOrCreateSigningKey, mintToken } from './partners/auth/signing-key.js';

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
    .description('print a token for a member (the `sub` of a person added to an organisation)')
    .requiredOption('--sub <sub>', 'the member\'s user id')
    .option('--ttl <seconds>', 'lifetime in seconds', '28800')
    .action(async (options: { sub: string; ttl: string }) => {
      const config = loadConfig();
      if (config.oidcJwksUrl) throw new Error('OIDC_JWKS_URL is set: tokens come from your identity provider, not from this command');
      const ttlSeconds = Number(options.ttl);
      if (!Number.isInteger(ttlSeconds) || ttlSeconds < 60 || ttlSeconds > 30 * 24 * 3600) throw new Error('--ttl must be 60 to 2592000 seconds');
      const key = await loadOrCreateSigningKey(config.dataDir);
      process.stdout.write(`${await mintToken(key, { subject: options.sub, issuer: config.oidcIssuer, audience: config.oidcAudience, ttlSeconds })}\n`);
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
    .action(async (options: { name: string; kind: string; territory: string[]; siret?: string; adminSub: string; adminName: string }) => {
      const { bootstrapPlatform } = await import('./partners/bootstrap.js');
      const partnerId = await bootstrapPlatform(loadConfig(), options);
      process.stdout.write(`organisation ${partnerId} registered; ${options.adminSub} is platform administrator\n`);
    });

  const projections = program.command('projections').description('the asynchronous read models');
  projections
    .command('status')
    .description("each projection's position, lag (events and seconds) and errors")
    .action(async () => {
      const { projectionsStatus } = await import('./projections/projections-cli.js');
      process.stdout.write(await projectionsStatus(loadConfig()));
    });
  projections
    .command('rebuild')
    .argument('<name>', 'a projection name, or "all"')
    .description('rebuild from the first event into a new generation beside the live one, then switch')
    .action(async (name: string) => {
      const { rebuild } = await import('./projections/projections-cli.js');
      process.stdout.write(await rebuild(loadConfig(), name));
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

export async function runCli(argv: readonly string[]): Promise<number> {
  try {
    await buildCli().parseAsync([...argv], { from: 'user' });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode;
    process.stderr.write(`${error instanceof ConfigError ? error.message : error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  process.exitCode = await runCli(process.argv.slice(2));
}
