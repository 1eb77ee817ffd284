import { type DynamicModule, Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { LoggerModule } from 'nestjs-pino';
import type { AppConfig } from './config/app-config.js';
import { ConfigModule } from './config/config.module.js';
import { DatabaseModule } from './database/database.module.js';
import { EventStoreModule } from './event-store/event-store.module.js';
import { HealthModule } from './health/health.module.js';
import { loggingParams } from './http/logging.js';
import { PartnersModule } from './partners/partners.module.js';
import { AccessJournalModule } from './privacy/access-journal/access-journal.module.js';
import { PrivacyModule } from './privacy/privacy.module.js';
import { ScheduleModule } from '@nestjs/schedule';

@Module({})
export class AppModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggerModule.forRoot(loggingParams(config)),
        CqrsModule.forRoot(),
        ScheduleModule.forRoot(),
        DatabaseModule,
        EventStoreModule,
        HealthModule,
        PartnersModule,
        AccessJournalModule,
        PrivacyModule,
      ],
    };
  }
}
