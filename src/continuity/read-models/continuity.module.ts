import { Module } from '@nestjs/common';
import { AppConfig } from '../../config/app-config.js';
import { AccessJournalModule } from '../../access-journal/access-journal.module.js';
import { continuityPolicyOf } from '../policy.js';
import { ContinuityController } from './continuity.controller.js';
import { ContinuityQueries } from './continuity.query.js';
import { CONTINUITY_POLICY, ContinuityScheduler } from './continuity.scheduler.js';

@Module({
  imports: [AccessJournalModule],
  providers: [{ provide: CONTINUITY_POLICY, inject: [AppConfig], useFactory: (config: AppConfig) => continuityPolicyOf(config) }, ContinuityScheduler, ContinuityQueries],
  controllers: [ContinuityController],
  exports: [ContinuityScheduler, CONTINUITY_POLICY],
})
export class ContinuityModule {}
