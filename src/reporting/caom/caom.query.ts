import { Inject, Injectable } from '@nestjs/common';
import { AppConfig } from '../../config/app-config.js';
import { SqlClient } from '../../database/sql-client.js';
import type { CaomFundingDoc } from './caom-funding.projection.js';
import { type CaomPolicy, caomPoliciesFrom, policyForYear } from './caom-policy.js';
import { type CaomReport, computeCaomReport } from './caom-report.js';

/** Reads `caom_funding` (caom-funding.projection.ts) under the CAOM policies (CAOM_POLICY_DIR, or those shipped). */
@Injectable()
export class CaomFundingQueries {
  private readonly policies: readonly CaomPolicy[];

  constructor(@Inject(SqlClient) private readonly db: SqlClient, @Inject(AppConfig) config: AppConfig) {
    this.policies = caomPoliciesFrom(config.caomPolicyDir);
  }

  /** The CAOM funding of a year (of one EPCI, or all). Throws CaomPolicyNotFoundError when no policy covers the year. */
  async reportOf(year: number, territory: string | undefined): Promise<CaomReport> {
    const policy = policyForYear(this.policies, year);
    // Every contract that could count this year: the report itself applies the year's rules.
    const rows = await this.db.query<{ doc: CaomFundingDoc }>(`SELECT doc FROM caom_funding WHERE jsonb_array_length(doc -> 'contracts') > 0`);
    const facts = rows.flatMap((row) => row.doc.contracts);
    return computeCaomReport(facts, policy, year, { territory });
  }
}
