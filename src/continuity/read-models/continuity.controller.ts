import { Get, Headers, Inject, Param, ParseUUIDPipe, Query, Req, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProperty, type ApiPropertyOptions, ApiPropertyOptional, type SchemaObject } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsOptional, IsUUID } from 'class-validator';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CONTINUITY_READERS, REPORT_READERS } from '../../access/functions.js';
import { IsCalendarDate } from '../../http/calendar-date.js';
import { ProblemError } from '../../http/problem.js';
import { Roles } from '../../access/access.decorators.js';
import type { AuthenticatedRequest } from '../../access/principal.js';
import { TERRITORIES } from '../../partners/territories/territories.js';
import { entryFor, parcoursNotFound, readerOf } from '../../parcours/read-models/parcours-details/parcours-details.query.js';
import { AccessJournal } from '../../access-journal/access-journal.js';
import { excelCsvText, wantsCsv } from '../../kernel/csv.js';
import type { Finding } from '../findings.js';
import { RULE_IDS } from '../policy.js';
import { CONTINUITY_MODES, type ContinuityMode } from '../as-known.js';
import { REGIMES, type Regime } from '../../parcours/domain/regimes.js';
import { ApiRepresentations } from '../../http/representations.js';
import { ContinuityQueries } from './continuity.query.js';
import { ApiController } from '../../http/api-controller.js';


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

@ApiController('continuity', 'v1')
export class ContinuityController {
  constructor(
    @Inject(ContinuityQueries) private readonly continuity: ContinuityQueries,
    @Inject(AccessJournal) private readonly journal: AccessJournal,
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
    const territory = await this.continuity.territoryOfReadable(reader.caller, parcoursId);
    await this.journal.record(entryFor(reader, 'parcours.continuity', parcoursId, territory !== undefined ? 'ok' : 'not_found'));
    if (territory === undefined) throw parcoursNotFound();
    return this.continuity.ofParcours(parcoursId, territory, query);
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
    const reader = readerOf(request);
    const report = await this.continuity.ruptures(reader.caller, query);
    await this.journal.record({ ...entryFor(reader, 'reports.continuity', query.territory ?? 'all', 'ok'), recordType: 'territory' });
    if (!wantsCsv(accept)) return report;
    void reply.header('content-type', 'text/csv; charset=utf-8').header('content-disposition', `attachment; filename="ruptures-${report.evaluatedOn}.csv"`);
    return excelCsvText([
      ['Règle', 'Gravité', 'État', 'Territoire', 'Parcours', 'Échéance', 'Constatée le', 'Terminée le', 'Durée (j)', 'Politique'],
      ...report.ruptures.map((rupture) => [
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
}
