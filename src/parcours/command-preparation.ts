import { Inject, Injectable } from '@nestjs/common';
import type { EventMetadata } from '../event-store/event-store.js';
import { ProblemError } from '../http/problem.js';
import type { Principal } from '../access/principal.js';
import { Clock } from '../kernel/clock.js';
import { PartnerDirectoryQueries } from '../partners/partner-directory.query.js';
import { BlindIndex, type IndexEntry } from '../privacy/blind-index/blind-index.js';
import { type DataKeyToCommit, DataKeyWrites } from '../privacy/crypto/key-vault.js';
import { PersonalDataCipher } from '../privacy/crypto/personal-data-cipher.js';
import type { Identity } from '../privacy/identity.js';
import { ageBandAtEntry, isUnder26On } from './domain/age.js';
import { BUSINESS_DATE_FIELD, type CommandContext, type OpenParcours, type ParcoursCommand, type PartnerFact, type ReferentFact } from './domain/commands.js';
import type { IdentityField } from './domain/events.js';
import type { ParcoursRequest } from './parcours-request.js';
import { ParcoursIdentities } from './read-models/parcours-details/parcours-identities.query.js';

/** A domain command ready to decide, and what must commit with its events. */
export interface PreparedCommand {
  command: ParcoursCommand;
  /** The version it was prepared on, when preparing it read the parcours (a rectification). */
  expectedVersion?: number;
  /** A new parcours' data key, stored by the append. */
  dataKey?: DataKeyToCommit;
  /** The person's blind-index entries, when the command sets the identity. */
  index?: IndexEntry[];
}

/**
 * From a request as a caller states it to the command the decider takes: the facts it names by id
 * looked up (an organisation, a référent), personal data encrypted (an identity, a note) or
 * decrypted where a rule needs it (an age), a new parcours' data key drawn. Reads only: nothing
 * is written until the events are.
 */
@Injectable()
export class ParcoursCommandPreparation {
  constructor(
    @Inject(PartnerDirectoryQueries) private readonly partners: PartnerDirectoryQueries,
    @Inject(ParcoursIdentities) private readonly identities: ParcoursIdentities,
    @Inject(PersonalDataCipher) private readonly cipher: PersonalDataCipher,
    @Inject(DataKeyWrites) private readonly keys: DataKeyWrites,
    @Inject(BlindIndex) private readonly blindIndex: BlindIndex,
    @Inject(Clock) private readonly clock: Clock,
  ) {}

  async prepare(parcoursId: string, request: ParcoursRequest, context: CommandContext, principal: Principal): Promise<PreparedCommand> {
    if (request.type === 'RectifyIdentity') return this.rectification(parcoursId, request, context);
    if (request.type === 'OpenParcours') {
      // Before the key: a birth date after the entry is refused with nothing prepared.
      ageBandAtEntry(request.identity.birthDate, request.entryOn);
      return this.opening(parcoursId, request, context, await this.keys.dataKeyToCommit(parcoursId));
    }
    return { command: await this.withFacts(parcoursId, request, context, principal) };
  }

  /** The opening command, the identity encrypted under `dataKey` (zeroed once used), and the person's blind-index entries. */
  opening(
    parcoursId: string,
    request: Extract<ParcoursRequest, { type: 'OpenParcours' }>,
    context: CommandContext,
    dataKey: DataKeyToCommit,
  ): { command: OpenParcours; dataKey: DataKeyToCommit; index: IndexEntry[] } {
    const { identity, ...facts } = request;
    try {
      const ageBand = ageBandAtEntry(identity.birthDate, request.entryOn);
      const encrypted = this.cipher.encryptWithKey(parcoursId, dataKey.key, identity);
      const index = this.blindIndex.entriesOf(identity, request.householdRole);
      return { command: { parcoursId, context, ...facts, identity: encrypted, ageBandAtEntry: ageBand }, dataKey, index };
    } finally {
      dataKey.key.fill(0);
    }
  }

  contextOf(principal: Principal, actingRole: string): CommandContext {
    return {
      today: this.clock.today(),
      actor: { ...(principal.userId ? { userId: principal.userId } : {}), ...(principal.apiKeyId ? { apiKeyId: principal.apiKeyId } : {}), partnerId: principal.partnerId, role: actingRole },
    };
  }

  /** When the request says its fact happened (the events' `occurredAt`); now for a request that states no date. */
  occurredAt(request: ParcoursRequest): EventMetadata['occurredAt'] {
    const stated = (request as unknown as Record<string, unknown>)[BUSINESS_DATE_FIELD[request.type]];
    return typeof stated === 'string' ? stated : this.clock.now().toISOString();
  }

  private async withFacts(
    parcoursId: string,
    request: Exclude<ParcoursRequest, { type: 'RectifyIdentity' | 'OpenParcours' }>,
    context: CommandContext,
    principal: Principal,
  ): Promise<ParcoursCommand> {
    const base = { parcoursId, context };
    const actorId = principal.userId ?? `api-key:${principal.apiKeyId}`;
    switch (request.type) {
      case 'DecideOrientation': {
        const { organismeReferentId, ...rest } = request;
        return { ...base, ...rest, organismeReferent: await this.partnerFact(organismeReferentId), decidedBy: actorId };
      }
      case 'RequestReorientation':
        return { ...base, ...request, requestedBy: actorId };
      case 'DecideReorientation':
        if (request.accepted) {
          const { organismeReferentId, ...rest } = request;
          return { ...base, ...rest, organismeReferent: await this.partnerFact(organismeReferentId), decidedBy: actorId };
        }
        return { ...base, ...request, decidedBy: actorId };
      case 'AssignReferent': {
        const { referentUserId, ...rest } = request;
        return { ...base, ...rest, referent: await this.referentFact(referentUserId) };
      }
      case 'JoinFollowUpGroup': {
        const { partnerId, ...rest } = request;
        return { ...base, ...rest, partner: await this.partnerFact(partnerId) };
      }
      case 'StartEmploymentContract': {
        // The CAOM *jeunes* envelope needs the age at contract start; only the decrypted birth date tells it.
        // An erased identity: the decider refuses the command anyway (personal_data_erased).
        const onRecord = await this.identities.onRecord(parcoursId);
        return { ...base, ...request, beneficiaryUnder26AtStart: onRecord !== null && isUnder26On(onRecord.identity.birthDate, request.startsOn) };
      }
      case 'RecordContact': {
        const { note, ...rest } = request;
        // An empty note is no note; a note is free text, hence personal data: encrypted like the identity.
        return { ...base, ...rest, note: note?.trim() ? await this.cipher.encrypt(parcoursId, note) : null };
      }
      default:
        return { ...base, ...request };
    }
  }

  /**
   * The corrected identity: the stored one decrypted, the corrections laid over it, the whole
   * encrypted again under the same key. Only the fields whose value changes are named. Decided on
   * the version it was read at, so two rectifications cannot silently undo each other.
   */
  private async rectification(parcoursId: string, request: Extract<ParcoursRequest, { type: 'RectifyIdentity' }>, context: CommandContext): Promise<PreparedCommand> {
    const onRecord = await this.identities.onRecord(parcoursId);
    // Unknown, or erased: the decider answers (not found, personal_data_erased) on the stream itself.
    if (!onRecord) {
      return { command: { type: 'RectifyIdentity', parcoursId, context, identity: { ciphertext: '' }, fields: [], ageBandAtEntry: '26_to_49', rectifiedOn: request.rectifiedOn } };
    }
    const current = onRecord.identity;
    const corrected: Identity = { ...current, ...request.corrections };
    const fields = (Object.keys(request.corrections) as IdentityField[]).filter((field) => JSON.stringify(current[field] ?? null) !== JSON.stringify(corrected[field] ?? null));
    return {
      command: {
        type: 'RectifyIdentity',
        parcoursId,
        context,
        identity: await this.cipher.encrypt(parcoursId, corrected),
        fields,
        ageBandAtEntry: ageBandAtEntry(corrected.birthDate, onRecord.entryOn),
        rectifiedOn: request.rectifiedOn,
      },
      expectedVersion: onRecord.version,
      index: this.blindIndex.entriesOf(corrected, onRecord.householdRole),
    };
  }

  private async partnerFact(partnerId: string): Promise<PartnerFact> {
    const active = await this.partners.activeOf(partnerId);
    if (active === undefined) throw new ProblemError(422, 'unknown_partner', 'No such partner organisation', `partner ${partnerId} is not registered`);
    return { partnerId, active };
  }

  private async referentFact(userId: string): Promise<ReferentFact> {
    const membership = await this.partners.membershipOf(userId);
    if (!membership) throw new ProblemError(422, 'unknown_referent', 'No such caseworker', 'the référent must be a member of a partner organisation');
    return { userId, ...membership };
  }
}
