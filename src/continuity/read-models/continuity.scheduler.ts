import { Inject, Injectable, Logger } from '@nestjs/common';
import { Cron } from '@nestjs/schedule';
import { Clock } from '../../kernel/clock.js';
import { SqlClient } from '../../database/sql-client.js';
import { activeGeneration } from '../../projections/projection-tables.js';
import { generationPrefix } from '../../projections/projection.js';
import type { ContinuityPolicy } from '../policy.js';
import { type ContinuityRow, saveEvaluations, storedEvents } from './continuity.projection.js';

export const CONTINUITY_POLICY = Symbol('ContinuityPolicy');

/**
 * Ruptures also come from time passing with no event (DESIGN §6): each open parcours carries the
 * date at which its findings would change on their own (an exited or archived one has none); this
 * job re-evaluates those whose date has come. Idempotent (a re-evaluation replaces a parcours' findings), so two instances running it
 * together only duplicate work.
 */
@Injectable()
export class ContinuityScheduler {
  private readonly logger = new Logger('ContinuityScheduler');

  constructor(
    @Inject(SqlClient) private readonly db: SqlClient,
    @Inject(Clock) private readonly clock: Clock,
    @Inject(CONTINUITY_POLICY) private readonly policy: ContinuityPolicy,
  ) {}

  @Cron('0 */10 * * * *')
  async tick(): Promise<void> {
    const count = await this.reevaluateDue();
    if (count) this.logger.log(`continuity: ${count} parcours re-evaluated as time passed`);
  }

  /** Re-evaluates every parcours whose findings change by today; returns how many. */
  async reevaluateDue(): Promise<number> {
    const live = await activeGeneration(this.db, 'continuity_alerts');
    if (!live) return 0;
    const prefix = generationPrefix('continuity_alerts', live.generation);
    const today = this.clock.today();
    let total = 0;
    for (;;) {
      const count = await this.db.transaction(async (tx) => {
        // Locked, so that the projection runner and another instance wait rather than interleave.
        const due = await tx.query<Omit<ContinuityRow, 'events'>>(
          `SELECT parcours_id, territory, version, view FROM ${prefix}_parcours
            WHERE next_reevaluation_on <= $1::date AND evaluated_on < $1::date
            ORDER BY parcours_id LIMIT 500 FOR UPDATE SKIP LOCKED`,
          [today],
        );
        const events = await storedEvents(tx, prefix, due.map((row) => row.parcours_id));
        const rows = due.map((row) => ({ ...row, events: events.get(row.parcours_id)! }));
        await saveEvaluations(tx, prefix, rows, this.policy, today);
        return rows.length;
      });
      total += count;
      if (count < 500) return total;
    }
  }
}
