import { randomUUID } from 'node:crypto';
import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { type Caller, callerOf } from '../access/caller.js';
import { type ParcoursPurpose, parcoursCondition, parcoursFactsOf, reachesParcours } from '../access/parcours-rule.js';
import { Clock } from '../kernel/clock.js';
import { SqlClient } from '../database/sql-client.js';
import { CommandRunner, type Fold, type RunResult } from '../event-store/command-runner.js';
import type { EventMetadata } from '../event-store/event-store.js';
import type { Followup, InlineWrite, NewStreamAppend } from '../event-store/sql/sql-event-store.js';
import { IdempotencyStore, type IdempotentRequest, type StoredResponse } from '../http/idempotency.js';
import { ProblemError } from '../http/problem.js';
import type { Principal } from '../access/principal.js';
import { type Role, isRole } from '../access/roles.js';
import { AccessJournal } from '../access-journal/access-journal.js';
import { BlindIndex, type IndexEntry, ONE_OPEN_PARCOURS_CONSTRAINT } from '../privacy/blind-index/blind-index.js';
import { type DataKeyToCommit, SqlKeyVault } from '../privacy/crypto/key-vault.js';
import { PersonalDataCipher, isErasedPersonalData } from '../privacy/crypto/personal-data-cipher.js';
import { ageBandAtEntry, isUnder26On } from './domain/age.js';
import {
  type ArchiveParcours,
  type AssignReferent,
  type ChangeActionStatus,
  type CommandContext,
  type DecideOrientation,
  type EndEmploymentContract,
  type EndEngagementContract,
  type ErasePersonalData,
  type ExitParcours,
  type JoinFollowUpGroup,
  type LeaveFollowUpGroup,
  type LiftProcessingRestriction,
  type OpenParcours,
  type ParcoursCommand,
  type PartnerFact,
  PERSONAL_DATA_COMMANDS,
  type PrescribeAction,
  type RecordAppointment,
  type RecordContact,
  type RecordDiagnostic,
  type RecordFranceTravailRegistration,
  type ReferentFact,
  type ReleaseReferent,
  type ReopenParcours,
  type RecordRsaRights,
  type RequestReorientation,
  type RestrictProcessing,
  type ResumeParcours,
  type SignEngagementContract,
  type StartEmploymentContract,
  type SuspendParcours,
} from './domain/commands.js';
import { decide } from './domain/parcours-decider.js';
import type { IdentityField, ParcoursEvent, ParcoursType, ReorientationRejectionReason } from './domain/events.js';
import { type ParcoursState, evolve, evolveAll } from './domain/state.js';
import { type Identity, isIdentity } from '../privacy/identity.js';
import { parcoursDetailsFollowups } from './read-models/parcours-details/parcours-details.projection.js';
import { entryFor, parcoursNotFound } from './read-models/parcours-details/parcours-details.query.js';

type Plain<C> = Omit<C, 'parcoursId' | 'context'>;

/**
 * A command as a caller states it: ids instead of the facts the decider needs (the handler looks
 * them up), the identity in clear (the handler encrypts it), nothing computed from personal data.
 */
export type ParcoursRequest =
  | (Omit<Plain<OpenParcours>, 'identity' | 'ageBandAtEntry'> & { identity: Identity })
  | Plain<RecordFranceTravailRegistration>
  | Plain<RecordDiagnostic>
  | (Omit<Plain<DecideOrientation>, 'organismeReferent' | 'decidedBy'> & { organismeReferentId: string })
  | Omit<Plain<RequestReorientation>, 'requestedBy'>
  | ({ type: 'DecideReorientation'; decidedOn: string } & (
      | { accepted: true; parcoursType: ParcoursType; organismeReferentId: string }
      | { accepted: false; rejectionReason: ReorientationRejectionReason }
    ))
  | (Omit<Plain<AssignReferent>, 'referent'> & { referentUserId: string })
  | Plain<ReleaseReferent>
  | (Omit<Plain<JoinFollowUpGroup>, 'partner'> & { partnerId: string })
  | Plain<LeaveFollowUpGroup>
  | Plain<RecordAppointment>
  | (Omit<Plain<RecordContact>, 'note'> & { note?: string | null })
  | Plain<SignEngagementContract>
  | Plain<EndEngagementContract>
  | Plain<PrescribeAction>
  | Plain<ChangeActionStatus>
  | Omit<Plain<StartEmploymentContract>, 'beneficiaryUnder26AtStart'>
  | Plain<EndEmploymentContract>
  | Plain<SuspendParcours>
  | Plain<ResumeParcours>
  | Plain<ExitParcours>
  | Plain<ReopenParcours>
  | Plain<RecordRsaRights>
  | { type: 'RectifyIdentity'; corrections: Partial<Identity>; rectifiedOn: string }
  | Plain<RestrictProcessing>
  | Plain<LiftProcessingRestriction>
  | Plain<ArchiveParcours>
  | Plain<ErasePersonalData>;

export interface ParcoursCommandResult {
  parcoursId: string;
  version: number;
  changed: boolean;
  events: Array<{ eventId: string; type: string }>;
}

export const parcoursFold: Fold<ParcoursState | null, ParcoursEvent> = { initial: null, evolve, evolveAll };

export function parcoursStreamId(parcoursId: string): string {
  return `parcours-${parcoursId}`;
}

export class ExecuteParcoursCommand extends Command<{ result: ParcoursCommandResult; replayed?: StoredResponse }> {
  constructor(
    readonly parcoursId: string,
    readonly request: ParcoursRequest,
    readonly principal: Principal,
    readonly actingRole: string,
    readonly metadata: Omit<EventMetadata, 'occurredAt'>,
    readonly options: {
      /** Every role the request acts under (the guard's `actingRoles`); the acting role alone by default. */
      actingRoles?: readonly Role[];
      expectedVersion?: number;
      idempotency?: IdempotentRequest;
      /** The answer to store for the idempotency key, from the result. */
      respond?: (result: ParcoursCommandResult) => StoredResponse;
      /** More writes to commit with the events, if any are appended (an intake's line record). */
      followups?: readonly InlineWrite[];
    } = {},
  ) {
    super();
  }
}

/**
 * Runs a caseworker's command on a parcours: checks first that the caller reaches it (else 404, as
 * if it did not exist, and nothing written), then looks up the facts the decider needs, encrypts or
 * decrypts personal data where a rule needs it, and commits the events with the parcours_details
 * row, the access journal entry, the idempotency record and a new parcours' data key in one
 * statement.
 */
@CommandHandler(ExecuteParcoursCommand)
export class ExecuteParcoursCommandHandler implements ICommandHandler<ExecuteParcoursCommand> {
  constructor(
    @Inject(CommandRunner) private readonly runner: CommandRunner,
    @Inject(SqlClient) private readonly db: SqlClient,
    @Inject(PersonalDataCipher) private readonly cipher: PersonalDataCipher,
    @Inject(AccessJournal) private readonly journal: AccessJournal,
    @Inject(IdempotencyStore) private readonly idempotency: IdempotencyStore,
    @Inject(Clock) private readonly clock: Clock,
    @Inject(SqlKeyVault) private readonly vault: SqlKeyVault,
    @Inject(BlindIndex) private readonly blindIndex: BlindIndex,
  ) {}

  async execute(message: ExecuteParcoursCommand): Promise<{ result: ParcoursCommandResult; replayed?: StoredResponse }> {
    const { options } = message;
    if (options.idempotency) {
      const replayed = await this.idempotency.replay(options.idempotency);
      if (replayed) return { result: replayed.body as ParcoursCommandResult, replayed };
    }
    try {
      return { result: await this.run(message) };
    } catch (error) {
      // A retry racing the original: whichever lost finds the winner's answer stored.
      if (!options.idempotency) throw error;
      const replayed = await this.idempotency.replay(options.idempotency);
      if (replayed) return { result: replayed.body as ParcoursCommandResult, replayed };
      throw error;
    }
  }

  private async run(message: ExecuteParcoursCommand): Promise<ParcoursCommandResult> {
    const { parcoursId, request, principal, actingRole, options } = message;
    const streamId = parcoursStreamId(parcoursId);
    // A role string this service does not know reaches nothing.
    const caller: Caller = callerOf(principal, options.actingRoles ?? (isRole(actingRole) ? [actingRole] : []));
    const exercisesRights = (PERSONAL_DATA_COMMANDS as readonly string[]).includes(request.type);
    const purpose: ParcoursPurpose = exercisesRights ? 'rights' : request.type === 'RecordRsaRights' ? 'intake' : 'record';
    const reaches = (state: ParcoursState | null) => state !== null && reachesParcours(caller, purpose, parcoursFactsOf(state));
    // Who may reach the parcours comes before anything else: a caller who gets 404 must learn
    // nothing (not whether a référent or a partner exists, not whether the data were erased) and
    // leave nothing (no data key, no journal entry).
    if (request.type !== 'OpenParcours') await this.requireReach(streamId, reaches);
    const context = this.contextOf(principal, actingRole);
    const { command, expectedVersion, dataKey, index } = await this.toDomainCommand(parcoursId, request, context, principal);
    const opener: PartnerFact = { partnerId: principal.partnerId, active: true };
    const metadata: EventMetadata = { ...message.metadata, occurredAt: businessDateOf(request) ?? this.clock.now().toISOString() };
    const journalEntry = entryFor({ principal, actingRole, correlationId: metadata.correlationId }, `parcours.${request.type}`, parcoursId, 'ok');
    // One open parcours per person: an opening, a rectification or a reopening that would make a
    // second one fails on the blind index's unique constraint, in the statement itself.
    let change: RunResult<ParcoursState | null, ParcoursEvent>;
    try {
      change = await this.runner.run(
        streamId,
        parcoursFold,
        (state) => {
          // Again on the state decided on, which may have moved since the check above.
          if (command.type !== 'OpenParcours' && !reaches(state)) throw parcoursNotFound();
          return command.type === 'OpenParcours' ? openingEvents(command, state, opener) : decide(command, state);
        },
        {
          expectedVersion: options.expectedVersion ?? expectedVersion,
          metadata,
          eventId: options.idempotency ? (index) => IdempotencyStore.eventId(options.idempotency!, index) : undefined,
          followups: (decision) => [
            ...(dataKey?.followups ?? []),
            // The person's rights, the archive and the erasure are not accompaniment: they leave the retention clock alone.
            ...parcoursDetailsFollowups(decision.after!, decision.version, exercisesRights ? null : context.today, decision.events),
            ...(command.type === 'ErasePersonalData'
              ? [...this.vault.erasureFollowups(parcoursId, command.legalGround), forgetIdempotentRequests(parcoursId), this.blindIndex.erasureFollowup(parcoursId)]
              : []),
            // The blind indexes change with the identity and with whether the parcours is open, in the same statement.
            ...(index ? this.blindIndex.writeFollowups(parcoursId, index, decision.after!.status !== 'exited') : []),
            ...(command.type === 'ExitParcours' || command.type === 'ReopenParcours' ? [this.blindIndex.openFollowup(parcoursId, decision.after!.status !== 'exited')] : []),
            this.journal.followup(journalEntry),
            ...(options.followups ?? []),
            ...(options.idempotency && options.respond
              ? [this.idempotency.followup(options.idempotency, options.respond(resultOf(parcoursId, decision)))]
              : []),
          ],
          followupConstraints: [ONE_OPEN_PARCOURS_CONSTRAINT],
        },
      );
    } catch (error) {
      if (!isOneOpenParcoursViolation(error)) throw error;
      throw await this.parcoursExists(caller, parcoursId, index);
    }
    // A new parcours' key was stored with its events, if they were appended.
    dataKey?.settle(change.changed);
    if (command.type === 'ErasePersonalData' && change.changed) this.vault.forget(parcoursId);
    const result = resultOf(parcoursId, change);
    // Nothing decided, nothing appended: the answer to a keyed request is stored on its own.
    if (!change.changed && options.idempotency && options.respond) await this.idempotency.storeNow(options.idempotency, options.respond(result));
    return result;
  }

  /**
   * 404 unless the caller reaches the parcours. Decided on the state the command runner holds (no
   * query when it is cached); a refusal on a cached state is confirmed on the stream, which another
   * instance may have changed.
   */
  private async requireReach(streamId: string, reaches: (state: ParcoursState | null) => boolean): Promise<void> {
    const { state, fresh } = await this.runner.current(streamId, parcoursFold);
    if (reaches(state)) return;
    if (!fresh && reaches((await this.runner.load(streamId, parcoursFold)).state)) return;
    throw parcoursNotFound();
  }

  /**
   * The domain command, the version it was prepared on when it read the parcours to build it, and
   * the writes that must commit with its events (a new parcours' data key).
   */
  private async toDomainCommand(
    parcoursId: string,
    request: ParcoursRequest,
    context: CommandContext,
    principal: Principal,
  ): Promise<{ command: ParcoursCommand; expectedVersion?: number; dataKey?: DataKeyToCommit; index?: IndexEntry[] }> {
    if (request.type === 'RectifyIdentity') return this.rectification(parcoursId, request, context);
    if (request.type === 'OpenParcours') return this.opening(parcoursId, request, context);
    return { command: await this.withFacts(parcoursId, request, context, principal) };
  }

  /**
   * The identity encrypted under the new parcours' data key, which is stored by the append itself:
   * an opening the decider refuses, or that fails, leaves no key behind.
   */
  private async opening(
    parcoursId: string,
    request: Extract<ParcoursRequest, { type: 'OpenParcours' }>,
    context: CommandContext,
  ): Promise<{ command: ParcoursCommand; dataKey: DataKeyToCommit; index: IndexEntry[] }> {
    // Before the key: a birth date after the entry is refused with nothing prepared.
    ageBandAtEntry(request.identity.birthDate, request.entryOn);
    return this.openingWith(parcoursId, request, context, await this.vault.dataKeyToCommit(parcoursId));
  }

  /** The opening command, the identity encrypted under `dataKey` (zeroed once used), and the person's blind-index entries. */
  private openingWith(
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

  /**
   * An opening decided as `execute` decides one, for a batch the caller appends in one statement
   * (the intake: `SqlEventStore.appendNewStreams`): the new stream's events and every write
   * `execute` commits with them (data key, details row, blind indexes, journal entry) and the
   * caller's own. The caller settles `dataKey` once the batch is stored or not. Throws what
   * `execute` would refuse with (a birth date after the entry: 422).
   */
  prepareOpening(
    parcoursId: string,
    request: Extract<ParcoursRequest, { type: 'OpenParcours' }>,
    principal: Principal,
    actingRole: Role,
    metadata: Omit<EventMetadata, 'occurredAt'>,
    dataKey: DataKeyToCommit,
    followups: readonly InlineWrite[],
  ): NewStreamAppend {
    const context = this.contextOf(principal, actingRole);
    const { command, index } = this.openingWith(parcoursId, request, context, dataKey);
    const decided = openingEvents(command, null, { partnerId: principal.partnerId, active: true });
    const after = decided.reduce(evolve, null)!;
    const stored: EventMetadata = { ...metadata, occurredAt: request.entryOn };
    const events = decided.map((event) => ({ eventId: randomUUID(), type: event.type, data: event.data, metadata: stored }));
    const entry = entryFor({ principal, actingRole, correlationId: metadata.correlationId }, 'parcours.OpenParcours', parcoursId, 'ok');
    return {
      streamId: parcoursStreamId(parcoursId),
      events,
      followups: [
        ...dataKey.followups,
        ...parcoursDetailsFollowups(after, events.length, context.today, events),
        // A new parcours has no other entries to delete.
        this.blindIndex.entriesWrite(parcoursId, index, true),
        this.journal.followup(entry),
        ...followups,
      ],
    };
  }

  private contextOf(principal: Principal, actingRole: string): CommandContext {
    return {
      today: this.clock.today(),
      actor: { ...(principal.userId ? { userId: principal.userId } : {}), ...(principal.apiKeyId ? { apiKeyId: principal.apiKeyId } : {}), partnerId: principal.partnerId, role: actingRole },
    };
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
      case 'StartEmploymentContract':
        return { ...base, ...request, beneficiaryUnder26AtStart: await this.under26On(parcoursId, request.startsOn) };
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
  private async rectification(
    parcoursId: string,
    request: Extract<ParcoursRequest, { type: 'RectifyIdentity' }>,
    context: CommandContext,
  ): Promise<{ command: ParcoursCommand; expectedVersion?: number; index?: IndexEntry[] }> {
    const rows = await this.db.query<{ identity_ciphertext: string | null; entry_on: Date | string; version: number; household_role: string }>(
      "SELECT identity_ciphertext, entry_on, version, state->>'householdRole' AS household_role FROM parcours_details WHERE parcours_id = $1",
      [parcoursId],
    );
    const row = rows[0];
    // Unknown, or erased: the decider answers (not found, personal_data_erased) on the stream itself.
    const current = row?.identity_ciphertext ? await this.cipher.decrypt(parcoursId, { ciphertext: row.identity_ciphertext }) : null;
    if (!row || !isIdentity(current) || isErasedPersonalData(current)) {
      return { command: { type: 'RectifyIdentity', parcoursId, context, identity: { ciphertext: '' }, fields: [], ageBandAtEntry: '26_to_49', rectifiedOn: request.rectifiedOn } };
    }
    const corrected: Identity = { ...current, ...request.corrections };
    const fields = (Object.keys(request.corrections) as IdentityField[]).filter((field) => JSON.stringify(current[field] ?? null) !== JSON.stringify(corrected[field] ?? null));
    const entryOn = typeof row.entry_on === 'string' ? row.entry_on : row.entry_on.toISOString().slice(0, 10);
    return {
      command: {
        type: 'RectifyIdentity',
        parcoursId,
        context,
        identity: await this.cipher.encrypt(parcoursId, corrected),
        fields,
        ageBandAtEntry: ageBandAtEntry(corrected.birthDate, entryOn),
        rectifiedOn: request.rectifiedOn,
      },
      expectedVersion: row.version,
      index: this.blindIndex.entriesOf(corrected, row.household_role),
    };
  }

  /**
   * 409 parcours_exists: the person already has an open parcours. Its id when the caller may read
   * it; otherwise only the name of the organisation in charge (the organisme référent, else the
   * référent's organisation, else the one that opened it), so that the caseworker can ask to join
   * the follow-up group (exchanges within the SPIE, CASF R. 263-5) — never anything of the person.
   */
  private async parcoursExists(caller: Caller, parcoursId: string, index: readonly IndexEntry[] | undefined): Promise<ProblemError> {
    const probes =
      index ??
      (
        await this.db.query<{ kind: IndexEntry['kind']; key_version: string; digest: string }>(
          "SELECT kind, key_version, encode(digest, 'hex') AS digest FROM parcours_blind_index WHERE parcours_id = $1",
          [parcoursId],
        )
      ).map((row) => ({ kind: row.kind, keyVersion: row.key_version, digest: row.digest }));
    const [existing] = [...(await this.blindIndex.matches(this.db, probes, { openOnly: true, except: parcoursId })).keys()].sort();
    const problem = (extensions: Record<string, unknown>) =>
      new ProblemError(409, 'parcours_exists', 'This person already has an open parcours', 'one open parcours per person: ask the organisation in charge to add yours to its follow-up group', extensions);
    if (existing === undefined) return problem({});
    const visible = parcoursCondition(caller, 'read', 2);
    const [seen] = await this.db.query<{ parcours_id: string }>(`SELECT d.parcours_id FROM parcours_details d WHERE d.parcours_id = $1 AND ${visible.sql}`, [existing, ...visible.params]);
    if (seen) return problem({ parcoursId: existing });
    const [holder] = await this.db.query<{ name: string }>(
      `SELECT p.name FROM parcours_details d
         JOIN partners p ON p.partner_id = coalesce(d.organisme_referent_id, d.referent_partner_id, d.follow_up_partner_ids[1])
        WHERE d.parcours_id = $1`,
      [existing],
    );
    return problem({ organismeReferent: holder?.name ?? null });
  }

  private async partnerFact(partnerId: string): Promise<PartnerFact> {
    const rows = await this.db.query<{ active: boolean }>('SELECT active FROM partners WHERE partner_id = $1', [partnerId]);
    if (!rows[0]) throw new ProblemError(422, 'unknown_partner', 'No such partner organisation', `partner ${partnerId} is not registered`);
    return { partnerId, active: rows[0].active };
  }

  private async referentFact(userId: string): Promise<ReferentFact> {
    const rows = await this.db.query<{ partner_id: string; roles: string[]; active: boolean }>(
      'SELECT m.partner_id, m.roles, p.active FROM partner_members m JOIN partners p ON p.partner_id = m.partner_id WHERE m.user_id = $1',
      [userId],
    );
    const row = rows[0];
    if (!row) throw new ProblemError(422, 'unknown_referent', 'No such caseworker', 'the référent must be a member of a partner organisation');
    return { userId, partnerId: row.partner_id, roles: row.roles, partnerActive: row.active };
  }

  /** The CAOM *jeunes* envelope needs the age at contract start; only the decrypted birth date tells it. */
  private async under26On(parcoursId: string, date: string): Promise<boolean> {
    const rows = await this.db.query<{ identity_ciphertext: string | null }>('SELECT identity_ciphertext FROM parcours_details WHERE parcours_id = $1', [parcoursId]);
    const ciphertext = rows[0]?.identity_ciphertext;
    // An erased identity: the decider refuses the command anyway (personal_data_erased).
    if (!ciphertext) return false;
    const identity = await this.cipher.decrypt(parcoursId, { ciphertext });
    if (isErasedPersonalData(identity) || !isIdentity(identity)) return false;
    return isUnder26On(identity.birthDate, date);
  }
}

/**
 * The stored answers of keyed requests about an erased parcours go with it: their request hash is
 * a digest of a body that held the identity or a note, which a dictionary could test guesses against.
 */
function forgetIdempotentRequests(parcoursId: string): Followup {
  return (guard, first) => ({
    sql: `DELETE FROM idempotency_keys WHERE body->>'parcoursId' = $${first} AND EXISTS (SELECT 1 FROM ${guard})`,
    params: [parcoursId],
  });
}

function isOneOpenParcoursViolation(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === '23505' && (error as { constraint?: unknown }).constraint === ONE_OPEN_PARCOURS_CONSTRAINT;
}

function resultOf(parcoursId: string, change: { version: number; events: Array<{ eventId: string; type: string }> }): ParcoursCommandResult {
  return {
    parcoursId,
    version: change.version,
    changed: change.events.length > 0,
    events: change.events.map((event) => ({ eventId: event.eventId, type: event.type })),
  };
}

/** The business date a request states (metadata.occurredAt): when the fact happened, as the caller says. */
/**
 * An opening's events: the parcours opened, and the organisation that opens it in its follow-up
 * group (otherwise nobody there could see it), since the entry it records, which a replay as of
 * that date must show.
 */
function openingEvents(command: OpenParcours, state: ParcoursState | null, opener: PartnerFact): ParcoursEvent[] {
  const events = decide(command, state);
  if (events.length === 0) return events;
  const opened = events.reduce(evolve, state);
  return [...events, ...decide({ type: 'JoinFollowUpGroup', parcoursId: command.parcoursId, context: command.context, partner: opener, joinedOn: command.entryOn }, opened)];
}

function businessDateOf(request: ParcoursRequest): string | undefined {
  switch (request.type) {
    case 'OpenParcours':
      return request.entryOn;
    case 'RecordFranceTravailRegistration':
      return request.registeredOn;
    case 'RecordDiagnostic':
      return request.diagnosedOn;
    case 'DecideOrientation':
    case 'DecideReorientation':
      return request.decidedOn;
    case 'RequestReorientation':
      return request.requestedOn;
    case 'AssignReferent':
      return request.assignedOn;
    case 'ReleaseReferent':
      return request.releasedOn;
    case 'JoinFollowUpGroup':
      return request.joinedOn;
    case 'LeaveFollowUpGroup':
      return request.leftOn;
    case 'RecordAppointment':
      return request.scheduledOn;
    case 'RecordContact':
      return request.contactedOn;
    case 'SignEngagementContract':
      return request.signedOn;
    case 'EndEngagementContract':
    case 'EndEmploymentContract':
      return request.endedOn;
    case 'PrescribeAction':
      return request.prescribedOn;
    case 'ChangeActionStatus':
      return request.changedOn;
    case 'StartEmploymentContract':
      return request.startsOn;
    case 'SuspendParcours':
      return request.suspendedOn;
    case 'ResumeParcours':
      return request.resumedOn;
    case 'ExitParcours':
      return request.exitedOn;
    case 'ReopenParcours':
      return request.reopenedOn;
    case 'RecordRsaRights':
      return request.rightsOn;
    case 'RectifyIdentity':
      return request.rectifiedOn;
    case 'RestrictProcessing':
      return request.restrictedOn;
    case 'LiftProcessingRestriction':
      return request.liftedOn;
    case 'ArchiveParcours':
      return request.archivedOn;
    case 'ErasePersonalData':
      return request.erasedOn;
    default: {
      const unexpected: never = request;
      throw new Error(`unknown request ${JSON.stringify(unexpected)}`);
    }
  }
}
