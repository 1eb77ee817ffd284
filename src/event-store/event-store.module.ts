import { Global, Inject, Module, type OnApplicationBootstrap, type BeforeApplicationShutdown } from '@nestjs/common';
import { SqlClient } from '../database/sql-client.js';
import { CommandRunner } from './command-runner.js';
import { EventStore } from './event-store.js';
import { SqlEventStore } from './sql/sql-event-store.js';
import { UpcasterRegistry } from './upcasters.js';

@Global()
@Module({
  providers: [
    // Features register their upcasters on this registry when their module initialises; one per
    // application (a factory, not a value shared by every application of the process).
    { provide: UpcasterRegistry, useFactory: () => new UpcasterRegistry() },
    {
      provide: SqlEventStore,
      inject: [SqlClient, UpcasterRegistry],
      useFactory: (db: SqlClient, upcasters: UpcasterRegistry) => new SqlEventStore(db, { upcasters }),
    },
    { provide: EventStore, useExisting: SqlEventStore },
    { provide: CommandRunner, inject: [EventStore], useFactory: (store: EventStore) => new CommandRunner(store) },
  ],
  exports: [EventStore, UpcasterRegistry, CommandRunner],
})
export class EventStoreModule implements OnApplicationBootstrap, BeforeApplicationShutdown {
  constructor(@Inject(SqlEventStore) private readonly store: SqlEventStore) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.store.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.store.stop();
  }
}
