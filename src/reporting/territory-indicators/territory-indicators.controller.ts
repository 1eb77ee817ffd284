import { Get, Headers, Inject, Query, Res } from '@nestjs/common';
import { ApiOperation, ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, Matches } from 'class-validator';
import type { FastifyReply } from 'fastify';
import { REPORT_READERS } from '../../access/functions.js';
import { ProblemError } from '../../http/problem.js';
import { Roles } from '../../access/access.decorators.js';
import { TERRITORIES } from '../../partners/territories/territories.js';
import { wantsCsv } from '../../kernel/csv.js';
import { MAX_MONTHS, type TerritoryIndicatorRow, monthsCovered, territoryIndicatorsCsvText } from './territory-indicators.js';
import { TerritoryIndicatorsQueries } from './territory-indicators.query.js';
import { PartnerDirectoryQueries } from '../../partners/partner-directory.query.js';
import type { Regime } from '../../parcours/domain/regimes.js';
import { ApiRepresentations } from '../../http/representations.js';
import { ApiController } from '../../http/api-controller.js';

const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;

export class TerritoryIndicatorsQueryDto {
  @ApiProperty({ example: '2026-01', pattern: MONTH.source, description: 'First month, YYYY-MM' }) @Matches(MONTH, { message: 'from must be a month YYYY-MM' }) from!: string;
  @ApiProperty({ example: '2026-12', pattern: MONTH.source, description: 'Last month, YYYY-MM, included' }) @Matches(MONTH, { message: 'to must be a month YYYY-MM' }) to!: string;
  @ApiPropertyOptional({ enum: TERRITORIES.map((territory) => territory.code) })
  @IsOptional()
  @IsIn(TERRITORIES.map((territory) => territory.code))
  territory?: string;
}

export class DelayStatisticsResponse {
  @ApiProperty({ type: Number, nullable: true, description: 'Nearest-rank median in days; null when no delay ended in the month' }) median!: number | null;
  @ApiProperty({ type: Number, nullable: true, description: 'Nearest-rank 90th percentile in days; null when no delay ended in the month' }) p90!: number | null;
  @ApiProperty({ description: 'Delays measured' }) count!: number;
}

export class RegimeCountsResponse {
  @ApiProperty() open!: number;
  @ApiProperty() withReferent!: number;
  @ApiProperty() withValidEngagementContract!: number;
}

/** One property per regime (REGIMES), each always present; `implements` makes a new regime a compile error here. */
export class ByRegimeResponse implements Record<Regime, RegimeCountsResponse> {
  @ApiProperty({ type: RegimeCountsResponse }) spie_2021!: RegimeCountsResponse;
  @ApiProperty({ type: RegimeCountsResponse }) transition!: RegimeCountsResponse;
  @ApiProperty({ type: RegimeCountsResponse }) plein_emploi!: RegimeCountsResponse;
}

export class TerritoryIndicatorRowResponse {
  @ApiProperty() territory!: string;
  @ApiProperty({ example: '2026-03' }) month!: string;
  @ApiProperty() entries!: number;
  @ApiProperty({ type: 'object', additionalProperties: { type: 'number' } }) orientationsByType!: object;
  @ApiProperty({ type: 'object', additionalProperties: { type: 'number' } }) orientationsByOrganismeReferent!: object;
  @ApiProperty() reorientations!: number;
  @ApiProperty({ type: DelayStatisticsResponse }) delayEntryToOrientationDays!: DelayStatisticsResponse;
  @ApiProperty({ type: DelayStatisticsResponse }) delayOrientationToFirstAccompanimentDays!: DelayStatisticsResponse;
  @ApiProperty() openAtMonthEnd!: number;
  @ApiProperty() withReferentAtMonthEnd!: number;
  @ApiProperty() withValidEngagementContractAtMonthEnd!: number;
  @ApiProperty({ type: Number, nullable: true }) shareWithReferent!: number | null;
  @ApiProperty({ type: Number, nullable: true }) shareWithValidEngagementContract!: number | null;
  @ApiProperty({ type: 'object', additionalProperties: { type: 'number' } }) employmentContractsStartedByKind!: object;
  @ApiProperty({ type: 'object', additionalProperties: { type: 'number' } }) exitsByCategory!: object;
  @ApiProperty({ type: ByRegimeResponse, description: 'The month-end counts by the regime each parcours is under that day' })
  byRegimeAtMonthEnd!: ByRegimeResponse;
  @ApiProperty({ description: 'Parcours open on 1 January 2025 (the transition)' }) transitionParcours!: number;
  @ApiProperty({ description: "Of them, those with a contrat d'engagement starting by the month end and by 31 December 2026" }) transitionWithContratEngagement!: number;
  @ApiProperty({ type: Number, nullable: true }) shareTransitionWithContratEngagement!: number | null;
}

/** `territory_indicators` — per EPCI and month, how the SPIE is doing (Département, State, funders). */
@ApiController('reports', 'v1/reports/territories')
export class TerritoryIndicatorsController {
  constructor(
    @Inject(TerritoryIndicatorsQueries) private readonly indicators: TerritoryIndicatorsQueries,
    @Inject(PartnerDirectoryQueries) private readonly partners: PartnerDirectoryQueries,
  ) {}

  @Get()
  @Roles(...REPORT_READERS)
  @ApiOperation({ summary: `Indicators per EPCI and month (JSON, or CSV with Accept: text/csv); at most ${MAX_MONTHS} months` })
  @ApiRepresentations(TerritoryIndicatorRowResponse, { isArray: true, csv: 'one line per EPCI and month' })
  async report(
    @Query() query: TerritoryIndicatorsQueryDto,
    @Headers('accept') accept: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<TerritoryIndicatorRow[] | string> {
    if (query.from > query.to) throw new ProblemError(400, 'invalid_period', 'The period is empty', 'from must not be after to');
    if (monthsCovered(query.from, query.to) > MAX_MONTHS) {
      throw new ProblemError(400, 'invalid_period', 'The period is too long', `at most ${MAX_MONTHS} months per report`);
    }
    const indicators = await this.indicators.monthly(query);
    if (!wantsCsv(accept)) return indicators;
    const partnerLabels = await this.partners.namesById();
    void reply
      .header('content-type', 'text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="indicateurs-${query.territory ?? 'territoires'}-${query.from}-${query.to}.csv"`);
    return territoryIndicatorsCsvText(indicators, { partnerLabels });
  }
}
