import { Module } from '@nestjs/common';
import { CaomController } from './caom/caom.controller.js';
import { TerritoryIndicatorsController } from './territory-indicators/territory-indicators.controller.js';

@Module({ controllers: [CaomController, TerritoryIndicatorsController] })
export class ReportingModule {}
