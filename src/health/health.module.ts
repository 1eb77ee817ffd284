import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { DatabaseHealth } from './database-health.js';
import { HealthController } from './health.controller.js';
import { ProjectionsModule } from '../projections/projections.module.js';

@Module({
  imports: [TerminusModule, ProjectionsModule],
  controllers: [HealthController],
  providers: [DatabaseHealth],
})
export class HealthModule {}
