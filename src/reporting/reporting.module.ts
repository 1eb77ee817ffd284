import { Module } from '@nestjs/common';
import { PartnersModule } from '../partners/partners.module.js';
import { CaomController } from './caom/caom.controller.js';
import { CaomFundingQueries } from './caom/caom.query.js';
import { TerritoryIndicatorsController } from './territory-indicators/territory-indicators.controller.js';
import { TerritoryIndicatorsQueries } from './territory-indicators/territory-indicators.query.js';

@Module({
  imports: [PartnersModule],
  controllers: [CaomController, TerritoryIndicatorsController],
  providers: [CaomFundingQueries, TerritoryIndicatorsQueries],
})
export class ReportingModule {}
