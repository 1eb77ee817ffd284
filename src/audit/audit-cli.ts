import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { SingleBar } from 'cli-progress';
import { SystemClock } from '../kernel/clock.js';
import type { AppConfig } from '../config/app-config.js';
import { migrate } from '../database/migrator.js';
import { openDatabase } from '../database/open-database.js';
import type { SqlClient } from '../database/sql-client.js';
import { SqlEventStore } from '../event-store/sql/sql-event-store.js';
import { UpcasterRegistry } from '../event-store/upcasters.js';
import { PARCOURS_UPCASTERS } from '../parcours/domain/upcasters.js';
import { assertBusinessDate } from '../kernel/calendar.js';
import { isKnownTerritory } from '../partners/territories/territories.js';
import { AccessJournal, type JournalEntry } from '../access-journal/access-journal.js';
import { continuityPolicyOf } from '../continuity/policy.js';
import { excelCsvText } from '../kernel/csv.js';
import { Audit } from './audit.js';
import { continuityReportHtml, continuityReportRows } from './continuity-report.js';
import { timelineCsvText } from './timeline/timeline-csv.js';
import { timelineToHtml } from './timeline/timeline-html.js';
import type { ReplayMode } from './replay.js';

/** The audit commands of the CLI: each opens the configured database and journals what it read. */
async function withAudit<T>(config: AppConfig, work: (audit: Audit, journal: (entry: Omit<JournalEntry, 'actor' | 'correlationId' | 'outcome'>) => Promise<void>, db: SqlClient) => Promise<T>): Promise<T> {
  const db = await openDatabase(config);
  try {
    await migrate(db);
    const audit = new Audit(db, new SqlEventStore(db, { upcasters: new UpcasterRegistry(PARCOURS_UPCASTERS) }), continuityPolicyOf(config));
    const journal = new AccessJournal(db);
    const actor = { userId: `cli:${userInfo().username}`, role: 'auditor' };
    const correlationId = randomUUID();
    return await work(audit, (entry) => journal.record({ ...entry, actor, correlationId, outcome: 'ok' }), db);
  } finally {
    await db.close();
  }
}

export async function verifyCommand(config: AppConfig, options: { stream?: string; category?: string; quiet?: boolean }): Promise<number> {
  return withAudit(config, async (audit, journal) => {
    const bar = options.quiet ? undefined : new SingleBar({ format: ' {bar} {value}/{total} streams | {breaks} breaks' });
    bar?.start(1, 0, { breaks: 0 });
    const report = await audit.verify({ streamId: options.stream, category: options.category }, ({ streams, totalStreams, breaks }) => {
      bar?.setTotal(totalStreams);
      bar?.update(streams, { breaks });
    });
    bar?.stop();
    await journal({ operation: 'audit.verify', recordType: options.stream ? 'parcours' : 'store', recordId: options.stream ?? options.category ?? '*' });
    for (const item of report.breaks) {
      const versions = item.firstVersion === item.lastVersion ? `version ${item.firstVersion}` : `versions ${item.firstVersion}..${item.lastVersion}`;
      process.stdout.write(`${item.kind}\t${item.streamId}\t${versions}\tevent ${item.eventId || '-'}\t${item.detail}\n`);
    }
    process.stdout.write(`${report.streams} streams, ${report.events} events verified: ${report.tamperings ? `${report.tamperings} tampering(s)` : 'every chain holds'}\n`);
    return report.breaks.length ? 1 : 0;
  });
}

export async function replayCommand(config: AppConfig, parcoursId: string, asOf: string, mode: ReplayMode): Promise<string> {
  return withAudit(config, async (audit, journal) => {
    const replay = await audit.replay(parcoursId, asOf, mode);
    await journal({ operation: 'audit.replay', recordType: 'parcours', recordId: parcoursId });
    return `${JSON.stringify(replay, null, 2)}\n`;
  });
}

export async function timelineCommand(config: AppConfig, parcoursId: string, options: { format: string; out?: string; asOf?: string }): Promise<string> {
  return withAudit(config, async (audit, journal) => {
    const asOf = options.asOf ?? new SystemClock().today();
    const timeline = await audit.timeline(parcoursId, asOf);
    await journal({ operation: 'audit.timeline', recordType: 'parcours', recordId: parcoursId });
    const text =
      options.format === 'json'
        ? `${JSON.stringify(timeline, null, 2)}\n`
        : options.format === 'csv'
          ? timelineCsvText(timeline)
          : timelineToHtml(timeline, { title: `Parcours ${parcoursId}`, generatedAt: new Date().toISOString(), policyVersion: audit.policyVersion });
    return output(text, options.out);
  });
}

export async function continuityCommand(config: AppConfig, options: { territory: string; asOf: string; format: string; out?: string; asKnown?: boolean }): Promise<string> {
  if (!isKnownTerritory(options.territory)) throw new Error(`unknown territory ${options.territory} (see GET /v1/territories)`);
  assertBusinessDate(options.asOf, '--as-of');
  return withAudit(config, async (audit, journal) => {
    const mode = options.asKnown ? 'known' : 'facts';
    const results = await audit.territoryContinuity(options.territory, options.asOf, mode);
    await journal({ operation: 'audit.continuity', recordType: 'territory', recordId: options.territory });
    const text =
      options.format === 'html'
        ? continuityReportHtml(results, { territory: options.territory, asOf: options.asOf, policyVersion: audit.policyVersion, mode })
        : excelCsvText(continuityReportRows(results, options.territory));
    return output(text, options.out);
  });
}

function output(text: string, file: string | undefined): string {
  if (!file) return text;
  writeFileSync(file, text);
  return `written to ${file}\n`;
}
