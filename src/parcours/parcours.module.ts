import { Module } from '@nestjs/common';
import { AccessJournalModule } from '../privacy/access-journal/access-journal.module.js';
import { ParcoursController } from './http/parcours.controller.js';
import { CaseloadController } from './read-models/caseload/caseload.controller.js';
import { PartnerFeedController } from './read-models/partner-feed/partner-feed.controller.js';
import { ExecuteParcoursCommandHandler } from './parcours-write.js';
import { GetParcoursHandler, ListParcoursHandler } from './read-models/parcours-details/parcours-details.query.js';

@Module({
  imports: [AccessJournalModule],
  controllers: [ParcoursController, CaseloadController, PartnerFeedController],
  providers: [ExecuteParcoursCommandHandler, GetParcoursHandler, ListParcoursHandler],
})
export class ParcoursModule {}
