import { Global, Inject, Module, type OnApplicationBootstrap, type BeforeApplicationShutdown } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import { SqlClient } from '../database/sql-client.js';
import { BlindIndex } from './blind-index/blind-index.js';
import { BlindIndexKeys, loadBlindIndexKeys } from './blind-index/blind-index-keys.js';
import { DataKeyWrites, KeyVault, SqlKeyVault } from './crypto/key-vault.js';
import { MasterKey, loadMasterKey } from './crypto/master-key.js';
import { PersonalDataCipher } from './crypto/personal-data-cipher.js';

/** Per-beneficiary encryption of personal data and crypto-shredding (DESIGN §8). */
@Global()
@Module({
  providers: [
    {
      provide: MasterKey,
      inject: [AppConfig],
      useFactory: (config: AppConfig) =>
        loadMasterKey({ masterKey: config.masterKey, dataDir: config.dataDir, generateIfMissing: config.databaseUrl === undefined }),
    },
    { provide: SqlKeyVault, inject: [SqlClient, MasterKey], useFactory: (db: SqlClient, key: MasterKey) => new SqlKeyVault(db, key) },
    { provide: KeyVault, useExisting: SqlKeyVault },
    { provide: DataKeyWrites, useExisting: SqlKeyVault },
    PersonalDataCipher,
    {
      provide: BlindIndexKeys,
      inject: [AppConfig, MasterKey],
      useFactory: (config: AppConfig, masterKey: MasterKey) =>
        loadBlindIndexKeys({
          key: config.blindIndexKey,
          previousKey: config.blindIndexPreviousKey,
          dataDir: config.dataDir,
          generateIfMissing: config.databaseUrl === undefined,
          masterKey,
        }),
    },
    BlindIndex,
  ],
  // MasterKey: webhook signing secrets are wrapped by it.
  exports: [KeyVault, DataKeyWrites, PersonalDataCipher, BlindIndex, MasterKey],
})
export class PrivacyModule implements OnApplicationBootstrap, BeforeApplicationShutdown {
  constructor(@Inject(SqlKeyVault) private readonly vault: SqlKeyVault) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.vault.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.vault.stop();
  }
}
