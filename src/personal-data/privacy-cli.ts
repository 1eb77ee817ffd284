import { readFileSync, writeFileSync } from 'node:fs';
import { type Clock, SystemClock } from '../kernel/clock.js';
import type { AppConfig } from '../config/app-config.js';
import { SingleBar, Presets } from 'cli-progress';
import { SqlClient } from '../database/sql-client.js';
import { BlindIndex } from '../privacy/blind-index/blind-index.js';
import { reindexBlindIndexes } from './reindex.js';
import { KeyVault, type ErasureRecord } from '../privacy/crypto/key-vault.js';
import { PersonalDataCipher } from '../privacy/crypto/personal-data-cipher.js';
import { openParcoursWriteContext } from '../parcours/parcours-write.module.js';
import { Retention, type RetentionPlan, type RetentionRun } from './retention/retention.js';

/**
 * The privacy commands of the CLI. They run the service's own write path (the command handler,
 * the vault) in a small application context: no HTTP server, no projection runner, no scheduler.
 */
async function withContext<T>(config: AppConfig, work: (get: <S>(token: abstract new (...args: never[]) => S) => S) => Promise<T>, clock: Clock = new SystemClock()): Promise<T> {
  const app = await openParcoursWriteContext(config, clock, [Retention]);
  try {
    return await work((token) => app.get(token as never));
  } finally {
    await app.close();
  }
}

/** `blind-index reindex`: every parcours indexed under the current BLIND_INDEX_KEY only (the end of a rotation; a backfill). */
export async function reindexBlindIndexCommand(config: AppConfig, options: { quiet?: boolean } = {}): Promise<string> {
  return withContext(config, async (get) => {
    const bar = options.quiet ? undefined : new SingleBar({ format: ' {bar} {value}/{total} parcours' }, Presets.shades_classic);
    bar?.start(0, 0);
    const report = await reindexBlindIndexes(get(SqlClient), get(PersonalDataCipher), get(BlindIndex), (done, total) => {
      bar?.setTotal(total);
      bar?.update(done);
    });
    bar?.stop();
    const lines = [
      `blind indexes under key ${report.keyVersion}: ${report.reindexed} parcours indexed again, ${report.cleared} without a readable identity cleared, ${report.duplicates.length} duplicate(s)`,
      ...report.duplicates.map((duplicate) => `duplicate ${duplicate.parcoursId}: the same person has the open parcours ${duplicate.conflictsWith.join(', ')}`),
    ];
    return `${lines.join('\n')}\n`;
  });
}

/** `privacy retention`: applies the retention policy as of today, or with --dry-run only says what it would do. */
export async function retentionCommand(config: AppConfig, options: { dryRun?: boolean; asOf?: string; json?: boolean }, clock?: Clock): Promise<string> {
  return withContext(
    config,
    async (get) => {
      const retention = get(Retention);
      if (options.asOf !== undefined && !options.dryRun) throw new Error('--as-of plans a future run: use it with --dry-run (a run applies the policy as of today)');
      if (options.dryRun) {
        const plan = await retention.plan(options.asOf);
        return options.json ? `${JSON.stringify(plan, null, 2)}\n` : planText(plan);
      }
      const run = await retention.run();
      return options.json ? `${JSON.stringify(run, null, 2)}\n` : runText(run);
    },
    clock,
  );
}

function planText(plan: RetentionPlan): string {
  const lines = [
    `retention plan as of ${plan.asOf} (active ${plan.policy.activeMonths} months, archive ${plan.policy.archiveMonths} months): ${plan.toArchive.length} to archive, ${plan.toErase.length} to erase`,
    ...plan.toArchive.map((due) => `archive ${due.parcoursId}  last activity ${due.lastActivityOn}, due ${due.dueOn}`),
    ...plan.toErase.map((due) => `erase   ${due.parcoursId}  archived ${due.archivedOn}, due ${due.dueOn}`),
  ];
  return `${lines.join('\n')}\n`;
}

function runText(run: RetentionRun): string {
  const lines = [`retention run ${run.runId} as of ${run.asOf}: ${run.archived} archived, ${run.erased} erased, ${run.failed.length} failed`];
  for (const failure of run.failed) lines.push(`failed to ${failure.step} ${failure.parcoursId}: ${failure.reason}`);
  return `${lines.join('\n')}\n`;
}

/**
 * `privacy erasures export`: the erasure ledger, to keep outside the database backups (a restored
 * backup holds keys destroyed after it was taken; replaying this file destroys them again).
 */
export async function exportErasuresCommand(config: AppConfig, out?: string): Promise<string> {
  return withContext(config, async (get) => {
    const ledger = await get(KeyVault).listErasures();
    const text = `${JSON.stringify({ format: 'spie-parcours-erasure-ledger/1', exportedAt: new Date().toISOString(), erasures: ledger }, null, 2)}\n`;
    if (!out) return text;
    writeFileSync(out, text, { mode: 0o600 });
    return `${ledger.length} erasures written to ${out}\n`;
  });
}

/** `privacy erasures replay`: after a restore, adds the ledger entries the database lost and destroys their keys again. */
export async function replayErasuresCommand(config: AppConfig, from: string): Promise<string> {
  const ledger = parseLedger(readFileSync(from, 'utf8'), from);
  return withContext(config, async (get) => {
    const report = await get(KeyVault).replayErasures(ledger);
    return `${report.imported} erasures imported, ${report.keysDestroyed.length} keys destroyed again, ${report.ledgerEntries} erasures in the ledger\n`;
  });
}

function parseLedger(text: string, file: string): ErasureRecord[] {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    throw new Error(`${file} is not JSON: expected the output of \`privacy erasures export\``);
  }
  const erasures = (document as { erasures?: unknown } | null)?.erasures;
  if (!Array.isArray(erasures)) throw new Error(`${file} has no "erasures" list: expected the output of \`privacy erasures export\``);
  return erasures.map((entry: unknown, index) => {
    const { subjectId, erasedAt, legalGround } = (entry ?? {}) as Partial<ErasureRecord>;
    if (typeof subjectId !== 'string' || typeof erasedAt !== 'string' || typeof legalGround !== 'string') {
      throw new Error(`${file}: erasure ${index} needs subjectId, erasedAt and legalGround`);
    }
    return { subjectId, erasedAt, legalGround };
  });
}
