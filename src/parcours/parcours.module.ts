import { Module } from '@nestjs/common';
import { PartnersModule } from '../partners/partners.module.js';
import { AccessJournalModule } from '../access-journal/access-journal.module.js';
import { ParcoursController } from './http/parcours.controller.js';
import { CaseloadController } from './read-models/caseload/caseload.controller.js';
import { CaseloadQueries } from './read-models/caseload/caseload.query.js';
import { FeedHub } from './read-models/partner-feed/feed-hub.js';
import { FeedPositionsQuery } from './read-models/partner-feed/feed-positions.js';
import { PartnerFeedController } from './read-models/partner-feed/partner-feed.controller.js';
import { ParcoursWriteModule } from './parcours-write.module.js';
import { GetParcoursHandler, ListFollowupsHandler, ListParcoursHandler } from './read-models/parcours-details/parcours-details.query.js';
import { SearchParcoursHandler } from './read-models/parcours-details/parcours-search.query.js';

@Module({
  imports: [AccessJournalModule, PartnersModule, ParcoursWriteModule],
  controllers: [ParcoursController, CaseloadController, PartnerFeedController],
  providers: [
    GetParcoursHandler, ListFollowupsHandler, ListParcoursHandler, SearchParcoursHandler,
    CaseloadQueries,
    FeedHub,
    FeedPositionsQuery,
  ],
  // The intake opens a month's new entrants in batches, prepared as the handler prepares one opening
  // (and the demo loads its parcours with the same inline writes);
  // webhook delivery reads the organisations' feeds through the same hub; the feed status
  // (webhooks module) reads where the feed's readers stand.
  exports: [ParcoursWriteModule, FeedHub, FeedPositionsQuery],
})
export class ParcoursModule {}
