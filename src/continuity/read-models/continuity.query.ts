import { Inject, Injectable } from '@nestjs/common';
import type { Caller } from '../../access/caller.js';
import { parcoursCondition, reportTerritories } from '../../access/parcours-rule.js';
import { Clock } from '../../kernel/clock.js';
import { SqlClient } from '../../database/sql-client.js';
import { EventStore } from '../../event-store/event-store.js';
import { type Regime, regimeOfDate } from '../../parcours/domain/regimes.js';
import { parcoursStreamId } from '../../parcours/parcours-write.js';
import { type ContinuityMode, eventsFor } from '../as-known.js';
import { daysBetween } from '../../kernel/calendar.js';
import type { Finding } from '../findings.js';
import { RULE_IDS, type ContinuityPolicy } from '../policy.js';
import { regimeOn } from '../regime-of-parcours.js';
import { evaluateContinuity } from '../rules.js';
import { continuityEventsOf, type ContinuityEvent } from '../parcours-history.js';
import { CONTINUITY_POLICY } from './continuity.scheduler.js';

/** As of which date, and as the facts were (`asKnown` false, the default) or as the system knew them then. */
export interface AsOf {
  /** A business date; default: today. */
  asOf?: string;
  asKnown?: boolean;
}

export interface ContinuityOfParcours {
  parcoursId: string;
  asOf: string;
  mode: ContinuityMode;
  regime: Regime | null;
  policyVersion: string;
  findings: Finding[];
}

export interface RupturesFilter extends AsOf {
  territory?: string;
  /** Ruptures of the parcours this organisation follows. */
  partner?: string;
  rule?: string;
  /** Ruptures still running on or after this day. */
  from?: string;
  /** Ruptures observed on or before this day. */
  to?: string;
}

export type Rupture = Finding & { parcoursId: string; territory: string };

export interface RuleSummary {
  open: number;
  closed: number;
  breaches: number;
  warnings: number;
  totalDays: number;
  medianDays: number | null;
}

export type RegimeRuleSummary = Omit<RuleSummary, 'totalDays' | 'medianDays'>;

export interface RupturesReport {
  evaluatedOn: string;
  mode: ContinuityMode;
  policyVersion: string;
  /** Per rule. */
  summary: Record<string, RuleSummary>;
  /** Per regime of the policy entry that judged each rupture, then per rule. */
  summaryByRegime: Record<string, Record<string, RegimeRuleSummary>>;
  /** By territory, rule, observation day, parcours. */
  ruptures: Rupture[];
}

interface AlertRow {
  parcours_id: string;
  territory: string;
  finding: Finding;
  duration_days: number;
}

/**
 * Reads `continuity_alerts` and the events it keeps per parcours (continuity.projection.ts), and a
 * parcours' own stream when its continuity is asked as of a date.
 */
@Injectable()
export class ContinuityQueries {
  constructor(
    @Inject(SqlClient) private readonly db: SqlClient,
    @Inject(EventStore) private readonly store: EventStore,
    @Inject(Clock) private readonly clock: Clock,
    @Inject(CONTINUITY_POLICY) private readonly policy: ContinuityPolicy,
  ) {}

  /** The territory of a parcours the caller may read; undefined: no such parcours, or not for this caller. */
  async territoryOfReadable(caller: Caller, parcoursId: string): Promise<string | undefined> {
    const visible = parcoursCondition(caller, 'read', 2);
    const rows = await this.db.query<{ territory: string }>(`SELECT d.territory FROM parcours_details d WHERE d.parcours_id = $1 AND ${visible.sql}`, [parcoursId, ...visible.params]);
    return rows[0]?.territory;
  }

  /** The ruptures of one parcours (R1–R11) as of a date, from its stream: check first that the caller may read it (territoryOfReadable). */
  async ofParcours(parcoursId: string, territory: string, { asOf = this.clock.today(), asKnown }: AsOf): Promise<ContinuityOfParcours> {
    const mode: ContinuityMode = asKnown ? 'known' : 'facts';
    const events = continuityEventsOf(eventsFor(await this.store.readStream(parcoursStreamId(parcoursId)), asOf, mode));
    return {
      parcoursId,
      asOf,
      mode,
      regime: regimeOn(events, asOf),
      policyVersion: this.policy.version,
      findings: evaluateContinuity(events, asOf, this.policy, territory),
    };
  }

  /**
   * Open and closed ruptures of the territories the caller may report on (the access policy says
   * which), counted by rule and by regime. Today as facts: the findings the read model holds; as of
   * another date or as known: evaluated now from the events it keeps.
   */
  async ruptures(caller: Caller, filter: RupturesFilter): Promise<RupturesReport> {
    const today = this.clock.today();
    // The report names parcours: the access policy says of which territories.
    const scope = reportTerritories(caller);
    const territories = scope === 'all' ? null : [...scope];
    const evaluatedOn = filter.asOf ?? today;
    const mode: ContinuityMode = filter.asKnown ? 'known' : 'facts';
    const rows = filter.asOf === undefined && !filter.asKnown ? await this.alertRows(filter, today, territories) : await this.evaluatedRows(filter, evaluatedOn, mode, territories);
    // An open rupture lasts until the evaluation day, not until its last evaluation.
    const ruptures = rows.map((row) => ({
      parcoursId: row.parcours_id,
      territory: row.territory,
      ...row.finding,
      durationDays: row.finding.status === 'open' ? daysBetween(row.finding.observedOn, evaluatedOn) + 1 : row.finding.durationDays,
    }));
    return { evaluatedOn, mode, policyVersion: this.policy.version, summary: summaryByRule(ruptures), summaryByRegime: summaryByRegime(ruptures), ruptures };
  }

  /** The findings the read model holds (evaluated today, kept current by the scheduler). */
  private alertRows(filter: RupturesFilter, today: string, territories: string[] | null): Promise<AlertRow[]> {
    return this.db.query<AlertRow>(
      `SELECT parcours_id, territory, finding, duration_days FROM continuity_alerts
        WHERE ($1::text IS NULL OR territory = $1) AND ($2::uuid IS NULL OR partner_ids @> ARRAY[$2::uuid])
          AND ($3::text IS NULL OR rule_id = $3)
          AND ($4::date IS NULL OR coalesce(ended_on, $6::date) >= $4::date) AND ($5::date IS NULL OR observed_on <= $5::date)
          AND ($7::text[] IS NULL OR territory = ANY($7::text[]))
        ORDER BY territory, rule_id, observed_on, parcours_id`,
      [filter.territory ?? null, filter.partner ?? null, filter.rule ?? null, filter.from ?? null, filter.to ?? null, today, territories],
    );
  }

  /**
   * The findings as of another date, or as known then: evaluated now from the events the read
   * model keeps for each parcours (`continuity_events`, with their recording time), the same
   * filters applied to the findings as to the stored ones.
   */
  private async evaluatedRows(filter: RupturesFilter, asOf: string, mode: ContinuityMode, territories: string[] | null): Promise<AlertRow[]> {
    const parcours = await this.db.query<{ parcours_id: string; territory: string }>(
      `SELECT parcours_id, territory FROM continuity_parcours
        WHERE ($1::text IS NULL OR territory = $1) AND ($2::uuid IS NULL OR partner_ids @> ARRAY[$2::uuid])
          AND ($3::text[] IS NULL OR territory = ANY($3::text[]))
        ORDER BY territory, parcours_id`,
      [filter.territory ?? null, filter.partner ?? null, territories],
    );
    const events = await this.db.query<{ parcours_id: string; event: ContinuityEvent }>(
      `SELECT e.parcours_id, e.event FROM continuity_events e JOIN continuity_parcours p USING (parcours_id)
        WHERE ($1::text IS NULL OR p.territory = $1) AND ($2::uuid IS NULL OR p.partner_ids @> ARRAY[$2::uuid])
          AND ($3::text[] IS NULL OR p.territory = ANY($3::text[]))
        ORDER BY e.parcours_id, e.stream_version`,
      [filter.territory ?? null, filter.partner ?? null, territories],
    );
    const byParcours = new Map<string, ContinuityEvent[]>();
    for (const row of events) byParcours.set(row.parcours_id, [...(byParcours.get(row.parcours_id) ?? []), row.event]);
    const rows: AlertRow[] = [];
    for (const { parcours_id, territory } of parcours) {
      for (const finding of evaluateContinuity(eventsFor(byParcours.get(parcours_id) ?? [], asOf, mode), asOf, this.policy, territory)) {
        if (filter.rule !== undefined && finding.ruleId !== filter.rule) continue;
        if (filter.from !== undefined && (finding.endedOn ?? asOf) < filter.from) continue;
        if (filter.to !== undefined && finding.observedOn > filter.to) continue;
        rows.push({ parcours_id, territory, finding, duration_days: finding.durationDays });
      }
    }
    return rows.sort((a, b) => compare(a.territory, b.territory) || compare(a.finding.ruleId, b.finding.ruleId) || compare(a.finding.observedOn, b.finding.observedOn) || compare(a.parcours_id, b.parcours_id));
  }
}

function summaryByRule(ruptures: readonly Rupture[]): Record<string, RuleSummary> {
  const summary: Record<string, RuleSummary> = {};
  for (const ruleId of RULE_IDS) {
    const mine = ruptures.filter((rupture) => rupture.ruleId === ruleId);
    const durations = mine.map((rupture) => rupture.durationDays).sort((a, b) => a - b);
    summary[ruleId] = {
      open: mine.filter((rupture) => rupture.status === 'open').length,
      closed: mine.filter((rupture) => rupture.status === 'closed').length,
      breaches: mine.filter((rupture) => rupture.severity === 'breach').length,
      warnings: mine.filter((rupture) => rupture.severity === 'warning').length,
      totalDays: durations.reduce((sum, days) => sum + days, 0),
      medianDays: durations.length ? durations[Math.ceil(durations.length / 2) - 1]! : null,
    };
  }
  return summary;
}

/** A rupture belongs to the regime of the facts that started its clock (the entry that judged it). */
function summaryByRegime(ruptures: readonly Rupture[]): Record<string, Record<string, RegimeRuleSummary>> {
  const summary: Record<string, Record<string, RegimeRuleSummary>> = {};
  for (const regime of ['spie_2021', 'plein_emploi'] as const) {
    const mine = ruptures.filter((rupture) => (rupture.policy.regime ?? regimeOfDate(rupture.policy.effectiveFrom)) === regime);
    summary[regime] = Object.fromEntries(
      RULE_IDS.map((ruleId) => {
        const ofRule = mine.filter((rupture) => rupture.ruleId === ruleId);
        return [
          ruleId,
          {
            open: ofRule.filter((rupture) => rupture.status === 'open').length,
            closed: ofRule.filter((rupture) => rupture.status === 'closed').length,
            breaches: ofRule.filter((rupture) => rupture.severity === 'breach').length,
            warnings: ofRule.filter((rupture) => rupture.severity === 'warning').length,
          },
        ];
      }),
    );
  }
  return summary;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
