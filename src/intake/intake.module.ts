import { Module } from '@nestjs/common';
import { ParcoursModule } from '../parcours/parcours.module.js';
import { AccessJournalModule } from '../access-journal/access-journal.module.js';
import { IntakeController } from './intake.controller.js';
import { Intake } from './intake.js';

/** The CAF/MSA monthly flow of RSA entrants (README, "Intake"). */
@Module({
  imports: [AccessJournalModule, ParcoursModule],
  controllers: [IntakeController],
  providers: [Intake],
  exports: [Intake],
})
export class IntakeModule {}
