import { Inject } from '@nestjs/common';
import { type IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { type Caller, callerOf, seesIdentity } from '../../../access/caller.js';
import { parcoursCondition } from '../../../access/parcours-rule.js';
import { SqlClient, prepared } from '../../../database/sql-client.js';
import { correlationIdOf } from '../../../http/correlation.js';
import { ProblemError } from '../../../http/problem.js';
import { actorOf } from '../../../http/request-context.js';
import type { Principal } from '../../../partners/auth/principal.js';
import type { Role } from '../../../partners/domain/roles.js';
import { AccessJournal, type JournalEntry } from '../../../privacy/access-journal/access-journal.js';
import { PersonalDataCipher, isErasedPersonalData } from '../../../privacy/crypto/personal-data-cipher.js';
import { type Identity, isIdentity } from '../../identity.js';
import type { AppointmentRecordedData, ContactRecordedData } from '../../domain/events.js';
import type { StoredState } from './parcours-details.projection.js';

/** Who reads, for the access journal. */
export interface Reader {
  principal: Principal;
  actingRole: string | undefined;
  /** Who reads, for the access policy. */
  caller: Caller;
  correlationId: string;
}

export function readerOf(request: { principal?: Principal; actingRole?: Role; actingRoles?: readonly Role[]; id?: unknown }): Reader {
  if (!request.principal) throw new Error('reader of an unauthenticated request');
  const actingRoles = request.actingRoles ?? (request.actingRole ? [request.actingRole] : []);
  return { principal: request.principal, actingRole: request.actingRole, caller: callerOf(request.principal, actingRoles), correlationId: correlationIdOf(request) };
}

export type IdentityView = Identity | { erased: true } | null;

export interface ParcoursView {
  id: string;
  version: number;
  /** null: pseudonymised (auditors); `{ erased: true }` after erasure. */
  identity: IdentityView;
  status: StoredState['status'];
  householdRole: StoredState['householdRole'];
  rsaSocle: boolean;
  entryOn: string;
  territory: string;
  source: StoredState['source'];
  ageBandAtEntry: StoredState['ageBandAtEntry'];
  suspension: StoredState['suspension'];
  diagnostic: StoredState['diagnostic'];
  orientation: StoredState['orientation'];
  parcoursType: StoredState['parcoursType'];
  organismeReferentId: string | null;
  pendingReorientation: StoredState['pendingReorientation'];
  lastReorientationDecision: StoredState['lastReorientationDecision'];
  referent: StoredState['referent'];
  followUpGroup: readonly string[];
  engagementContracts: Array<StoredState['engagementContracts'][string]>;
  employmentContracts: Array<StoredState['employmentContracts'][string]>;
  actions: Array<StoredState['actions'][string]>;
  appointments: AppointmentRecordedData[];
  contacts: ContactView[];
  lastContactOn: string | null;
  lastExit: StoredState['lastExit'];
  lastReopen: StoredState['lastReopen'];
  archived: StoredState['archived'];
  restrictions: StoredState['restrictions'];
  openedAt: string;
  updatedAt: string;
}

/** A contact, its note decrypted for those who see who the person is. */
export interface ContactView {
  contactId: string;
  channel: ContactRecordedData['channel'];
  contactedOn: string;
  partnerId: string;
  note: string | null;
}

export interface ParcoursSummary {
  id: string;
  version: number;
  identity: IdentityView;
  status: string;
  territory: string;
  entryOn: string;
  parcoursType: string | null;
  organismeReferentId: string | null;
  referent: StoredState['referent'];
  updatedAt: string;
}

export interface DetailsRow {
  parcours_id: string;
  version: number;
  identity_ciphertext: string | null;
  state: StoredState;
  opened_at: Date;
  updated_at: Date;
}

/** A parcours read whole: its contacts and appointments in the order of their dates, then of their recording. */
interface FullRow extends DetailsRow {
  contacts: ContactRecordedData[];
  appointments: AppointmentRecordedData[];
}

export class GetParcours extends Query<ParcoursView> {
  constructor(
    readonly parcoursId: string,
    readonly reader: Reader,
  ) {
    super();
  }
}

export interface ParcoursListFilter {
  status?: string;
  territory?: string;
  referentUserId?: string;
  /** Parcours this organisation follows (référent's organisation, organisme référent or follow-up group). */
  partnerId?: string;
  after?: string;
  limit: number;
}

export class ListParcours extends Query<{ items: ParcoursSummary[]; nextCursor: string | null }> {
  constructor(
    readonly filter: ParcoursListFilter,
    readonly reader: Reader,
  ) {
    super();
  }
}

/**
 * A parcours' contacts or appointments in the order they are shown: by date, then as recorded. The
 * aggregate takes them from this ordered subquery, which the `*_in_order` index (migration 0013)
 * answers without sorting; an ORDER BY inside json_agg would sort them again on PostgreSQL 15
 * (about a third of a read's database time with a few dozen contacts).
 */
const FOLLOWUPS_IN_ORDER = (table: string, dateColumn: string) =>
  `SELECT f.data FROM ${table} f WHERE f.parcours_id = d.parcours_id ORDER BY f.${dateColumn}, f.ordinal`;

/** Reads journal themselves: every read of a beneficiary record leaves an entry before it is answered. */
@QueryHandler(GetParcours)
export class GetParcoursHandler implements IQueryHandler<GetParcours> {
  constructor(
    @Inject(SqlClient) private readonly db: SqlClient,
    @Inject(PersonalDataCipher) private readonly cipher: PersonalDataCipher,
    @Inject(AccessJournal) private readonly journal: AccessJournal,
  ) {}

  async execute({ parcoursId, reader }: GetParcours): Promise<ParcoursView> {
    const visible = parcoursCondition(reader.caller, 'read', 2);
    const rows = await this.db.query<FullRow>(
      prepared(`SELECT d.parcours_id, d.version, d.identity_ciphertext, d.state, d.opened_at, d.updated_at,
                       (SELECT coalesce(json_agg(c.data), '[]') FROM (${FOLLOWUPS_IN_ORDER('parcours_contacts', 'contacted_on')}) c) AS contacts,
                       (SELECT coalesce(json_agg(a.data), '[]') FROM (${FOLLOWUPS_IN_ORDER('parcours_appointments', 'scheduled_on')}) a) AS appointments
                  FROM parcours_details d WHERE d.parcours_id = $1 AND ${visible.sql}`),
      [parcoursId, ...visible.params],
    );
    const row = rows[0];
    await this.journal.record(entryFor(reader, 'parcours.read', parcoursId, row ? 'ok' : 'not_found'));
    if (!row) throw parcoursNotFound();
    return toView(row, await identityFor(this.cipher, reader.caller, row), await contactsFor(this.cipher, reader.caller, row));
  }
}

@QueryHandler(ListParcours)
export class ListParcoursHandler implements IQueryHandler<ListParcours> {
  constructor(
    @Inject(SqlClient) private readonly db: SqlClient,
    @Inject(PersonalDataCipher) private readonly cipher: PersonalDataCipher,
    @Inject(AccessJournal) private readonly journal: AccessJournal,
  ) {}

  async execute({ filter, reader }: ListParcours): Promise<{ items: ParcoursSummary[]; nextCursor: string | null }> {
    const visible = parcoursCondition(reader.caller, 'read', 7);
    const rows = await this.db.query<DetailsRow>(
      `SELECT d.parcours_id, d.version, d.identity_ciphertext, d.state, d.opened_at, d.updated_at
         FROM parcours_details d
        WHERE ($1::text IS NULL OR d.status = $1)
          AND ($2::text IS NULL OR d.territory = $2)
          AND ($3::text IS NULL OR d.referent_user_id = $3)
          AND ($4::uuid IS NULL OR d.referent_partner_id = $4 OR d.organisme_referent_id = $4 OR d.follow_up_partner_ids @> ARRAY[$4::uuid])
          AND ($5::uuid IS NULL OR d.parcours_id > $5)
          AND ${visible.sql}
        ORDER BY d.parcours_id LIMIT $6`,
      [filter.status ?? null, filter.territory ?? null, filter.referentUserId ?? null, filter.partnerId ?? null, filter.after ?? null, filter.limit, ...visible.params],
    );
    const items = await Promise.all(rows.map((row) => summaryOf(this.cipher, reader.caller, row)));
    // Each listed record was shown: one entry each, in one insert.
    await Promise.all(items.map((item) => this.journal.record(entryFor(reader, 'parcours.list', item.id, 'ok'))));
    const last = items[items.length - 1];
    return { items, nextCursor: items.length === filter.limit && last ? last.id : null };
  }
}

/** A line of a list of parcours (a listing, a search): the names only of the identity, for those who see it. */
export async function summaryOf(cipher: PersonalDataCipher, caller: Caller, row: DetailsRow): Promise<ParcoursSummary> {
  const state = row.state;
  return {
    id: row.parcours_id,
    version: row.version,
    identity: await identityFor(cipher, caller, row, true),
    status: state.status,
    territory: state.territory,
    entryOn: state.entryOn,
    parcoursType: state.parcoursType,
    organismeReferentId: state.organismeReferentId,
    referent: state.referent,
    updatedAt: row.updated_at.toISOString(),
  };
}

export function entryFor(reader: Pick<Reader, 'principal' | 'actingRole' | 'correlationId'>, operation: string, parcoursId: string, outcome: JournalEntry['outcome']): JournalEntry {
  return {
    actor: actorOf(reader.principal, reader.actingRole),
    operation,
    recordType: 'parcours',
    recordId: parcoursId,
    outcome,
    correlationId: reader.correlationId,
  };
}

export function parcoursNotFound(): ProblemError {
  return new ProblemError(404, 'not_found', 'Not found', 'no such parcours');
}

export async function identityFor(cipher: PersonalDataCipher, caller: Caller, row: DetailsRow, namesOnly = false): Promise<IdentityView> {
  if (row.state.identity.status === 'erased' || row.identity_ciphertext === null) return { erased: true };
  if (!seesIdentity(caller)) return null;
  const clear = await cipher.decrypt(row.parcours_id, { ciphertext: row.identity_ciphertext });
  if (isErasedPersonalData(clear)) return { erased: true };
  if (!isIdentity(clear)) throw new Error(`identity of parcours ${row.parcours_id} does not decrypt to an identity`);
  return namesOnly ? { firstName: clear.firstName, lastName: clear.lastName, birthDate: clear.birthDate } : clear;
}

/** Notes are free text, personal data: decrypted only for those who see the identity, gone after erasure. */
async function contactsFor(cipher: PersonalDataCipher, caller: Caller, row: FullRow): Promise<ContactView[]> {
  const reveal = seesIdentity(caller) && row.identity_ciphertext !== null;
  return Promise.all(
    row.contacts.map(async ({ contactId, channel, contactedOn, partnerId, note }) => {
      let clear: string | null = null;
      if (reveal && note) {
        const value = await cipher.decrypt(row.parcours_id, note);
        clear = typeof value === 'string' ? value : null;
      }
      return { contactId, channel, contactedOn, partnerId, note: clear };
    }),
  );
}

function byDate<T>(records: Readonly<Record<string, T>>, date: (value: T) => string): T[] {
  return Object.values(records).sort((a, b) => date(a).localeCompare(date(b)));
}

function toView(row: FullRow, identity: IdentityView, contacts: ContactView[]): ParcoursView {
  const state = row.state;
  return {
    id: row.parcours_id,
    version: row.version,
    identity,
    status: state.status,
    householdRole: state.householdRole,
    rsaSocle: state.rsaSocle,
    entryOn: state.entryOn,
    territory: state.territory,
    source: state.source,
    ageBandAtEntry: state.ageBandAtEntry,
    suspension: state.suspension,
    diagnostic: state.diagnostic,
    orientation: state.orientation,
    parcoursType: state.parcoursType,
    organismeReferentId: state.organismeReferentId,
    pendingReorientation: state.pendingReorientation,
    lastReorientationDecision: state.lastReorientationDecision,
    referent: state.referent,
    followUpGroup: state.followUpGroup,
    engagementContracts: byDate(state.engagementContracts, (contract) => contract.startsOn),
    employmentContracts: byDate(state.employmentContracts, (contract) => contract.startsOn),
    actions: byDate(state.actions, (action) => action.prescribedOn),
    appointments: row.appointments,
    contacts,
    lastContactOn: state.lastContactOn,
    lastExit: state.lastExit,
    lastReopen: state.lastReopen,
    // Rows written before the lifecycle existed have neither: none in force.
    archived: state.archived ?? null,
    restrictions: state.restrictions ?? { restriction: null, opposition: null },
    openedAt: row.opened_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}
