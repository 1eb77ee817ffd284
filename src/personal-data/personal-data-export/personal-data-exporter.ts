import { Inject, Injectable } from '@nestjs/common';
import { Audit } from '../../audit/audit.js';
import { Clock } from '../../kernel/clock.js';
import { AppConfig } from '../../config/app-config.js';
import { SqlClient } from '../../database/sql-client.js';
import { type Identity, isIdentity } from '../../privacy/identity.js';
import { PersonalDataCipher, isErasedPersonalData } from '../../privacy/crypto/personal-data-cipher.js';
import {
  type ExportedAccess,
  type PersonalDataExport,
  exportedEvents,
  identityCiphertexts,
  noteCiphertexts,
  recipientsOf,
} from './personal-data-export.js';

interface DetailsRow {
  status: string;
  archived_on: string | null;
  state: { restrictions?: { restriction: { since: string } | null; opposition: { since: string } | null } };
}

/** Gathers a person's data for the DPO (RGPD art. 15): see personal-data-export.ts. */
@Injectable()
export class PersonalDataExporter {
  constructor(
    @Inject(Audit) private readonly audit: Audit,
    @Inject(SqlClient) private readonly db: SqlClient,
    @Inject(PersonalDataCipher) private readonly cipher: PersonalDataCipher,
    @Inject(Clock) private readonly clock: Clock,
    @Inject(AppConfig) private readonly config: AppConfig,
  ) {}

  /** Throws `ParcoursUnknownError` for a parcours that does not exist. */
  async export(parcoursId: string): Promise<PersonalDataExport> {
    const events = await this.audit.events(parcoursId);
    const timeline = await this.audit.timelineOf(events, this.clock.today());
    const [details] = await this.db.query<DetailsRow>(
      `SELECT status, to_char(archived_on, 'YYYY-MM-DD') AS archived_on, state FROM parcours_details WHERE parcours_id = $1::uuid`,
      [parcoursId],
    );
    const accessJournal = await this.db.query<ExportedAccess>(
      `SELECT to_char(j.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "at", j.actor_partner_id::text AS "partnerId", p.name AS "partnerName",
              j.actor_role AS role, j.operation, j.outcome
         FROM access_journal j LEFT JOIN partners p ON p.partner_id = j.actor_partner_id
        WHERE (j.record_type = 'parcours' AND j.record_id = $1) OR (j.record_type = 'feed_page' AND j.record_ids @> ARRAY[$1::text])
        ORDER BY j.at, j.entry_id`,
      [parcoursId],
    );

    const notes = new Map<string, string | { erased: true }>();
    for (const [eventId, ciphertext] of noteCiphertexts(events)) {
      const clear = await this.cipher.decrypt(parcoursId, { ciphertext });
      notes.set(eventId, isErasedPersonalData(clear) || typeof clear !== 'string' ? { erased: true } : clear);
    }
    const identities: Array<{ identity: Identity | null; replacedOn: string | null }> = [];
    for (const { ciphertext, replacedOn } of identityCiphertexts(events)) {
      const clear = await this.cipher.decrypt(parcoursId, { ciphertext });
      identities.push({ identity: isIdentity(clear) ? clear : null, replacedOn });
    }
    const current = identities.at(-1)?.identity ?? null;
    const state = typeof details?.state === 'string' ? (JSON.parse(details.state) as DetailsRow['state']) : details?.state;

    return {
      parcoursId,
      generatedAt: this.clock.now().toISOString(),
      identity: current ?? { erased: true },
      replacedIdentities: identities.flatMap(({ identity, replacedOn }) => (identity !== null && replacedOn !== null ? [{ until: replacedOn, identity }] : [])),
      status: {
        parcoursStatus: details?.status ?? 'unknown',
        archivedOn: details?.archived_on ?? null,
        restrictedSince: state?.restrictions?.restriction?.since ?? null,
        opposedSince: state?.restrictions?.opposition?.since ?? null,
      },
      events: exportedEvents(timeline, notes),
      recipients: recipientsOf(accessJournal),
      accessJournal,
      accessJournalRetentionMonths: this.config.accessJournalRetentionMonths,
    };
  }
}
