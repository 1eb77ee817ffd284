import { Module } from '@nestjs/common';
import { SqlClient } from '../database/sql-client.js';
import { EventStore } from '../event-store/event-store.js';
import { ContinuityModule } from '../continuity/read-models/continuity.module.js';
import { CONTINUITY_POLICY } from '../continuity/read-models/continuity.scheduler.js';
import type { ContinuityPolicy } from '../continuity/policy.js';
import { AccessJournalModule } from '../access-journal/access-journal.module.js';
import { Audit } from './audit.js';
import { AuditController } from './audit.controller.js';

@Module({
  imports: [AccessJournalModule, ContinuityModule],
  providers: [
    {
      provide: Audit,
      inject: [SqlClient, EventStore, CONTINUITY_POLICY],
      useFactory: (db: SqlClient, store: EventStore, policy: ContinuityPolicy) => new Audit(db, store, policy),
    },
  ],
  controllers: [AuditController],
  exports: [Audit],
})
export class AuditModule {}
