import { Global, Inject, Logger, Module, type OnApplicationShutdown } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import { waitForDatabase } from './database-availability.js';
import { migrate } from './migrator.js';
import { openDatabase } from './open-database.js';
import { SqlClient } from './sql-client.js';

@Global()
@Module({
  providers: [
    {
      provide: SqlClient,
      inject: [AppConfig],
      useFactory: async (config: AppConfig): Promise<SqlClient> => {
        const db = await openDatabase(config);
        try {
          if (config.databaseUrl) await waitForDatabase(db, config.databaseUrl, config.databaseConnectRetrySeconds, new Logger('Database'));
          // Applied at start so that a deployed version always runs on its own schema.
          await migrate(db);
        } catch (error) {
          await db.close();
          throw error;
        }
        return db;
      },
    },
  ],
  exports: [SqlClient],
})
export class DatabaseModule implements OnApplicationShutdown {
  constructor(@Inject(SqlClient) private readonly db: SqlClient) {}

  /**
   * The last hook of a shutdown: whatever uses the database (projection runners, the store's
   * listener, the vault) stops in `beforeApplicationShutdown`, so nothing is left waiting on a
   * closed client (Nest runs a hook module by module, in no order this one could rely on).
   */
  async onApplicationShutdown(): Promise<void> {
    await this.db.close();
  }
}
