import { type DynamicModule, Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { type AppConfig, runsBackgroundWork } from './config/app-config.js';
import { ConfigModule } from './config/config.module.js';
import { DatabaseModule } from './database/database.module.js';
import { EventStoreModule } from './event-store/event-store.module.js';
import { HealthModule } from './health/health.module.js';
import { PartnersModule } from './partners/partners.module.js';
import { AccessJournalModule } from './access-journal/access-journal.module.js';
import { PrivacyModule } from './privacy/privacy.module.js';
import { HttpModule } from './http/http.module.js';
import { ParcoursModule } from './parcours/parcours.module.js';
import { ProjectionsModule } from './projections/projections.module.js';
import { ReportingModule } from './reporting/reporting.module.js';
import { ContinuityModule } from './continuity/read-models/continuity.module.js';
import { AuditModule } from './audit/audit.module.js';
import { PersonalDataModule } from './personal-data/personal-data.module.js';
import { IntakeModule } from './intake/intake.module.js';
import { WebhooksModule } from './webhooks/webhooks.module.js';
import { WebModule } from './web/web.module.js';
import { Clock, SystemClock } from './kernel/clock.js';
import { ASYNC_READ_MODELS } from './projections/projection.js';
import { projectionsFor } from './read-models.js';
import { ScheduleModule } from '@nestjs/schedule';
import type { DestinationStream } from 'pino';

export interface AppOptions {
  /** Another time source (tests that let time pass). */
  clock?: Clock;
  /** Where the logs go instead of the standard output (tests that read them). */
  logDestination?: DestinationStream;
}

@Module({})
export class AppModule {
  static forRoot(config: AppConfig, options: AppOptions = {}): DynamicModule {
    return {
      module: AppModule,
      providers: [
        { provide: Clock, useValue: options.clock ?? new SystemClock() },
        // Which asynchronous read models run, chosen in one place (read-models.ts).
        { provide: ASYNC_READ_MODELS, inject: [Clock], useFactory: (clock: Clock) => projectionsFor(config, clock) },
      ],
      exports: [Clock, ASYNC_READ_MODELS],
      global: true,
      imports: [
        ConfigModule.forRoot(config),
        CqrsModule.forRoot(),
        // The scheduled jobs (continuity, retention, journal purge) run where the background work
        // runs: without the module, their @Cron methods are never registered.
        ...(runsBackgroundWork(config) ? [ScheduleModule.forRoot()] : []),
        DatabaseModule,
        EventStoreModule,
        HealthModule,
        PartnersModule,
        AccessJournalModule,
        PrivacyModule,
        HttpModule,
        ParcoursModule,
        ProjectionsModule,
        ReportingModule,
        ContinuityModule,
        AuditModule,
        PersonalDataModule,
        IntakeModule,
        WebhooksModule,
        WebModule,
      ],
    };
  }
}
