import { SingleBar } from 'cli-progress';
import type { AppConfig } from './config/app-config.js';
import { migrate } from './database/migrator.js';
import { openDatabase } from './database/open-database.js';
import { SqlEventStore } from './event-store/sql/sql-event-store.js';
import { UpcasterRegistry } from './event-store/upcasters.js';
import { PARCOURS_UPCASTERS } from './parcours/domain/upcasters.js';
import { projectionStatus } from './projections/projection-status.js';
import { rebuildProjections } from './projections/rebuild.js';
import { INLINE_READ_MODELS, projectionNamed, projectionsFor } from './read-models.js';

/** `cli projections status`: a table, one line per projection. */
export async function projectionsStatus(config: AppConfig): Promise<string> {
  const db = await openDatabase(config);
  try {
    await migrate(db);
    const lines = [['projection', 'generation', 'position', 'applied', 'lag (events)', 'lag (s)', 'errors', 'last error']];
    for (const projection of projectionsFor(config)) {
      const status = await projectionStatus(db, projection);
      lines.push([
        status.name,
        String(status.generation ?? '-'),
        status.position ?? '-',
        String(status.eventsApplied),
        String(status.lagEvents),
        String(status.lagSeconds),
        String(status.errors),
        status.lastError ? `${status.lastError.eventType} at ${status.lastError.globalPosition}: ${status.lastError.message}` : '',
      ]);
    }
    // Written with the events: never behind, nothing to rebuild.
    for (const inline of INLINE_READ_MODELS) lines.push([inline.name, 'inline', '-', '-', '0', '0', '-', '']);
    const widths = lines[0]!.map((_, column) => Math.max(...lines.map((line) => line[column]!.length)));
    return `${lines.map((line) => line.map((cell, column) => cell.padEnd(widths[column]!)).join('  ').trimEnd()).join('\n')}\n`;
  } finally {
    await db.close();
  }
}

/** `cli projections rebuild <name|all>`, with a progress bar (events done, rate, ETA). */
export async function rebuild(config: AppConfig, name: string): Promise<string> {
  const all = projectionsFor(config);
  const projections = name === 'all' ? all : [projectionNamed(all, name)];
  const db = await openDatabase(config);
  const bar = new SingleBar({
    format: ' {bar} {percentage}% | {value}/{total} events | {rate} ev/s | ETA {eta_formatted}',
    hideCursor: true,
  });
  const started = Date.now();
  try {
    await migrate(db);
    const store = new SqlEventStore(db, { upcasters: new UpcasterRegistry(PARCOURS_UPCASTERS) });
    bar.start(1, 0, { rate: 0 });
    const results = await rebuildProjections(db, store, projections, {
      onProgress: ({ done, total }) => {
        bar.setTotal(total);
        bar.update(done, { rate: Math.round(done / Math.max((Date.now() - started) / 1000, 0.001)) });
      },
    });
    bar.stop();
    return results.map((result) => `${result.name}: generation ${result.generation} is live (${result.events} events read)`).join('\n') + '\n';
  } finally {
    bar.stop();
    await db.close();
  }
}
