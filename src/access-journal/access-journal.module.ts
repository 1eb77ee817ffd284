import { Inject, Injectable, Logger, Module } from '@nestjs/common';
import { Cron } from '@nestjs/schedule';
import { AppConfig } from '../config/app-config.js';
import { AccessJournal } from './access-journal.js';
import { AccessJournalController } from './access-journal.controller.js';
import { AccessJournalQueries } from './access-journal.query.js';

@Injectable()
export class AccessJournalPurge {
  private readonly logger = new Logger('AccessJournalPurge');

  constructor(
    @Inject(AccessJournal) private readonly journal: AccessJournal,
    @Inject(AppConfig) private readonly config: AppConfig,
  ) {}

  /** Daily, at night: entries past the retention go (CNIL délibération 2021-122: 12 months). */
  @Cron('0 30 3 * * *', { timeZone: 'Europe/Paris' })
  async purge(): Promise<number> {
    const purged = await this.journal.purgeExpired(this.config.accessJournalRetentionMonths);
    this.logger.log(`access journal: ${purged} entries older than ${this.config.accessJournalRetentionMonths} months purged`);
    return purged;
  }
}

@Module({
  providers: [AccessJournal, AccessJournalPurge, AccessJournalQueries],
  controllers: [AccessJournalController],
  exports: [AccessJournal],
})
export class AccessJournalModule {}
