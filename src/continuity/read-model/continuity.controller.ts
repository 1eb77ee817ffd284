import { Controller, Get, Headers, Inject, Param, ParseUUIDPipe, Query, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiProperty, type ApiPropertyOptions, ApiPropertyOptional, ApiSecurity, ApiTags, type SchemaObject } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsOptional, IsUUID } from 'class-validator';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CONTINUITY_READERS, REPORT_READERS } from '../../access/functions.js';
import { parcoursCondition, reportTerritories } from '../../access/parcours-rule.js';
import { Clock } from '../../kernel/clock.js';
import { SqlClient } from '../../database/sql-client.js';
import { EventStore } from '../../event-store/event-store.js';
import { IsCalendarDate } from '../../http/calendar-date.js';
import { ProblemError } from '../../http/problem.js';
import { Roles } from '../../access/access.decorators.js';
import type { AuthenticatedRequest } from '../../access/principal.js';
import { TERRITORIES } from '../../partners/territories/territories.js';
import { parcoursStreamId } from '../../parcours/parcours-write.js';
import { entryFor, parcoursNotFound, readerOf } from '../../parcours/read-models/parcours-details/parcours-details.query.js';
import { AccessJournal } from '../../access-journal/access-journal.js';
import { excelCsvText, wantsCsv } from '../../kernel/csv.js';
import type { Finding } from '../findings.js';
import { RULE_IDS, type ContinuityPolicy } from '../policy.js';
import { evaluateContinuity } from '../rules.js';
import { continuityEventsOf, type ContinuityEvent } from '../parcours-history.js';
import { CONTINUITY_MODES, type ContinuityMode, eventsFor } from '../as-known.js';
import { regimeOn } from '../regime-of-parcours.js';
import { REGIMES, type Regime, regimeOfDate } from '../../parcours/domain/regimes.js';
import { CONTINUITY_POLICY } from './continuity.scheduler.js';
import { ApiRepresentations } from '../../http/representations.js';


export class AsOfQuery {
  @ApiPropertyOptional({ format: 'date', description: 'The audit date (default: today)' }) @IsOptional() @IsCalendarDate() asOf?: string;
  @ApiPropertyOptional({
    type: Boolean,
    description: 'true: the ruptures the system showed on that date (only the events recorded by its end, Europe/Paris); false (default): as the facts were (business dates, whenever recorded)',
  })
  @IsOptional()
  @Transform(({ value }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean()
  asKnown?: boolean;
}

export class ContinuityReportQuery {
  @ApiPropertyOptional({ enum: TERRITORIES.map((territory) => territory.code) }) @IsOptional() @IsIn(TERRITORIES.map((territory) => territory.code)) territory?: string;
  @ApiPropertyOptional({ format: 'uuid', description: 'Ruptures of the parcours this organisation follows' }) @IsOptional() @IsUUID() partner?: string;
  @ApiPropertyOptional({ enum: RULE_IDS }) @IsOptional() @IsIn(RULE_IDS) rule?: string;
  @ApiPropertyOptional({ format: 'date', description: 'Ruptures still running on or after this day' }) @IsOptional() @IsCalendarDate() from?: string;
  @ApiPropertyOptional({ format: 'date', description: 'Ruptures observed on or before this day' }) @IsOptional() @IsCalendarDate() to?: string;
  @ApiPropertyOptional({ format: 'date', description: 'Evaluate the ruptures as of this date rather than today (from the events the read model keeps)' })
  @IsOptional()
  @IsCalendarDate()
  asOf?: string;
  @ApiPropertyOptional({
    type: Boolean,
    description: 'true: the ruptures the system showed on asOf (default today), only the events recorded by its end; false (default): as the facts were',
  })
  @IsOptional()
  @Transform(({ value }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean()
  asKnown?: boolean;
}

const DATE: SchemaObject = { type: 'string', format: 'date' };
const NULLABLE_DATE: SchemaObject = { type: 'string', format: 'date', nullable: true };
const NULLABLE_NUMBER: SchemaObject = { type: 'number', nullable: true };

/** A finding (src/continuity/findings.ts) as the API shows it: every field typed for the clients generated from the document. */
const FINDING_PROPERTIES: Record<string, SchemaObject> = {
  ruleId: { type: 'string', enum: [...RULE_IDS] },
  severity: { type: 'string', enum: ['warning', 'breach'] },
  status: { type: 'string', enum: ['open', 'closed'] },
  dueOn: { ...NULLABLE_DATE, description: 'Null only for a warning whose clock a suspension or restriction in force has stopped' },
  observedOn: DATE,
  endedOn: { ...NULLABLE_DATE, description: 'Null while open' },
  durationDays: { type: 'integer', description: 'Both ends included' },
  evidence: {
    type: 'object',
    additionalProperties: false,
    required: ['eventIds', 'streamVersions'],
    properties: { eventIds: { type: 'array', items: { type: 'string', format: 'uuid' } }, streamVersions: { type: 'array', items: { type: 'integer' } } },
  },
  policy: {
    type: 'object',
    additionalProperties: false,
    required: ['version', 'effectiveFrom', 'regime', 'territory', 'source', 'thresholds'],
    properties: {
      version: { type: 'string' },
      effectiveFrom: DATE,
      regime: { type: 'string', enum: ['spie_2021', 'plein_emploi'], description: 'The regime of the policy entry that applied' },
      territory: { type: 'string', nullable: true, description: 'The territory whose override applied, or null' },
      source: { type: 'string', nullable: true, description: 'The legal source of the threshold' },
      thresholds: {
        type: 'object',
        additionalProperties: false,
        description: "The rule's thresholds (which ones depend on ruleId); R2's months are per parcours type",
        properties: {
          warningAfterDays: NULLABLE_NUMBER,
          breachAfterDays: { type: 'number' },
          warningBeforeDays: NULLABLE_NUMBER,
          breachAfterMonths: { oneOf: [{ type: 'number' }, { type: 'object', additionalProperties: { type: 'number' } }] },
          breachAfterMonthsWithVulnerabilities: { type: 'number' },
          minimumWeeklyHours: NULLABLE_NUMBER,
        },
      },
    },
  },
};
const FINDING_REQUIRED = ['ruleId', 'severity', 'status', 'dueOn', 'observedOn', 'endedOn', 'durationDays', 'evidence', 'policy'];
const FINDING: SchemaObject = { type: 'object', additionalProperties: false, properties: FINDING_PROPERTIES, required: FINDING_REQUIRED };
const RUPTURE: SchemaObject = {
  type: 'object',
  additionalProperties: false,
  properties: { parcoursId: { type: 'string', format: 'uuid' }, territory: { type: 'string' }, ...FINDING_PROPERTIES },
  required: ['parcoursId', 'territory', ...FINDING_REQUIRED],
};
const RULE_COUNTS: Record<string, SchemaObject> = { open: { type: 'integer' }, closed: { type: 'integer' }, breaches: { type: 'integer' }, warnings: { type: 'integer' } };
const RULE_SUMMARY: SchemaObject = {
  type: 'object',
  additionalProperties: false,
  properties: { ...RULE_COUNTS, totalDays: { type: 'integer' }, medianDays: { type: 'integer', nullable: true } },
  required: ['open', 'closed', 'breaches', 'warnings', 'totalDays', 'medianDays'],
};
const REGIME_RULE_SUMMARY: SchemaObject = { type: 'object', additionalProperties: false, properties: RULE_COUNTS, required: ['open', 'closed', 'breaches', 'warnings'] };
const byRule = (schema: SchemaObject): SchemaObject => ({ type: 'object', additionalProperties: false, properties: Object.fromEntries(RULE_IDS.map((ruleId) => [ruleId, schema])), required: [...RULE_IDS] });

export class ContinuityAnswer {
  @ApiProperty({ format: 'uuid' }) parcoursId!: string;
  @ApiProperty({ format: 'date' }) asOf!: string;
  @ApiProperty({ enum: CONTINUITY_MODES, description: 'facts: as the facts were; known: as the system knew them on asOf' }) mode!: ContinuityMode;
  @ApiProperty({ enum: REGIMES, nullable: true, description: 'The regime of the parcours on asOf, derived from its dates' }) regime!: Regime | null;
  @ApiProperty({ description: 'The policy in force (version)' }) policyVersion!: string;
  @ApiProperty({ type: 'array', items: FINDING } as ApiPropertyOptions) findings!: Finding[];
}

export class ContinuityReport {
  @ApiProperty({ format: 'date' }) evaluatedOn!: string;
  @ApiProperty({ enum: CONTINUITY_MODES, description: 'facts: as the facts were; known: as the system knew them on evaluatedOn' }) mode!: ContinuityMode;
  @ApiProperty() policyVersion!: string;
  @ApiProperty({ ...byRule(RULE_SUMMARY), selfRequired: true, description: 'Per rule: open, closed, breaches, warnings, total and median duration (days)' } as ApiPropertyOptions)
  summary!: Record<string, unknown>;
  @ApiProperty({
    type: 'object',
    additionalProperties: false,
    properties: { spie_2021: byRule(REGIME_RULE_SUMMARY), plein_emploi: byRule(REGIME_RULE_SUMMARY) },
    required: ['spie_2021', 'plein_emploi'],
    selfRequired: true,
    description: 'Per regime of the policy entry that judged each rupture (spie_2021, plein_emploi), then per rule: open, closed, breaches, warnings',
  } as ApiPropertyOptions)
  summaryByRegime!: Record<string, unknown>;
  @ApiProperty({ type: 'array', items: RUPTURE } as ApiPropertyOptions) ruptures!: object[];
}

interface AlertRow {
  parcours_id: string;
  territory: string;
  finding: Finding;
  duration_days: number;
}

@ApiTags('continuity')
@ApiBearerAuth()
@ApiSecurity('apiKey')
@Controller('v1')
export class ContinuityController {
  constructor(
    @Inject(SqlClient) private readonly db: SqlClient,
    @Inject(EventStore) private readonly store: EventStore,
    @Inject(AccessJournal) private readonly journal: AccessJournal,
    @Inject(Clock) private readonly clock: Clock,
    @Inject(CONTINUITY_POLICY) private readonly policy: ContinuityPolicy,
  ) {}

  @Get('parcours/:parcoursId/continuity')
  @Roles(...CONTINUITY_READERS)
  @ApiOperation({ summary: 'The ruptures of one parcours (R1–R11) as of a date, as the facts were or as the system knew them then, with the events that prove them' })
  @ApiOkResponse({ type: ContinuityAnswer })
  async forParcours(
    @Param('parcoursId', new ParseUUIDPipe()) parcoursId: string,
    @Query() query: AsOfQuery,
    @Req() request: FastifyRequest & AuthenticatedRequest,
  ): Promise<ContinuityAnswer> {
    const reader = readerOf(request);
    const visible = parcoursCondition(reader.caller, 'read', 2);
    const rows = await this.db.query<{ territory: string }>(`SELECT d.territory FROM parcours_details d WHERE d.parcours_id = $1 AND ${visible.sql}`, [parcoursId, ...visible.params]);
    await this.journal.record(entryFor(reader, 'parcours.continuity', parcoursId, rows[0] ? 'ok' : 'not_found'));
    if (!rows[0]) throw parcoursNotFound();
    const asOf = query.asOf ?? this.clock.today();
    const mode: ContinuityMode = query.asKnown ? 'known' : 'facts';
    const events = continuityEventsOf(eventsFor(await this.store.readStream(parcoursStreamId(parcoursId)), asOf, mode));
    return {
      parcoursId,
      asOf,
      mode,
      regime: regimeOn(events, asOf),
      policyVersion: this.policy.version,
      findings: evaluateContinuity(events, asOf, this.policy, rows[0].territory),
    };
  }

  @Get('reports/continuity')
  @Roles(...REPORT_READERS)
  @ApiOperation({ summary: 'Open and closed ruptures by territory, partner and rule, with counts and durations (JSON, or CSV with Accept: text/csv)' })
  @ApiRepresentations(ContinuityReport, { csv: 'one line per rupture' })
  async report(
    @Query() query: ContinuityReportQuery,
    @Headers('accept') accept: string | undefined,
    @Req() request: FastifyRequest & AuthenticatedRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ContinuityReport | string> {
    if (query.from && query.to && query.from > query.to) throw new ProblemError(400, 'invalid_period', 'The period is empty', 'from must not be after to');
    const today = this.clock.today();
    const reader = readerOf(request);
    // The report names parcours: the access policy says of which territories.
    const scope = reportTerritories(reader.caller);
    const territories = scope === 'all' ? null : [...scope];
    const evaluatedOn = query.asOf ?? today;
    const mode: ContinuityMode = query.asKnown ? 'known' : 'facts';
    const rows =
      query.asOf === undefined && !query.asKnown
        ? await this.alertRows(query, today, territories)
        : await this.evaluatedRows(query, evaluatedOn, mode, territories);
    await this.journal.record({ ...entryFor(reader, 'reports.continuity', query.territory ?? 'all', 'ok'), recordType: 'territory' });
    // An open rupture lasts until the evaluation day, not until its last evaluation.
    const ruptures = rows.map((row) => ({
      parcoursId: row.parcours_id,
      territory: row.territory,
      ...row.finding,
      durationDays: row.finding.status === 'open' ? daysBetween(row.finding.observedOn, evaluatedOn) + 1 : row.finding.durationDays,
    }));
    return this.answer(ruptures, evaluatedOn, mode, accept, reply);
  }

  /** The findings the read model holds (evaluated today, kept current by the scheduler). */
  private alertRows(query: ContinuityReportQuery, today: string, territories: string[] | null): Promise<AlertRow[]> {
    return this.db.query<AlertRow>(
      `SELECT parcours_id, territory, finding, duration_days FROM continuity_alerts
        WHERE ($1::text IS NULL OR territory = $1) AND ($2::uuid IS NULL OR partner_ids @> ARRAY[$2::uuid])
          AND ($3::text IS NULL OR rule_id = $3)
          AND ($4::date IS NULL OR coalesce(ended_on, $6::date) >= $4::date) AND ($5::date IS NULL OR observed_on <= $5::date)
          AND ($7::text[] IS NULL OR territory = ANY($7::text[]))
        ORDER BY territory, rule_id, observed_on, parcours_id`,
      [query.territory ?? null, query.partner ?? null, query.rule ?? null, query.from ?? null, query.to ?? null, today, territories],
    );
  }

  /**
   * The findings as of another date, or as known then: evaluated now from the events the read
   * model keeps for each parcours (`continuity_events`, with their recording time), the same
   * filters applied to the findings as to the stored ones.
   */
  private async evaluatedRows(query: ContinuityReportQuery, asOf: string, mode: ContinuityMode, territories: string[] | null): Promise<AlertRow[]> {
    const parcours = await this.db.query<{ parcours_id: string; territory: string }>(
      `SELECT parcours_id, territory FROM continuity_parcours
        WHERE ($1::text IS NULL OR territory = $1) AND ($2::uuid IS NULL OR partner_ids @> ARRAY[$2::uuid])
          AND ($3::text[] IS NULL OR territory = ANY($3::text[]))
        ORDER BY territory, parcours_id`,
      [query.territory ?? null, query.partner ?? null, territories],
    );
    const events = await this.db.query<{ parcours_id: string; event: ContinuityEvent }>(
      `SELECT e.parcours_id, e.event FROM continuity_events e JOIN continuity_parcours p USING (parcours_id)
        WHERE ($1::text IS NULL OR p.territory = $1) AND ($2::uuid IS NULL OR p.partner_ids @> ARRAY[$2::uuid])
          AND ($3::text[] IS NULL OR p.territory = ANY($3::text[]))
        ORDER BY e.parcours_id, e.stream_version`,
      [query.territory ?? null, query.partner ?? null, territories],
    );
    const byParcours = new Map<string, ContinuityEvent[]>();
    for (const row of events) byParcours.set(row.parcours_id, [...(byParcours.get(row.parcours_id) ?? []), row.event]);
    const rows: AlertRow[] = [];
    for (const { parcours_id, territory } of parcours) {
      for (const finding of evaluateContinuity(eventsFor(byParcours.get(parcours_id) ?? [], asOf, mode), asOf, this.policy, territory)) {
        if (query.rule !== undefined && finding.ruleId !== query.rule) continue;
        if (query.from !== undefined && (finding.endedOn ?? asOf) < query.from) continue;
        if (query.to !== undefined && finding.observedOn > query.to) continue;
        rows.push({ parcours_id, territory, finding, duration_days: finding.durationDays });
      }
    }
    return rows.sort((a, b) => compare(a.territory, b.territory) || compare(a.finding.ruleId, b.finding.ruleId) || compare(a.finding.observedOn, b.finding.observedOn) || compare(a.parcours_id, b.parcours_id));
  }

  private answer(
    ruptures: Array<Finding & { parcoursId: string; territory: string }>,
    evaluatedOn: string,
    mode: ContinuityMode,
    accept: string | undefined,
    reply: FastifyReply,
  ): ContinuityReport | string {
    const summary: Record<string, { open: number; closed: number; breaches: number; warnings: number; totalDays: number; medianDays: number | null }> = {};
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
    if (wantsCsv(accept)) {
      void reply.header('content-type', 'text/csv; charset=utf-8').header('content-disposition', `attachment; filename="ruptures-${evaluatedOn}.csv"`);
      return excelCsvText([
        ['Règle', 'Gravité', 'État', 'Territoire', 'Parcours', 'Échéance', 'Constatée le', 'Terminée le', 'Durée (j)', 'Politique'],
        ...ruptures.map((rupture) => [
          rupture.ruleId,
          rupture.severity === 'breach' ? 'rupture' : 'alerte',
          rupture.status === 'open' ? 'en cours' : 'close',
          rupture.territory,
          rupture.parcoursId,
          rupture.dueOn ?? '',
          rupture.observedOn,
          rupture.endedOn ?? '',
          String(rupture.durationDays),
          rupture.policy.version,
        ]),
      ]);
    }
    // A rupture belongs to the regime of the facts that started its clock (the entry that judged it).
    const summaryByRegime: Record<string, Record<string, { open: number; closed: number; breaches: number; warnings: number }>> = {};
    for (const regime of ['spie_2021', 'plein_emploi'] as const) {
      const mine = ruptures.filter((rupture) => (rupture.policy.regime ?? regimeOfDate(rupture.policy.effectiveFrom)) === regime);
      summaryByRegime[regime] = Object.fromEntries(
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
    return { evaluatedOn, mode, policyVersion: this.policy.version, summary, summaryByRegime, ruptures };
  }
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}
