import { Module } from '@nestjs/common';
import { ParcoursModule } from '../parcours/parcours.module.js';
import { AccessJournalModule } from '../access-journal/access-journal.module.js';
import { FeedStatusController } from './feed-status.controller.js';
import { WebhookDispatcher } from './webhook-dispatcher.js';
import { WebhookEndpoints } from './webhook-endpoints.js';
import { WebhooksController } from './webhooks.controller.js';

/** Webhook endpoints (API, every process) and their delivery (worker processes only, see WebhookDispatcher); where the feed's consumers stand. */
@Module({
  imports: [ParcoursModule, AccessJournalModule],
  controllers: [WebhooksController, FeedStatusController],
  providers: [WebhookEndpoints, WebhookDispatcher],
  exports: [WebhookDispatcher],
})
export class WebhooksModule {}
