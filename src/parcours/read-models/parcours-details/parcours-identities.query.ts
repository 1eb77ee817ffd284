import { Inject, Injectable } from '@nestjs/common';
import { SqlClient } from '../../../database/sql-client.js';
import { PersonalDataCipher, isErasedPersonalData } from '../../../privacy/crypto/personal-data-cipher.js';
import { type Identity, isIdentity } from '../../../privacy/identity.js';

/** A parcours' identity on record, decrypted, with what a rectification is decided on. */
export interface IdentityOnRecord {
  identity: Identity;
  entryOn: string;
  /** The version of `parcours_details` it was read at. */
  version: number;
  householdRole: string;
}

/**
 * The identity vault as commands need it: the identity a parcours holds (encrypted in
 * `parcours_details`), in clear, for the rules that need a birth date and for a rectification.
 */
@Injectable()
export class ParcoursIdentities {
  constructor(
    @Inject(SqlClient) private readonly db: SqlClient,
    @Inject(PersonalDataCipher) private readonly cipher: PersonalDataCipher,
  ) {}

  /** Null when the parcours is unknown or its identity erased (the decider answers those on the stream itself). */
  async onRecord(parcoursId: string): Promise<IdentityOnRecord | null> {
    const rows = await this.db.query<{ identity_ciphertext: string | null; entry_on: Date | string; version: number; household_role: string }>(
      "SELECT identity_ciphertext, entry_on, version, state->>'householdRole' AS household_role FROM parcours_details WHERE parcours_id = $1",
      [parcoursId],
    );
    const row = rows[0];
    if (!row?.identity_ciphertext) return null;
    const identity = await this.cipher.decrypt(parcoursId, { ciphertext: row.identity_ciphertext });
    if (isErasedPersonalData(identity) || !isIdentity(identity)) return null;
    const entryOn = typeof row.entry_on === 'string' ? row.entry_on : row.entry_on.toISOString().slice(0, 10);
    return { identity, entryOn, version: row.version, householdRole: row.household_role };
  }
}
