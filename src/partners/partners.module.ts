import { Inject, Logger, Module, type OnApplicationBootstrap } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AppConfig } from '../config/app-config.js';
import { SqlClient } from '../database/sql-client.js';
import { SharedRateCounter } from '../http/rate-limits.js';
import { AccessGuard } from './auth/access.guard.js';
import { PartnerRateLimiter } from './auth/rate-limiter.js';
import { PrincipalResolver } from './auth/principal-resolver.js';
import { loadOrCreateSigningKey } from './auth/signing-key.js';
import { TokenVerifier } from './auth/token-verifier.js';
import { MeController } from './http/me.controller.js';
import { PartnersController } from './http/partners.controller.js';
import {
  GetMemberHandler,
  GetPartnerHandler,
  ListApiKeysHandler,
  ListMembersHandler,
  ListPartnersHandler,
} from './partner-read.js';
import { ExecutePartnerCommandHandler } from './partner-write.js';
import { PartnerDirectoryModule } from './partner-directory.module.js';

@Module({
  imports: [PartnerDirectoryModule],
  controllers: [PartnersController, MeController],
  providers: [
    {
      provide: TokenVerifier,
      inject: [AppConfig],
      useFactory: async (config: AppConfig) =>
        new TokenVerifier(config, config.oidcJwksUrl ? undefined : await loadOrCreateSigningKey(config.dataDir)),
    },
    {
      provide: PrincipalResolver,
      inject: [SqlClient, TokenVerifier],
      useFactory: (db: SqlClient, tokens: TokenVerifier) => new PrincipalResolver(db, tokens),
    },
    {
      provide: PartnerRateLimiter,
      inject: [SharedRateCounter, AppConfig],
      useFactory: (counter: SharedRateCounter, config: AppConfig) => new PartnerRateLimiter(counter, config.rateLimitPerMinute),
    },
    { provide: APP_GUARD, useClass: AccessGuard },
    ExecutePartnerCommandHandler,
    GetPartnerHandler,
    ListPartnersHandler,
    ListMembersHandler,
    GetMemberHandler,
    ListApiKeysHandler,
  ],
  // The reports' labels and the pages' choices name organisations: PartnerDirectoryQueries.
  exports: [PrincipalResolver, PartnerRateLimiter, PartnerDirectoryModule],
})
export class PartnersModule implements OnApplicationBootstrap {
  private readonly logger = new Logger('Partners');

  constructor(@Inject(SqlClient) private readonly db: SqlClient) {}

  /** A fresh installation has nobody who may do anything: say how to create the first administrator. */
  async onApplicationBootstrap(): Promise<void> {
    const admins = await this.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM partner_members WHERE 'platform_admin' = ANY(roles)`);
    if (admins[0]?.n) return;
    this.logger.warn(
      'No platform administrator yet. Create the first one (your organisation and you), then a token' +
        (this.db.dialect === 'pglite' ? ' (on the embedded database, stop the service first: only one process may open it):\n' : ':\n') +
        '  npm run cli -- partners bootstrap --name "Conseil départemental" --kind departement --territory cc-thiers-dore-et-montagne --admin-sub <your sub> --admin-name "<your name>"\n' +
        '  npm run cli -- tokens mint --sub <your sub>',
    );
  }
}
