import type {
  ActionPrescribedData,
  ActionStatus,
  AgeBand,
  AppointmentRecordedData,
  ContactRecordedData,
  DiagnosticRecordedData,
  EmploymentContractEndReason,
  EmploymentContractStartedData,
  EncryptedValue,
  EngagementContractEndReason,
  EngagementContractSignedData,
  ErasureLegalGround,
  HouseholdRole,
  OrientationDecidedData,
  ParcoursEvent,
  ParcoursExitedData,
  ParcoursReopenedData,
  ParcoursSource,
  ParcoursArchivedData,
  ParcoursSuspendedData,
  ParcoursType,
  ProcessingRestrictionGround,
  ProcessingRight,
  ReorientationDecidedData,
  ReorientationRequestedData,
  RsaRights,
} from './events.js';

/**
 * What the rules and the `parcours_details` read model need to know about a parcours, folded from
 * its events. `null` until ParcoursOpened. The stream version is not here: the store tracks it.
 * Collections keyed by caller-given ids are plain records so the state serialises as JSON; read
 * them through `entryOf` (an id could be "__proto__").
 */
export type ParcoursStatus = 'open' | 'suspended' | 'exited';

export type IdentityState =
  | { status: 'encrypted'; value: EncryptedValue }
  | { status: 'erased'; legalGround: ErasureLegalGround; erasedOn: string };

export interface CurrentReferent {
  userId: string;
  partnerId: string;
  since: string;
}

export interface Ending<Reason> {
  endedOn: string;
  reason: Reason;
}

export interface EngagementContractState extends EngagementContractSignedData {
  ended: Ending<EngagementContractEndReason> | null;
}

export interface EmploymentContractState extends EmploymentContractStartedData {
  ended: Ending<EmploymentContractEndReason> | null;
}

export type ActionLifecycleStatus = 'prescribed' | ActionStatus;

export interface ActionState extends ActionPrescribedData {
  status: ActionLifecycleStatus;
  /** The prescription date until the first status change. */
  statusChangedOn: string;
}

export interface ParcoursState {
  parcoursId: string;
  identity: IdentityState;
  householdRole: HouseholdRole;
  rsaSocle: boolean;
  /** The rights last recorded from a CAF/MSA file (undefined: none since the opening, whose `rsaSocle` holds). */
  rsaRights?: RsaRights;
  entryOn: string;
  territory: string;
  source: ParcoursSource;
  ageBandAtEntry: AgeBand;
  /** The day the beneficiary was registered with France Travail: at opening from 2025, else when recorded; null until then. */
  franceTravailRegisteredOn: string | null;
  status: ParcoursStatus;
  /** The suspension in force while `status` is `suspended`. */
  suspension: ParcoursSuspendedData | null;
  lastResumedOn: string | null;
  /** The diagnostic with the latest `diagnosedOn`: a back-dated one does not hide a newer one. */
  diagnostic: DiagnosticRecordedData | null;
  /** The first orientation decision as recorded; later changes come from reorientations. */
  orientation: OrientationDecidedData | null;
  /** Current orientation: the first decision, then each accepted reorientation. */
  parcoursType: ParcoursType | null;
  organismeReferentId: string | null;
  pendingReorientation: ReorientationRequestedData | null;
  lastReorientationDecision: ReorientationDecidedData | null;
  referent: CurrentReferent | null;
  /** Partner ids, each once, in joining order. */
  followUpGroup: readonly string[];
  engagementContracts: Readonly<Record<string, EngagementContractState>>;
  openEngagementContractId: string | null;
  employmentContracts: Readonly<Record<string, EmploymentContractState>>;
  openEmploymentContractId: string | null;
  actions: Readonly<Record<string, ActionState>>;
  appointments: Readonly<Record<string, AppointmentRecordedData>>;
  contacts: Readonly<Record<string, ContactRecordedData>>;
  /** Latest contact or attended appointment: restarts the retention clock (R. 263-8 CASF) and R9. */
  lastContactOn: string | null;
  lastExit: ParcoursExitedData | null;
  lastReopen: ParcoursReopenedData | null;
  /** In the intermediate archive (R. 263-8 CASF): seen by auditors and the DPO only. */
  archived: ParcoursArchivedData | null;
  /** The limits the person obtained on processing (RGPD art. 18, 21), while in force. */
  restrictions: Readonly<Record<ProcessingRight, ActiveRestriction | null>>;
}

export interface ActiveRestriction {
  ground: ProcessingRestrictionGround;
  since: string;
}

export const INITIAL_STATE: ParcoursState | null = null;

const NO_RESTRICTIONS: ParcoursState['restrictions'] = Object.freeze({ restriction: null, opposition: null });

export function evolve(state: ParcoursState | null, event: ParcoursEvent): ParcoursState {
  return evolveWith(state, event, withEntry);
}

/**
 * The state after several events, as `events.reduce(evolve, state)` but in linear time: the
 * records of appointments, contacts, contracts and actions are copied the first time this fold
 * touches them, then filled in place, where `evolve` copies them at every event (a parcours of
 * 500 contacts would copy 125 000 entries). The intermediate states are never seen outside, and
 * `state` itself is left untouched.
 */
export function evolveAll(state: ParcoursState | null, events: Iterable<ParcoursEvent>): ParcoursState | null {
  const owned = new WeakSet<object>();
  const put: Put = <Value>(record: Readonly<Record<string, Value>>, id: string, value: Value) => {
    if (!owned.has(record)) {
      const copy = withEntry(record, id, value);
      owned.add(copy);
      return copy;
    }
    // An id of "__proto__" must stay a plain entry, which assignment would not make it.
    if (id === '__proto__') Object.defineProperty(record, id, { value, writable: true, enumerable: true, configurable: true });
    else (record as Record<string, Value>)[id] = value;
    return record;
  };
  let current = state;
  for (const event of events) current = evolveWith(current, event, put);
  return current;
}

type Put = <Value>(record: Readonly<Record<string, Value>>, id: string, value: Value) => Readonly<Record<string, Value>>;

function evolveWith(state: ParcoursState | null, event: ParcoursEvent, put: Put): ParcoursState {
  if (event.type === 'ParcoursOpened') {
    if (state !== null) throw new CorruptStreamError(`ParcoursOpened on parcours ${state.parcoursId}, which is already open`);
    const data = event.data;
    return {
      parcoursId: data.parcoursId,
      identity: { status: 'encrypted', value: data.identity },
      householdRole: data.householdRole,
      rsaSocle: data.rsaSocle,
      entryOn: data.entryOn,
      territory: data.territory,
      source: data.source,
      ageBandAtEntry: data.ageBandAtEntry,
      franceTravailRegisteredOn: data.franceTravailRegisteredOn,
      status: 'open',
      suspension: null,
      lastResumedOn: null,
      diagnostic: null,
      orientation: null,
      parcoursType: null,
      organismeReferentId: null,
      pendingReorientation: null,
      lastReorientationDecision: null,
      referent: null,
      followUpGroup: [],
      engagementContracts: {},
      openEngagementContractId: null,
      employmentContracts: {},
      openEmploymentContractId: null,
      actions: {},
      appointments: {},
      contacts: {},
      lastContactOn: null,
      lastExit: null,
      lastReopen: null,
      archived: null,
      restrictions: NO_RESTRICTIONS,
    };
  }
  if (state === null) throw new CorruptStreamError(`${event.type} before ParcoursOpened`);

  switch (event.type) {
    case 'FranceTravailRegistered':
      return { ...state, franceTravailRegisteredOn: event.data.registeredOn };
    case 'DiagnosticRecorded': {
      const current = state.diagnostic;
      return current !== null && current.diagnosedOn > event.data.diagnosedOn ? state : { ...state, diagnostic: event.data };
    }
    case 'OrientationDecided':
      return {
        ...state,
        orientation: event.data,
        parcoursType: event.data.parcoursType,
        organismeReferentId: event.data.organismeReferentId,
      };
    case 'ReorientationRequested':
      return { ...state, pendingReorientation: event.data };
    case 'ReorientationDecided': {
      const decided = { ...state, pendingReorientation: null, lastReorientationDecision: event.data };
      return event.data.accepted
        ? { ...decided, parcoursType: event.data.parcoursType, organismeReferentId: event.data.organismeReferentId }
        : decided;
    }
    case 'ReferentAssigned':
      return {
        ...state,
        referent: { userId: event.data.referentUserId, partnerId: event.data.partnerId, since: event.data.assignedOn },
      };
    case 'ReferentReleased':
      return { ...state, referent: null };
    case 'FollowUpMemberJoined':
      return state.followUpGroup.includes(event.data.partnerId)
        ? state
        : { ...state, followUpGroup: [...state.followUpGroup, event.data.partnerId] };
    case 'FollowUpMemberLeft':
      return { ...state, followUpGroup: state.followUpGroup.filter((partnerId) => partnerId !== event.data.partnerId) };
    case 'AppointmentRecorded': {
      const data = event.data;
      return {
        ...state,
        appointments: put(state.appointments, data.appointmentId, data),
        lastContactOn: data.outcome === 'seen' ? latest(state.lastContactOn, data.scheduledOn) : state.lastContactOn,
      };
    }
    case 'ContactRecorded':
      return {
        ...state,
        contacts: put(state.contacts, event.data.contactId, event.data),
        lastContactOn: latest(state.lastContactOn, event.data.contactedOn),
      };
    case 'EngagementContractSigned':
      return {
        ...state,
        engagementContracts: put(state.engagementContracts, event.data.contractId, { ...event.data, ended: null }),
        openEngagementContractId: event.data.contractId,
      };
    case 'EngagementContractEnded': {
      const { contractId, endedOn, reason } = event.data;
      const contract = entryOf(state.engagementContracts, contractId);
      if (!contract) throw new CorruptStreamError(`EngagementContractEnded for unknown contract ${contractId}`);
      return {
        ...state,
        engagementContracts: put(state.engagementContracts, contractId, { ...contract, ended: { endedOn, reason } }),
        openEngagementContractId: state.openEngagementContractId === contractId ? null : state.openEngagementContractId,
      };
    }
    case 'ActionPrescribed':
      return {
        ...state,
        actions: put(state.actions, event.data.actionId, {
          ...event.data,
          status: 'prescribed',
          statusChangedOn: event.data.prescribedOn,
        }),
      };
    case 'ActionStatusChanged': {
      const { actionId, status, changedOn } = event.data;
      const action = entryOf(state.actions, actionId);
      if (!action) throw new CorruptStreamError(`ActionStatusChanged for unknown action ${actionId}`);
      return { ...state, actions: put(state.actions, actionId, { ...action, status, statusChangedOn: changedOn }) };
    }
    case 'EmploymentContractStarted':
      return {
        ...state,
        employmentContracts: put(state.employmentContracts, event.data.contractId, { ...event.data, ended: null }),
        openEmploymentContractId: event.data.contractId,
      };
    case 'EmploymentContractEnded': {
      const { contractId, endedOn, reason } = event.data;
      const contract = entryOf(state.employmentContracts, contractId);
      if (!contract) throw new CorruptStreamError(`EmploymentContractEnded for unknown contract ${contractId}`);
      return {
        ...state,
        employmentContracts: put(state.employmentContracts, contractId, { ...contract, ended: { endedOn, reason } }),
        openEmploymentContractId: state.openEmploymentContractId === contractId ? null : state.openEmploymentContractId,
      };
    }
    case 'ParcoursSuspended':
      return { ...state, status: 'suspended', suspension: event.data };
    case 'ParcoursResumed':
      return { ...state, status: 'open', suspension: null, lastResumedOn: event.data.resumedOn };
    case 'ParcoursExited':
      // An exit ends the sanction procedure and makes a pending reorientation moot: neither
      // survives a reopening.
      return { ...state, status: 'exited', suspension: null, pendingReorientation: null, lastExit: event.data };
    case 'ParcoursReopened':
      return { ...state, status: 'open', lastReopen: event.data };
    case 'PersonalDataErased':
      // The notes were encrypted under the destroyed key: unreadable now, so not kept at all.
      return {
        ...state,
        identity: { status: 'erased', legalGround: event.data.legalGround, erasedOn: event.data.erasedOn },
        contacts: Object.fromEntries(Object.entries(state.contacts).map(([id, contact]) => [id, contact.note === null ? contact : { ...contact, note: null }])),
      };
    case 'IdentityRectified':
      return { ...state, identity: { status: 'encrypted', value: event.data.identity }, ageBandAtEntry: event.data.ageBandAtEntry };
    case 'ParcoursArchived':
      return { ...state, archived: event.data };
    case 'ProcessingRestricted':
      return { ...state, restrictions: { ...state.restrictions, [event.data.right]: { ground: event.data.ground, since: event.data.restrictedOn } } };
    case 'ProcessingRestrictionLifted':
      return { ...state, restrictions: { ...state.restrictions, [event.data.right]: null } };
    case 'RsaRightsRecorded':
      return { ...state, rsaSocle: event.data.rsaSocle, rsaRights: event.data.rights };
    default:
      return assertNever(event);
  }
}

/** The state after `events`, in stream order; `null` for an empty stream. */
export function replay(events: readonly ParcoursEvent[]): ParcoursState | null {
  return evolveAll(INITIAL_STATE, events);
}

export function entryOf<Value>(record: Readonly<Record<string, Value>>, id: string): Value | undefined {
  return Object.hasOwn(record, id) ? record[id] : undefined;
}

export function openEngagementContract(state: ParcoursState): EngagementContractState | null {
  return state.openEngagementContractId === null ? null : (entryOf(state.engagementContracts, state.openEngagementContractId) ?? null);
}

export function openEmploymentContract(state: ParcoursState): EmploymentContractState | null {
  return state.openEmploymentContractId === null ? null : (entryOf(state.employmentContracts, state.openEmploymentContractId) ?? null);
}

/** A stream that no decider could have written: evolve refuses to guess. */
export class CorruptStreamError extends Error {
  readonly code = 'corrupt_stream';

  constructor(message: string) {
    super(message);
    this.name = 'CorruptStreamError';
  }
}

function withEntry<Value>(record: Readonly<Record<string, Value>>, id: string, value: Value): Readonly<Record<string, Value>> {
  // A computed key defines an own property, even for "__proto__".
  return { ...record, [id]: value };
}

function latest(current: string | null, candidate: string): string {
  return current === null || candidate > current ? candidate : current;
}

function assertNever(value: never): never {
  throw new CorruptStreamError(`unknown parcours event ${JSON.stringify(value)}`);
}
