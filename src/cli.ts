import { Command, CommanderError } from 'commander';
import { ConfigError, loadConfig } from './config/app-config.js';
import { migrate } from './database/migrator.js';
import { openDatabase } from './database/open-database.js';

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
