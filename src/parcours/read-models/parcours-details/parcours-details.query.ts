import { Inject } from '@nestjs/common';
import { type IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { type Caller, callerOf, seesIdentity } from '../../../access/caller.js';
import { parcoursCondition } from '../../../access/parcours-rule.js';
import { SqlClient, prepared } from '../../../database/sql-client.js';
import { correlationIdOf } from '../../../http/correlation.js';
import { ProblemError } from '../../../http/problem.js';
import { actorOf } from '../../../http/request-context.js';
import type { Principal } from '../../../access/principal.js';
import type { Role } from '../../../access/roles.js';
import { AccessJournal, type JournalEntry } from '../../../access-journal/access-journal.js';
import { PersonalDataCipher, isErasedPersonalData } from '../../../privacy/crypto/personal-data-cipher.js';
import { type Identity, isIdentity } from '../../../privacy/identity.js';
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
  /** The latest RECENT_FOLLOWUPS, in date order; all of them: GET /v1/parcours/{id}/appointments. */
  appointments: AppointmentRecordedData[];
  appointmentsTotal: number;
  /** The latest RECENT_FOLLOWUPS, in date order; all of them: GET /v1/parcours/{id}/contacts. */
  contacts: ContactView[];
  contactsTotal: number;
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


export class GetParcours extends Query<ParcoursView> {
  constructor(readonly parcoursId: string, readonly reader: Reader) {
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
  constructor(readonly filter: ParcoursListFilter, readonly reader: Reader) {
    super();
  }
}

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
    // One row: the latest contacts and appointments are in it (see RECENT_FOLLOWUPS).
    const rows = await this.db.query<DetailsRow>(
      prepared(`SELECT d.parcours_id, d.version, d.identity_ciphertext, d.state, d.opened_at, d.updated_at
                  FROM parcours_details d WHERE d.parcours_id = $1 AND ${visible.sql}`),
      [parcoursId, ...visible.params],
    );
    const row = rows[0];
    await this.journal.record(entryFor(reader, 'parcours.read', parcoursId, row ? 'ok' : 'not_found'));
    if (!row) throw parcoursNotFound();
    return toView(row, await identityFor(this.cipher, reader.caller, row), await contactViews(this.cipher, reader.caller, row, row.state.followups.contacts));
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
export async function contactViews(
  cipher: PersonalDataCipher,
  caller: Caller,
  row: Pick<DetailsRow, 'parcours_id' | 'identity_ciphertext'>,
  contacts: readonly ContactRecordedData[],
): Promise<ContactView[]> {
  const reveal = seesIdentity(caller) && row.identity_ciphertext !== null;
  return Promise.all(
    contacts.map(async ({ contactId, channel, contactedOn, partnerId, note }) => {
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

function toView(row: DetailsRow, identity: IdentityView, contacts: ContactView[]): ParcoursView {
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
    appointments: state.followups.appointments,
    appointmentsTotal: state.followups.appointmentsTotal,
    contacts,
    contactsTotal: state.followups.contactsTotal,
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

/** All of a parcours' contacts or appointments, by pages in the order shown (by date, then as recorded). */
export type FollowupKind = 'contacts' | 'appointments';

export interface FollowupsPage<Item> {
  items: Item[];
  /** The `cursor` of the next page; null on the last. */
  nextCursor: string | null;
}

export class ListFollowups<Kind extends FollowupKind = FollowupKind> extends Query<FollowupsPage<Kind extends 'contacts' ? ContactView : AppointmentRecordedData>> {
  constructor(
    readonly parcoursId: string,
    readonly kind: Kind,
    /** `after`: the previous page's nextCursor (a row's ordinal). */
    readonly page: { after?: string; limit: number },
    readonly reader: Reader,
  ) {
    super();
  }
}

const FOLLOWUP_TABLES: Record<FollowupKind, { table: string; date: string }> = {
  contacts: { table: 'parcours_contacts', date: 'contacted_on' },
  appointments: { table: 'parcours_appointments', date: 'scheduled_on' },
};

/**
 * One query: the parcours if the caller may see it, joined with the page of its records that
 * follow the cursor's (by the `*_in_order` index). No parcours row: 404, journaled as such.
 */
@QueryHandler(ListFollowups)
export class ListFollowupsHandler implements IQueryHandler<ListFollowups> {
  constructor(
    @Inject(SqlClient) private readonly db: SqlClient,
    @Inject(PersonalDataCipher) private readonly cipher: PersonalDataCipher,
    @Inject(AccessJournal) private readonly journal: AccessJournal,
  ) {}

  async execute({ parcoursId, kind, page, reader }: ListFollowups): Promise<FollowupsPage<ContactView | AppointmentRecordedData>> {
    const { table, date } = FOLLOWUP_TABLES[kind];
    const visible = parcoursCondition(reader.caller, 'read', 4);
    const rows = await this.db.query<{ parcours_id: string; identity_ciphertext: string | null; data: ContactRecordedData | AppointmentRecordedData | null; ordinal: string | null }>(
      `SELECT d.parcours_id, d.identity_ciphertext, f.data, f.ordinal::text AS ordinal
         FROM parcours_details d
         LEFT JOIN LATERAL (
           SELECT f.data, f.ordinal FROM ${table} f
            WHERE f.parcours_id = d.parcours_id
              AND ($2::bigint IS NULL OR (f.${date}, f.ordinal) > (SELECT c.${date}, c.ordinal FROM ${table} c WHERE c.parcours_id = d.parcours_id AND c.ordinal = $2::bigint))
            ORDER BY f.${date}, f.ordinal LIMIT $3) f ON TRUE
        WHERE d.parcours_id = $1 AND ${visible.sql}`,
      [parcoursId, page.after ?? null, page.limit, ...visible.params],
    );
    await this.journal.record(entryFor(reader, 'parcours.read', parcoursId, rows[0] ? 'ok' : 'not_found'));
    if (!rows[0]) throw parcoursNotFound();
    const found = rows.filter((row) => row.data !== null);
    const items =
      kind === 'contacts'
        ? await contactViews(this.cipher, reader.caller, rows[0], found.map((row) => row.data as ContactRecordedData))
        : found.map((row) => row.data as AppointmentRecordedData);
    return { items, nextCursor: found.length === page.limit ? found.at(-1)!.ordinal : null };
  }
}
