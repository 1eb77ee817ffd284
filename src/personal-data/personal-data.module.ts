import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module.js';
import { AccessJournalModule } from '../access-journal/access-journal.module.js';
import { PersonalDataController } from './personal-data.controller.js';
import { PersonalDataExporter } from './personal-data-export/personal-data-exporter.js';
import { Retention } from './retention/retention.js';

/** The personal-data lifecycle beyond encryption (DESIGN §8): retention, and the right of access. */
@Module({
  imports: [AccessJournalModule, AuditModule],
  providers: [Retention, PersonalDataExporter],
  controllers: [PersonalDataController],
  exports: [Retention],
})
export class PersonalDataModule {}
