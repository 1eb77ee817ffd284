import { Inject, Module, type OnModuleInit } from '@nestjs/common';
import { UpcasterRegistry } from '../event-store/upcasters.js';
import { PartnersModule } from '../partners/partners.module.js';
import { AccessJournalModule } from '../access-journal/access-journal.module.js';
import { ParcoursController } from './http/parcours.controller.js';
import { CaseloadController } from './read-models/caseload/caseload.controller.js';
import { CaseloadQueries } from './read-models/caseload/caseload.query.js';
import { FeedHub } from './read-models/partner-feed/feed-hub.js';
import { FeedPositionsQuery } from './read-models/partner-feed/feed-positions.js';
import { PartnerFeedController } from './read-models/partner-feed/partner-feed.controller.js';
import { PARCOURS_UPCASTERS } from './domain/upcasters.js';
import { ExecuteParcoursCommandHandler } from './parcours-write.js';
import { GetParcoursHandler, ListFollowupsHandler, ListParcoursHandler } from './read-models/parcours-details/parcours-details.query.js';
import { SearchParcoursHandler } from './read-models/parcours-details/parcours-search.query.js';

@Module({
  imports: [AccessJournalModule, PartnersModule],
  controllers: [ParcoursController, CaseloadController, PartnerFeedController],
  providers: [ExecuteParcoursCommandHandler, GetParcoursHandler, ListFollowupsHandler, ListParcoursHandler, SearchParcoursHandler, CaseloadQueries, FeedHub, FeedPositionsQuery],
  // The intake opens a month's new entrants in batches, prepared as the handler prepares one opening;
  // webhook delivery reads the organisations' feeds through the same hub; the feed status
  // (webhooks module) reads where the feed's readers stand.
  exports: [ExecuteParcoursCommandHandler, FeedHub, FeedPositionsQuery],
})
export class ParcoursModule implements OnModuleInit {
  constructor(@Inject(UpcasterRegistry) private readonly upcasters: UpcasterRegistry) {}

  /** Before the store starts serving reads (bootstrap), so that no event is read in an old shape. */
  onModuleInit(): void {
    for (const upcaster of PARCOURS_UPCASTERS) this.upcasters.register(upcaster);
  }
}
