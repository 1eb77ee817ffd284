import { Get, Headers, Inject, Query, Res } from '@nestjs/common';
import { ApiOperation, ApiProperty, type ApiPropertyOptions, ApiPropertyOptional, type SchemaObject } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, Max, Min } from 'class-validator';
import type { FastifyReply } from 'fastify';
import { REPORT_READERS } from '../../access/functions.js';
import { ProblemError } from '../../http/problem.js';
import { Roles } from '../../access/access.decorators.js';
import { TERRITORIES } from '../../partners/territories/territories.js';
import { CaomPolicyNotFoundError } from './caom-policy.js';
import { caomReportToCsvRows } from './caom-csv.js';
import type { CaomReport } from './caom-report.js';
import { CaomFundingQueries } from './caom.query.js';
import { excelCsvText, wantsCsv } from '../../kernel/csv.js';
import { ApiRepresentations } from '../../http/representations.js';
import { ApiController } from '../../http/api-controller.js';

export class CaomQuery {
  @ApiProperty({ example: 2021 }) @Type(() => Number) @IsInt() @Min(2000) @Max(2100) year!: number;
  @ApiPropertyOptional({ enum: TERRITORIES.map((territory) => territory.code) })
  @IsOptional()
  @IsIn(TERRITORIES.map((territory) => territory.code))
  territory?: string;
}

// The report's shapes (src/reporting/caom/caom-report.ts), typed for the clients generated from the document.
const object = (properties: Record<string, SchemaObject>, description?: string): SchemaObject => ({
  type: 'object',
  additionalProperties: false,
  properties,
  required: Object.keys(properties),
  ...(description ? { description } : {}),
});
const INTEGER: SchemaObject = { type: 'integer' };
const CENTS: SchemaObject = { type: 'integer', description: 'Euro cents, exact' };
const DATE: SchemaObject = { type: 'string', format: 'date' };
const lineOf = (volet: string, statuses: string[], reasons: string[], own: Record<string, SchemaObject>): SchemaObject =>
  object({
    parcoursId: { type: 'string', format: 'uuid' },
    contractId: { type: 'string', format: 'uuid' },
    territory: { type: 'string' },
    employerPartnerId: { type: 'string', format: 'uuid', nullable: true },
    employerSiret: { type: 'string', nullable: true },
    startsOn: DATE,
    endsOn: { ...DATE, nullable: true, description: "The contract's last known day; null while open-ended" },
    weeklyHours: { type: 'number' },
    rsaSocleAtStart: { type: 'boolean' },
    volet: { type: 'string', enum: [volet] },
    status: { type: 'string', enum: statuses },
    reason: reasons.length ? { type: 'string', enum: reasons, nullable: true } : { type: 'null' },
    ...own,
  });
const ENVELOPES = ['jeunes', 'hors_jeunes'];
const PEC_REFUSALS = ['not_rsa_socle', 'hours_below_minimum', 'envelope_exhausted'];
const ENVELOPE_SUMMARY: SchemaObject = object({
  envelope: { type: 'string', enum: ENVELOPES },
  amountCents: CENTS,
  monthlyContributionCents: CENTS,
  fundedCount: INTEGER,
  committedCents: CENTS,
  refusedCount: INTEGER,
  refusedByReason: object(Object.fromEntries(PEC_REFUSALS.map((reason) => [reason, INTEGER]))),
  envelopeCommittedCents: CENTS,
  remainingCents: CENTS,
});
const PEC: SchemaObject = object({
  minimumWeeklyHours: { type: 'number' },
  envelopes: object(Object.fromEntries(ENVELOPES.map((envelope) => [envelope, ENVELOPE_SUMMARY]))),
  fundedCount: INTEGER,
  committedCents: CENTS,
  refusedCount: INTEGER,
  lines: {
    type: 'array',
    items: lineOf('pec', ['funded', 'refused'], PEC_REFUSALS, {
      envelope: { type: 'string', enum: ENVELOPES },
      periodInYear: object({ from: DATE, to: DATE }),
      monthsInYear: { type: 'number', description: 'For display only (two decimals)' },
      requestedCents: CENTS,
      committedCents: CENTS,
    }),
  },
});
const ACI: SchemaObject = object({
  amountPerFullTimeEquivalentCents: CENTS,
  fullTimeWeeklyHours: { type: 'number' },
  fundedCount: INTEGER,
  fullTimeEquivalents: { type: 'number', description: 'Exact sum of the funded lines; round for display only' },
  committedCents: CENTS,
  refusedCount: INTEGER,
  lines: {
    type: 'array',
    items: lineOf('aci', ['funded', 'refused'], ['not_rsa_socle'], {
      fullTimeEquivalent: { type: 'number', description: 'Exact: weekly hours / full-time hours, capped at 1' },
      requestedCents: CENTS,
      committedCents: CENTS,
    }),
  },
});
const EI: SchemaObject = object({
  premiumCents: CENTS,
  premiumFromMonth: INTEGER,
  ceilingCents: CENTS,
  fundedCount: INTEGER,
  committedCents: CENTS,
  refusedCount: INTEGER,
  notFundedCount: INTEGER,
  ceilingCommittedCents: CENTS,
  remainingCents: CENTS,
  lines: {
    type: 'array',
    items: lineOf('ei', ['funded', 'refused', 'not_funded'], ['not_rsa_socle', 'ends_before_premium_month', 'ceiling_reached'], {
      premiumDueOn: DATE,
      requestedCents: CENTS,
      committedCents: CENTS,
    }),
  },
});
const EBE: SchemaObject = object({
  participationCents: CENTS,
  recipient: { type: 'string' },
  hiresCount: INTEGER,
  activeContractsCount: INTEGER,
  lines: { type: 'array', items: lineOf('ebe', ['hired'], [], {}) },
});

export class CaomReportResponse {
  @ApiProperty() year!: number;
  @ApiProperty({ type: String, nullable: true }) territory!: string | null;
  @ApiProperty({ ...object({ money: { type: 'string' }, fullTimeEquivalents: { type: 'string' } }, 'How the report rounds, so that a funder can recompute the figures'), selfRequired: true } as ApiPropertyOptions)
  rounding!: object;
  @ApiProperty({
    ...object(
      { version: { type: 'string' }, departement: { type: 'string' }, label: { type: 'string' }, validFrom: DATE, validTo: { ...DATE, nullable: true } },
      'The policy applied',
    ),
    selfRequired: true,
  } as ApiPropertyOptions)
  policy!: object;
  @ApiProperty({ ...PEC, selfRequired: true } as ApiPropertyOptions) pec!: object;
  @ApiProperty({ ...ACI, selfRequired: true } as ApiPropertyOptions) aci!: object;
  @ApiProperty({ ...EI, selfRequired: true } as ApiPropertyOptions) ei!: object;
  @ApiProperty({ ...EBE, selfRequired: true } as ApiPropertyOptions) ebe!: object;
}

@ApiController('reports', 'v1/reports/caom')
export class CaomController {
  constructor(@Inject(CaomFundingQueries) private readonly funding: CaomFundingQueries) {}

  @Get()
  @Roles(...REPORT_READERS)
  @ApiOperation({ summary: 'CAOM funding of a year: PEC envelopes, ACI, EI premiums, EBE (JSON, or CSV with Accept: text/csv)' })
  @ApiRepresentations(CaomReportResponse, { csv: 'one line per contract and volet' })
  async report(@Query() query: CaomQuery, @Headers('accept') accept: string | undefined, @Res({ passthrough: true }) reply: FastifyReply): Promise<CaomReport | string> {
    let report;
    try {
      report = await this.funding.reportOf(query.year, query.territory);
    } catch (error) {
      if (error instanceof CaomPolicyNotFoundError) throw new ProblemError(404, 'caom_policy_not_found', 'No CAOM policy covers this year', error.message);
      throw error;
    }
    if (wantsCsv(accept)) {
      void reply
        .header('content-type', 'text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="caom-${query.year}${query.territory ? `-${query.territory}` : ''}.csv"`);
      return excelCsvText(caomReportToCsvRows(report));
    }
    return report;
  }
}
