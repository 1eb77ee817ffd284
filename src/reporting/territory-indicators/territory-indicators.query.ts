import { Inject, Injectable } from '@nestjs/common';
import { SqlClient } from '../../database/sql-client.js';
import type { ParcoursFacts } from './territory-indicators.projection.js';
import { type TerritoryIndicatorRow, type TerritoryIndicatorsQuery, computeTerritoryIndicators } from './territory-indicators.js';

/** Reads `territory_indicators` (territory-indicators.projection.ts). */
@Injectable()
export class TerritoryIndicatorsQueries {
  constructor(@Inject(SqlClient) private readonly db: SqlClient) {}

  /** The indicators of each EPCI (or of one) for each month of the period, from the facts kept per parcours. */
  async monthly(period: TerritoryIndicatorsQuery): Promise<TerritoryIndicatorRow[]> {
    const rows = await this.db.query<{ doc: ParcoursFacts }>(
      `SELECT doc FROM territory_indicators WHERE $1::text IS NULL OR doc ->> 'territory' = $1`,
      [period.territory ?? null],
    );
    return computeTerritoryIndicators(
      rows.map((row) => row.doc),
      period,
    );
  }
}
