import { Controller, Get, Headers, Inject, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiProduces, ApiProperty, ApiPropertyOptional, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, Max, Min } from 'class-validator';
import type { FastifyReply } from 'fastify';
import { REPORT_READERS } from '../../access/functions.js';
import { SqlClient } from '../../database/sql-client.js';
import { ProblemError } from '../../http/problem.js';
import { Roles } from '../../partners/auth/access.decorators.js';
import { TERRITORIES } from '../../partners/territories/territories.js';
import type { CaomFundingDoc } from './caom-funding.projection.js';
import { type CaomPolicy, CaomPolicyNotFoundError, caomPoliciesFrom, policyForYear } from './caom-policy.js';
import { AppConfig } from '../../config/app-config.js';
import { type CaomReport, caomCsvText, caomReportToCsvRows, computeCaomReport } from './caom-report.js';
import { wantsCsv } from '../csv.js';

export class CaomQuery {
  @ApiProperty({ example: 2021 }) @Type(() => Number) @IsInt() @Min(2000) @Max(2100) year!: number;
  @ApiPropertyOptional({ enum: TERRITORIES.map((territory) => territory.code) })
  @IsOptional()
  @IsIn(TERRITORIES.map((territory) => territory.code))
  territory?: string;
}

export class CaomReportResponse {
  @ApiProperty() year!: number;
  @ApiProperty({ type: String, nullable: true }) territory!: string | null;
  @ApiProperty({ description: 'The policy applied (version, département, figures)', type: 'object', additionalProperties: true }) policy!: object;
  @ApiProperty({ type: 'object', additionalProperties: true }) pec!: object;
  @ApiProperty({ type: 'object', additionalProperties: true }) aci!: object;
  @ApiProperty({ type: 'object', additionalProperties: true }) ei!: object;
  @ApiProperty({ type: 'object', additionalProperties: true }) ebe!: object;
}

@ApiTags('reports')
@ApiBearerAuth()
@ApiSecurity('apiKey')
@Controller('v1/reports/caom')
export class CaomController {
  private readonly policies: readonly CaomPolicy[];

  constructor(
    @Inject(SqlClient) private readonly db: SqlClient,
    @Inject(AppConfig) config: AppConfig,
  ) {
    this.policies = caomPoliciesFrom(config.caomPolicyDir);
  }

  @Get()
  @Roles(...REPORT_READERS)
  @ApiOperation({ summary: 'CAOM funding of a year: PEC envelopes, ACI, EI premiums, EBE (JSON, or CSV with Accept: text/csv)' })
  @ApiProduces('application/json', 'text/csv')
  @ApiOkResponse({ type: CaomReportResponse })
  async report(@Query() query: CaomQuery, @Headers('accept') accept: string | undefined, @Res({ passthrough: true }) reply: FastifyReply): Promise<CaomReport | string> {
    let policy;
    try {
      policy = policyForYear(this.policies, query.year);
    } catch (error) {
      if (error instanceof CaomPolicyNotFoundError) throw new ProblemError(404, 'caom_policy_not_found', 'No CAOM policy covers this year', error.message);
      throw error;
    }
    // Every contract that could count this year: the report itself applies the year's rules.
    const rows = await this.db.query<{ doc: CaomFundingDoc }>(
      `SELECT doc FROM caom_funding WHERE jsonb_array_length(doc -> 'contracts') > 0`,
    );
    const facts = rows.flatMap((row) => row.doc.contracts);
    const report = computeCaomReport(facts, policy, query.year, { territory: query.territory });
    if (wantsCsv(accept)) {
      void reply
        .header('content-type', 'text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="caom-${query.year}${query.territory ? `-${query.territory}` : ''}.csv"`);
      return caomCsvText(caomReportToCsvRows(report));
    }
    return report;
  }
}
