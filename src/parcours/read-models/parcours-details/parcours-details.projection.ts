import { type InlineWrite, type RowsWrite, type UpdateWrite, tableColumns } from '../../../event-store/inline-writes.js';
import type { AppointmentRecordedData, ContactRecordedData } from '../../domain/events.js';
import type { ParcoursState } from '../../domain/state.js';


/**
 * Inline projection (DESIGN §7 `parcours_details`): one row per parcours, rewritten from the state
 * a command just produced, in the very statement that appends its events — a caseworker reads what
 * they wrote, and the row can never disagree with the stream. The state's collections that grow
 * with the parcours (contacts, appointments) have a row each in `parcours_contacts` and
 * `parcours_appointments`, written from the command's own events: what a command writes does not
 * grow with the history.
 *
 * `lastActivityOn` is the day a caseworker recorded something, the retention clock (R. 263-8
 * CASF); null for what is not accompaniment (the person's rights, archive, erasure), which keeps
 * the day already stored.
 */
export function parcoursDetailsFollowups(
  state: ParcoursState,
  version: number,
  lastActivityOn: string | null,
  events: ReadonlyArray<{ type: string; data: unknown }>,
): InlineWrite[] {
  const contacts = events.filter((event) => event.type === 'ContactRecorded').map((event) => event.data as ContactRecordedData);
  const appointments = events.filter((event) => event.type === 'AppointmentRecorded').map((event) => event.data as AppointmentRecordedData);
  return [
    detailsFollowup(state, version, lastActivityOn),
    ...(contacts.length
      ? [collectionFollowup('parcours_contacts', 'contact_id', 'contacted_on', state.parcoursId, contacts.map((data) => ({ id: data.contactId, on: data.contactedOn, data })))]
      : []),
    ...(appointments.length
      ? [
          collectionFollowup(
            'parcours_appointments',
            'appointment_id',
            'scheduled_on',
            state.parcoursId,
            appointments.map((data) => ({ id: data.appointmentId, on: data.scheduledOn, data })),
          ),
        ]
      : []),
    // The notes were encrypted under the destroyed key: not kept at all, as in the folded state.
    ...(events.some((event) => event.type === 'PersonalDataErased') ? [erasedNotesFollowup(state.parcoursId)] : []),
  ];
}

/**
 * Upserts the rows of a collection: a re-recorded appointment replaces the earlier record, keeping
 * its place (its first row's ordinal); recorded twice in one command, its last record is kept.
 */
function collectionFollowup(table: string, idColumn: string, dateColumn: string, parcoursId: string, rows: Array<{ id: string; on: string; data: unknown }>): RowsWrite {
  const latest = new Map(rows.map((row) => [row.id, row]));
  return {
    kind: 'rows',
    table,
    columns: [
      { name: 'parcours_id', type: 'uuid' },
      { name: idColumn, type: 'text' },
      { name: dateColumn, type: 'date' },
      { name: 'data', type: 'jsonb' },
    ],
    rows: [...latest.values()].map((row) => [parcoursId, row.id, row.on, JSON.stringify(row.data)]),
    onConflict: `ON CONFLICT (parcours_id, ${idColumn}) DO UPDATE SET ${dateColumn} = EXCLUDED.${dateColumn}, data = EXCLUDED.data`,
  };
}

function erasedNotesFollowup(parcoursId: string): UpdateWrite {
  return {
    kind: 'update',
    table: 'parcours_contacts',
    set: [{ column: 'data', expression: `jsonb_set(data, '{note}', 'null')` }],
    match: [{ column: 'parcours_id', type: 'uuid', value: parcoursId }],
    where: `data -> 'note' <> 'null'::jsonb`,
  };
}

const DETAILS_COLUMNS: RowsWrite['columns'] = tableColumns('parcours_id uuid, version integer, status text, territory text, entry_on date, rsa_socle boolean, parcours_type text, organisme_referent_id uuid, referent_user_id text, referent_partner_id uuid, follow_up_partner_ids uuid[], identity_ciphertext text, state json, last_activity_on date, archived_on date, opened_at recorded_at, updated_at recorded_at');

function detailsFollowup(state: ParcoursState, version: number, lastActivityOn: string | null): RowsWrite {
  return {
    kind: 'rows',
    table: 'parcours_details',
    columns: DETAILS_COLUMNS,
    rows: [
      [
        state.parcoursId,
        version,
        state.status,
        state.territory,
        state.entryOn,
        state.rsaSocle,
        state.parcoursType,
        state.organismeReferentId,
        state.referent?.userId ?? null,
        state.referent?.partnerId ?? null,
        `{${[...state.followUpGroup].join(',')}}`,
        state.identity.status === 'encrypted' ? state.identity.value.ciphertext : null,
        JSON.stringify(withoutIdentity(state)),
        lastActivityOn,
        state.archived?.archivedOn ?? null,
      ],
    ],
    onConflict: `ON CONFLICT (parcours_id) DO UPDATE SET version = EXCLUDED.version, status = EXCLUDED.status,
      territory = EXCLUDED.territory, entry_on = EXCLUDED.entry_on, rsa_socle = EXCLUDED.rsa_socle,
      parcours_type = EXCLUDED.parcours_type, organisme_referent_id = EXCLUDED.organisme_referent_id,
      referent_user_id = EXCLUDED.referent_user_id, referent_partner_id = EXCLUDED.referent_partner_id,
      follow_up_partner_ids = EXCLUDED.follow_up_partner_ids, identity_ciphertext = EXCLUDED.identity_ciphertext,
      state = EXCLUDED.state, last_activity_on = COALESCE(EXCLUDED.last_activity_on, parcours_details.last_activity_on),
      archived_on = EXCLUDED.archived_on, updated_at = EXCLUDED.updated_at`,
  };
}

/**
 * How many of a parcours' latest contacts, and of its latest appointments, its row carries: what
 * `GET /v1/parcours/{id}` shows, read with the row and nothing else (the whole lists, a row each in
 * their tables, are paged by `GET /v1/parcours/{id}/contacts` and `/appointments`). Bounded, so
 * that neither a command's write nor a read grows with the parcours' history.
 */
export const RECENT_FOLLOWUPS = 20;

/** The latest contacts and appointments, in the order shown (by date, then as recorded), and how many there are in all. */
export interface RecentFollowups {
  contacts: ContactRecordedData[];
  appointments: AppointmentRecordedData[];
  contactsTotal: number;
  appointmentsTotal: number;
}

/**
 * The state the API shows, identity excepted (it lives, encrypted, in its own column), with only
 * the latest contacts and appointments (`followups`; all of them have a row each in their tables).
 */
export type StoredState = Omit<ParcoursState, 'identity' | 'contacts' | 'appointments'> & {
  identity: { status: 'encrypted' } | Extract<ParcoursState['identity'], { status: 'erased' }>;
  followups: RecentFollowups;
};

function withoutIdentity(state: ParcoursState): StoredState {
  const identity = state.identity.status === 'encrypted' ? { status: 'encrypted' as const } : state.identity;
  const { contacts, appointments, ...rest } = state;
  const allContacts = Object.values(contacts);
  const allAppointments = Object.values(appointments);
  return {
    ...rest,
    identity,
    followups: {
      contacts: latest(allContacts, (contact) => contact.contactedOn),
      appointments: latest(allAppointments, (appointment) => appointment.scheduledOn),
      contactsTotal: allContacts.length,
      appointmentsTotal: allAppointments.length,
    },
  };
}

/**
 * The RECENT_FOLLOWUPS last of `records` by date, in the order shown. `records` come in the order
 * they were first recorded (a state's record keeps its key's place), and the sort is stable: among
 * those of one day, the order of recording, as the tables' `ordinal` gives it.
 */
function latest<T>(records: T[], date: (record: T) => string): T[] {
  return records.sort((a, b) => (date(a) < date(b) ? -1 : date(a) > date(b) ? 1 : 0)).slice(-RECENT_FOLLOWUPS);
}
