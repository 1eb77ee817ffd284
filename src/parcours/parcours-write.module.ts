import { type DynamicModule, Global, Inject, Module, type OnModuleInit, type Provider } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { CqrsModule } from '@nestjs/cqrs';
import type { INestApplicationContext } from '@nestjs/common';
import { AccessJournalModule } from '../access-journal/access-journal.module.js';
import type { AppConfig } from '../config/app-config.js';
import { ConfigModule } from '../config/config.module.js';
import { DatabaseModule } from '../database/database.module.js';
import { EventStoreModule } from '../event-store/event-store.module.js';
import { UpcasterRegistry } from '../event-store/upcasters.js';
import { HttpModule } from '../http/http.module.js';
import { Clock } from '../kernel/clock.js';
import { PartnerDirectoryModule } from '../partners/partner-directory.module.js';
import { PrivacyModule } from '../privacy/privacy.module.js';
import { ParcoursCommandPreparation } from './command-preparation.js';
import { PARCOURS_UPCASTERS } from './domain/upcasters.js';
import { ParcoursInlineWrites } from './parcours-inline-writes.js';
import { ExecuteParcoursCommandHandler } from './parcours-write.js';
import { ExistingParcoursQuery } from './read-models/parcours-details/existing-parcours.query.js';
import { ParcoursIdentities } from './read-models/parcours-details/parcours-identities.query.js';

/**
 * The parcours write path: the command handler and its collaborators (preparation, inline writes,
 * the look-ups), and the parcours' upcasters. Imported by the API's module and by the command-line
 * contexts that write parcours (intake, retention), so that they all write the same way.
 */
@Module({
  imports: [AccessJournalModule, PartnerDirectoryModule],
  providers: [ExecuteParcoursCommandHandler, ParcoursCommandPreparation, ParcoursInlineWrites, ParcoursIdentities, ExistingParcoursQuery],
  exports: [ExecuteParcoursCommandHandler, ParcoursInlineWrites],
})
export class ParcoursWriteModule implements OnModuleInit {
  constructor(@Inject(UpcasterRegistry) private readonly upcasters: UpcasterRegistry) {}

  /** Before the store starts serving reads (bootstrap), so that no event is read in an old shape. */
  onModuleInit(): void {
    for (const upcaster of PARCOURS_UPCASTERS) this.upcasters.register(upcaster);
  }
}

@Global()
@Module({})
class ParcoursWriteContextModule {
  static forRoot(config: AppConfig, clock: Clock, providers: Provider[]): DynamicModule {
    return {
      module: ParcoursWriteContextModule,
      imports: [ConfigModule.forRoot(config), CqrsModule.forRoot(), DatabaseModule, EventStoreModule, PrivacyModule, HttpModule, AccessJournalModule, ParcoursWriteModule],
      providers: [{ provide: Clock, useValue: clock }, ...providers],
      exports: [Clock],
    };
  }
}

/** The parcours write path without HTTP, projections or schedulers, with `providers` (a CLI's, a benchmark's). */
export async function openParcoursWriteContext(config: AppConfig, clock: Clock, providers: Provider[]): Promise<INestApplicationContext> {
  const app = await NestFactory.createApplicationContext(ParcoursWriteContextModule.forRoot(config, clock, providers), { logger: ['error', 'warn'] });
  await app.init();
  return app;
}
