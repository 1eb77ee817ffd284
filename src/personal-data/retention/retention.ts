import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { Cron } from '@nestjs/schedule';
import { Clock } from '../../kernel/clock.js';
import { AppConfig } from '../../config/app-config.js';
import { addDays, addMonths } from '../../kernel/calendar.js';
import { SqlClient } from '../../database/sql-client.js';
import { RETENTION_SYSTEM } from '../../access/principal.js';
import { actorOf } from '../../http/request-context.js';
import { ExecuteParcoursCommand } from '../../parcours/parcours-write.js';
import type { ParcoursRequest } from '../../parcours/parcours-request.js';

/** The durations of R. 263-8 CASF, in months; another département may set others (RETENTION_* variables). */
export interface RetentionPolicy {
  /** In the active base after the last activity recorded on the parcours. */
  activeMonths: number;
  /** In the intermediate archive before the personal data are erased. */
  archiveMonths: number;
}

export interface DueForArchive {
  parcoursId: string;
  /** The retention clock: the last day a caseworker recorded something on the parcours. */
  lastActivityOn: string;
  /** The day it became due: `lastActivityOn` plus the active months. */
  dueOn: string;
}

export interface DueForErasure {
  parcoursId: string;
  archivedOn: string;
  dueOn: string;
}

/** What a run as of `asOf` does (or, for the report and a dry run, would do). */
export interface RetentionPlan {
  asOf: string;
  policy: RetentionPolicy;
  toArchive: DueForArchive[];
  toErase: DueForErasure[];
}

export interface RetentionRun extends Omit<RetentionPlan, 'toArchive' | 'toErase'> {
  runId: string | null;
  dryRun: boolean;
  archived: number;
  erased: number;
  /** Parcours whose command failed (a concurrent write, say): they are due again at the next run. */
  failed: Array<{ parcoursId: string; step: 'archive' | 'erase'; reason: string }>;
  plan: Pick<RetentionPlan, 'toArchive' | 'toErase'>;
}

/**
 * The retention policy of the "parcours insertion emploi" processing (R. 263-8 CASF, DESIGN §8):
 * a parcours without activity for `activeMonths` (two years) moves to the intermediate archive,
 * seen by auditors and the DPO only; `archiveMonths` (two years) later its personal data are
 * erased by crypto-shredding, the non-personal facts staying for statistics and audit.
 *
 * The clock is `parcours_details.last_activity_on`: the last day any caseworker command was
 * recorded on the parcours (a contact, an appointment, any other fact), written in the very
 * transaction of the command. The recording day, not the fact's date: a contact recorded late
 * still proves someone worked on the file that day, and the later date never erases too early.
 * The person's rights, the archive and the erasure are not activity and leave the clock alone.
 *
 * Both steps are ordinary commands (ArchiveParcours, ErasePersonalData with the ground
 * `retention_period_elapsed`) run as the service itself, so they are events on the parcours,
 * journaled, honoured by every projection, and idempotent: a run interrupted half-way is simply
 * run again. A parcours archived by a run is erased by a later one, never by the same.
 */
@Injectable()
export class Retention {
  private readonly logger = new Logger('Retention');

  constructor(
    @Inject(SqlClient) private readonly db: SqlClient,
    @Inject(CommandBus) private readonly commands: CommandBus,
    @Inject(Clock) private readonly clock: Clock,
    @Inject(AppConfig) private readonly config: AppConfig,
  ) {}

  get policy(): RetentionPolicy {
    return { activeMonths: this.config.retentionActiveMonths, archiveMonths: this.config.retentionArchiveMonths };
  }

  /** What a run as of `asOf` (default today) will archive and erase, oldest first. */
  async plan(asOf: string = this.clock.today()): Promise<RetentionPlan> {
    const { activeMonths, archiveMonths } = this.policy;
    // Due when the start date + N months (end-of-month clamped) ≤ asOf. Going back N months from
    // asOf is not its exact inverse at month ends (29 February + 24 months is 28 February), so the
    // index bound is a few days wide and `dueOn` decides.
    const archiveBefore = addDays(addMonths(asOf, -activeMonths), 3);
    const eraseBefore = addDays(addMonths(asOf, -archiveMonths), 3);
    const [active, archived] = await Promise.all([
      this.db.query<{ parcours_id: string; on: string }>(
        `SELECT parcours_id::text, to_char(last_activity_on, 'YYYY-MM-DD') AS on FROM parcours_details
          WHERE archived_on IS NULL AND last_activity_on <= $1::date ORDER BY last_activity_on, parcours_id`,
        [archiveBefore],
      ),
      this.db.query<{ parcours_id: string; on: string }>(
        `SELECT parcours_id::text, to_char(archived_on, 'YYYY-MM-DD') AS on FROM parcours_details
          WHERE archived_on IS NOT NULL AND identity_ciphertext IS NOT NULL AND archived_on <= $1::date ORDER BY archived_on, parcours_id`,
        [eraseBefore],
      ),
    ]);
    return {
      asOf,
      policy: { activeMonths, archiveMonths },
      toArchive: active
        .map((row) => ({ parcoursId: row.parcours_id, lastActivityOn: row.on, dueOn: addMonths(row.on, activeMonths) }))
        .filter((due) => due.dueOn <= asOf),
      toErase: archived.map((row) => ({ parcoursId: row.parcours_id, archivedOn: row.on, dueOn: addMonths(row.on, archiveMonths) })).filter((due) => due.dueOn <= asOf),
    };
  }

  /**
   * Applies the policy as of today. A dry run only plans. The run is recorded in `retention_runs`
   * (counts, no parcours ids: the events and the erasure ledger say which).
   */
  async run(options: { dryRun?: boolean } = {}): Promise<RetentionRun> {
    const asOf = this.clock.today();
    const plan = await this.plan(asOf);
    const outcome: RetentionRun = {
      runId: null,
      asOf,
      policy: plan.policy,
      dryRun: options.dryRun === true,
      archived: 0,
      erased: 0,
      failed: [],
      plan: { toArchive: plan.toArchive, toErase: plan.toErase },
    };
    if (outcome.dryRun) return outcome;
    const [{ run_id }] = await this.db.query<{ run_id: string }>(
      'INSERT INTO retention_runs (as_of, active_months, archive_months) VALUES ($1::date, $2, $3) RETURNING run_id::text',
      [asOf, plan.policy.activeMonths, plan.policy.archiveMonths],
    );
    outcome.runId = run_id;
    const correlationId = randomUUID();
    await inParallel(plan.toArchive, async (due) => {
      const changed = await this.apply(due.parcoursId, { type: 'ArchiveParcours', archivedOn: asOf, lastActivityOn: due.lastActivityOn }, correlationId, 'archive', outcome);
      if (changed) outcome.archived += 1;
    });
    await inParallel(plan.toErase, async (due) => {
      const changed = await this.apply(due.parcoursId, { type: 'ErasePersonalData', legalGround: 'retention_period_elapsed', erasedOn: asOf }, correlationId, 'erase', outcome);
      if (changed) outcome.erased += 1;
    });
    await this.db.query('UPDATE retention_runs SET finished_at = now(), archived = $2, erased = $3, failed = $4 WHERE run_id = $1::bigint', [
      run_id,
      outcome.archived,
      outcome.erased,
      outcome.failed.length,
    ]);
    // Counts only: a parcours id next to "erased" in a log would outlive the erasure.
    this.logger.log(`retention run ${run_id} as of ${asOf}: ${outcome.archived} archived, ${outcome.erased} erased, ${outcome.failed.length} failed`);
    return outcome;
  }

  /** Daily, at night (Europe/Paris): the job of R. 263-8 CASF. */
  @Cron('0 15 2 * * *', { timeZone: 'Europe/Paris' })
  async nightly(): Promise<void> {
    try {
      await this.run();
    } catch (error) {
      // Through the service's logger, which never copies a database error's message (it may quote values).
      this.logger.error({ err: error }, 'retention run failed');
    }
  }

  private async apply(parcoursId: string, request: ParcoursRequest, correlationId: string, step: 'archive' | 'erase', outcome: RetentionRun): Promise<boolean> {
    try {
      const result = await this.commands.execute(
        new ExecuteParcoursCommand(parcoursId, request, RETENTION_SYSTEM, 'platform_admin', {
          actor: actorOf(RETENTION_SYSTEM, 'platform_admin'),
          correlationId,
          causationId: null,
        }),
      );
      return result.changed;
    } catch (error) {
      // One parcours must not stop the run: it stays due and the next run tries again.
      outcome.failed.push({ parcoursId, step, reason: error instanceof Error ? error.message : String(error) });
      return false;
    }
  }
}

/**
 * A few parcours at a time: each is its own stream, so they do not contend, and the wait on one
 * command's reads and commit overlaps the next one's. Few, because the job shares the pool with
 * the caseworkers it must not slow down.
 */
const RUN_CONCURRENCY = 4;

async function inParallel<T>(items: readonly T[], work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await work(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(RUN_CONCURRENCY, items.length) }, worker));
}
