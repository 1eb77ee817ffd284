import { isKnownTerritory } from '../../partners/territories/territories.js';
import { isBusinessDate } from '../../kernel/business-date.js';
import {
  type ArchiveParcours,
  type AssignReferent,
  type ChangeActionStatus,
  type DecideOrientation,
  type DecideReorientation,
  type EndEmploymentContract,
  type EndEngagementContract,
  type ErasePersonalData,
  type ExitParcours,
  type JoinFollowUpGroup,
  type LeaveFollowUpGroup,
  type LiftProcessingRestriction,
  type OpenParcours,
  type ParcoursCommand,
  type PrescribeAction,
  type RecordAppointment,
  type RecordContact,
  type RecordDiagnostic,
  type RecordFranceTravailRegistration,
  type RectifyIdentity,
  REFERENT_ROLE,
  type ReleaseReferent,
  type ReopenParcours,
  type RecordRsaRights,
  type RequestReorientation,
  type RestrictProcessing,
  type ResumeParcours,
  type SignEngagementContract,
  type StartEmploymentContract,
  type SuspendParcours,
} from './commands.js';
import { contractKindAllowedOn, latestSanctionEnd, PLEIN_EMPLOI_FROM, registeredAutomatically, regimeOfDate, SUSPENSION_REMOBILISATION_FROM } from './regimes.js';
import { ParcoursNotFoundError, ParcoursRuleError, type ParcoursRuleErrorCode } from './errors.js';
import {
  BARRIER_KINDS,
  type Barriers,
  type ContactRecordedData,
  type EmploymentContractKind,
  type EmploymentContractStartedData,
  type EngagementContractSignedData,
  type FollowUpMemberJoined,
  IDENTITY_FIELDS,
  type OrientationDecidedData,
  type ParcoursEvent,
  type ParcoursOpenedData,
  type RsaRightsRecordedData,
  type ReorientationDecidedData,
  SIAE_STRUCTURE_KINDS,
  type StructureKind,
} from './events.js';
import { type ActionLifecycleStatus, entryOf, openEmploymentContract, openEngagementContract, type ParcoursState } from './state.js';

/**
 * The parcours decider: which events a command adds to a parcours in `state`, or the rule it
 * breaks. Pure: the clock, the ids and the facts about partners all come in the command.
 *
 * A command whose effect already holds decides nothing (`[]`), so a retried request is harmless;
 * the same id with different content is refused (`id_already_used`). Event data is built field by
 * field from the command, never spread from it, so nothing the edge let through reaches the store.
 */
export function decide(command: ParcoursCommand, state: ParcoursState | null): ParcoursEvent[] {
  checkDate(command.context.today, 'context.today');
  if (command.type === 'OpenParcours') return openParcours(command, state);

  if (state === null) throw new ParcoursNotFoundError(command.parcoursId);
  if (state.parcoursId !== command.parcoursId) {
    // A handler bug, not a rule: deciding on another stream's state would write to the wrong parcours.
    throw new Error(`command for parcours ${command.parcoursId} decided on the state of parcours ${state.parcoursId}`);
  }
  // Erasure is final and idempotent: erasing again decides nothing, anything else is refused but
  // the archive — a parcours erased on request still leaves the active base when its time comes.
  if (command.type === 'ErasePersonalData') return erasePersonalData(command, state);
  if (command.type === 'ArchiveParcours') return archiveParcours(command, state);
  if (state.identity.status === 'erased') {
    throw rule('personal_data_erased', `the personal data of parcours ${state.parcoursId} were erased on ${state.identity.erasedOn}: nothing more can be recorded`);
  }
  switch (command.type) {
    // The person's rights hold whatever the parcours' status: exited, archived or restricted.
    case 'RectifyIdentity':
      return rectifyIdentity(command, state);
    case 'RestrictProcessing':
      return restrictProcessing(command, state);
    case 'LiftProcessingRestriction':
      return liftProcessingRestriction(command, state);
    default:
      break;
  }
  if (state.archived !== null) {
    throw rule('parcours_archived', `the parcours is in the intermediate archive since ${state.archived.archivedOn}: nothing more can be recorded`);
  }
  if (state.restrictions.restriction !== null) {
    throw rule('processing_restricted', `the processing of this parcours is restricted since ${state.restrictions.restriction.since} (RGPD art. 18): nothing more can be recorded until it is lifted`);
  }
  if (state.status === 'exited' && command.type !== 'ExitParcours' && command.type !== 'ReopenParcours') {
    throw rule('parcours_exited', `the parcours exited on ${state.lastExit?.exitedOn ?? '?'}: reopen it first`);
  }

  switch (command.type) {
    case 'RecordFranceTravailRegistration':
      return recordFranceTravailRegistration(command, state);
    case 'RecordDiagnostic':
      return recordDiagnostic(command, state);
    case 'DecideOrientation':
      return decideOrientation(command, state);
    case 'RequestReorientation':
      return requestReorientation(command, state);
    case 'DecideReorientation':
      return decideReorientation(command, state);
    case 'AssignReferent':
      return assignReferent(command, state);
    case 'ReleaseReferent':
      return releaseReferent(command, state);
    case 'JoinFollowUpGroup':
      return joinFollowUpGroup(command, state);
    case 'LeaveFollowUpGroup':
      return leaveFollowUpGroup(command, state);
    case 'RecordAppointment':
      return recordAppointment(command, state);
    case 'RecordContact':
      return recordContact(command, state);
    case 'SignEngagementContract':
      return signEngagementContract(command, state);
    case 'EndEngagementContract':
      return endEngagementContract(command, state);
    case 'PrescribeAction':
      return prescribeAction(command, state);
    case 'ChangeActionStatus':
      return changeActionStatus(command, state);
    case 'StartEmploymentContract':
      return startEmploymentContract(command, state);
    case 'EndEmploymentContract':
      return endEmploymentContract(command, state);
    case 'SuspendParcours':
      return suspendParcours(command, state);
    case 'ResumeParcours':
      return resumeParcours(command, state);
    case 'ExitParcours':
      return exitParcours(command, state);
    case 'ReopenParcours':
      return reopenParcours(command, state);
    case 'RecordRsaRights':
      return recordRsaRights(command, state);
    default:
      return assertNever(command);
  }
}

// ---------------------------------------------------------------------------------------------
// Entry and orientation


function openParcours(command: OpenParcours, state: ParcoursState | null): ParcoursEvent[] {
  const data: ParcoursOpenedData = {
    parcoursId: command.parcoursId,
    identity: { ciphertext: command.identity.ciphertext },
    householdRole: command.householdRole,
    rsaSocle: command.rsaSocle,
    entryOn: command.entryOn,
    territory: command.territory,
    source: command.source,
    ageBandAtEntry: command.ageBandAtEntry,
    // The law registers every RSA applicant with France Travail from 2025: a fact of the opening.
    franceTravailRegisteredOn: registeredAutomatically(command.entryOn) ? command.entryOn : null,
  };
  if (state !== null) {
    // The identity is left out of the comparison: encryption is randomised, so a retried request
    // carries another ciphertext of the same identity. The parcours id, chosen per request, is
    // what ties a retry to the original.
    if (recordedAs(state, data, ['identity'])) return [];
    throw rule('parcours_already_opened', `parcours ${state.parcoursId} is already open since ${state.entryOn}`);
  }
  checkDate(command.entryOn, 'entryOn');
  if (command.entryOn > command.context.today) {
    throw rule('date_in_future', `entryOn ${command.entryOn} is after today (${command.context.today})`);
  }
  if (!isKnownTerritory(command.territory)) {
    throw rule('invalid_territory', `territory must be an EPCI code of the territory reference, got "${command.territory}"`);
  }
  // Rights that say more than rsaSocle (socle majoré) are recorded with the opening, so that the
  // next monthly file stating the same rights finds nothing changed.
  const plain = command.rsaSocle ? 'socle' : 'non_socle';
  if (command.rsaRights === undefined || command.rsaRights === plain) return [{ type: 'ParcoursOpened', data }];
  if ((command.rsaRights !== 'non_socle') !== command.rsaSocle) throw rule('invalid_rights', 'rsaRights contradicts rsaSocle');
  const rights: RsaRightsRecordedData = { rights: command.rsaRights, rsaSocle: command.rsaSocle, rightsOn: command.entryOn, source: command.source };
  return [{ type: 'ParcoursOpened', data }, { type: 'RsaRightsRecorded', data: rights }];
}

/** A parcours opened before 2025 registered with France Travail later (the transition's automatic registration, or the person's own). */
function recordFranceTravailRegistration(command: RecordFranceTravailRegistration, state: ParcoursState): ParcoursEvent[] {
  const { registeredOn } = command;
  if (state.franceTravailRegisteredOn !== null) {
    if (state.franceTravailRegisteredOn === registeredOn) return [];
    throw rule('already_registered_with_france_travail', `the beneficiary is registered with France Travail since ${state.franceTravailRegisteredOn}`);
  }
  checkFactDate(command, state, registeredOn, 'registeredOn');
  return [{ type: 'FranceTravailRegistered', data: { registeredOn } }];
}

function recordDiagnostic(command: RecordDiagnostic, state: ParcoursState): ParcoursEvent[] {
  const barriers = Object.fromEntries(BARRIER_KINDS.map((kind) => [kind, command.barriers[kind]])) as Barriers;
  const data = {
    barriers,
    recentActivity: command.recentActivity,
    qualificationLevel: command.qualificationLevel,
    diagnosedOn: command.diagnosedOn,
  };
  if (state.diagnostic !== null && recordedAs(state.diagnostic, data)) return [];
  checkFactDate(command, state, command.diagnosedOn, 'diagnosedOn');
  return [{ type: 'DiagnosticRecorded', data }];
}

function decideOrientation(command: DecideOrientation, state: ParcoursState): ParcoursEvent[] {
  const data: OrientationDecidedData = {
    parcoursType: command.parcoursType,
    organismeReferentId: command.organismeReferent.partnerId,
    decidedBy: command.decidedBy,
    reason: command.reason,
    decidedOn: command.decidedOn,
    notifiedOn: command.notifiedOn ?? null,
  };
  if (state.orientation !== null) {
    if (sameData(state.orientation, data)) return [];
    throw rule('already_oriented', `the parcours was oriented on ${state.orientation.decidedOn}: request a reorientation to change it`);
  }
  checkFactDate(command, state, data.decidedOn, 'decidedOn');
  if (data.notifiedOn !== null) {
    checkFactDate(command, state, data.notifiedOn, 'notifiedOn');
    checkNotBefore(data.notifiedOn, 'notifiedOn', data.decidedOn, 'decidedOn');
  }
  checkPartnerActive(command.organismeReferent.active, data.organismeReferentId);
  return [{ type: 'OrientationDecided', data }, ...joinUnlessMember(state, data.organismeReferentId, data.decidedOn)];
}

function requestReorientation(command: RequestReorientation, state: ParcoursState): ParcoursEvent[] {
  const data = {
    requestedBy: command.requestedBy,
    reason: command.reason,
    requestedOn: command.requestedOn,
    proposedParcoursType: command.proposedParcoursType ?? null,
  };
  const pending = state.pendingReorientation;
  if (pending !== null) {
    if (sameData(pending, data)) return [];
    throw rule('reorientation_already_requested', `a reorientation requested on ${pending.requestedOn} awaits a decision`);
  }
  if (state.parcoursType === null) throw rule('not_oriented', 'the parcours has no orientation to reconsider yet');
  checkFactDate(command, state, data.requestedOn, 'requestedOn');
  return [{ type: 'ReorientationRequested', data }];
}

function decideReorientation(command: DecideReorientation, state: ParcoursState): ParcoursEvent[] {
  const data: ReorientationDecidedData = command.accepted
    ? {
        accepted: true,
        parcoursType: command.parcoursType,
        organismeReferentId: command.organismeReferent.partnerId,
        decidedBy: command.decidedBy,
        decidedOn: command.decidedOn,
      }
    : { accepted: false, rejectionReason: command.rejectionReason, decidedBy: command.decidedBy, decidedOn: command.decidedOn };
  const pending = state.pendingReorientation;
  if (pending === null) {
    if (state.lastReorientationDecision !== null && sameData(state.lastReorientationDecision, data)) return [];
    throw rule('no_reorientation_requested', 'no reorientation request awaits a decision');
  }
  checkFactDate(command, state, data.decidedOn, 'decidedOn');
  checkNotBefore(data.decidedOn, 'decidedOn', pending.requestedOn, 'the request date');
  if (!command.accepted) return [{ type: 'ReorientationDecided', data }];
  checkPartnerActive(command.organismeReferent.active, command.organismeReferent.partnerId);
  // The current référent stays in charge until the new organisme référent names one: assigning
  // them then is a handover with no gap (R10), where releasing now would open one.
  return [{ type: 'ReorientationDecided', data }, ...joinUnlessMember(state, command.organismeReferent.partnerId, data.decidedOn)];
}

// ---------------------------------------------------------------------------------------------
// Référent and follow-up group

function assignReferent(command: AssignReferent, state: ParcoursState): ParcoursEvent[] {
  const { referent, assignedOn } = command;
  const current = state.referent;
  if (current !== null && current.userId === referent.userId && current.partnerId === referent.partnerId) return [];
  checkFactDate(command, state, assignedOn, 'assignedOn');
  checkPartnerActive(referent.partnerActive, referent.partnerId);
  if (!referent.roles.includes(REFERENT_ROLE)) {
    throw rule('referent_role_missing', `user ${referent.userId} does not hold the "${REFERENT_ROLE}" role in partner ${referent.partnerId}`);
  }
  if (!state.followUpGroup.includes(referent.partnerId)) {
    throw rule('referent_partner_not_in_follow_up_group', `partner ${referent.partnerId} is not in the follow-up group of the parcours`);
  }
  const assigned: ParcoursEvent = {
    type: 'ReferentAssigned',
    data: { referentUserId: referent.userId, partnerId: referent.partnerId, assignedOn },
  };
  if (current === null) return [assigned];
  checkNotBefore(assignedOn, 'assignedOn', current.since, 'the current référent assignment');
  // Released and assigned on the same day in one decision: the référent unique never lapses.
  return [
    { type: 'ReferentReleased', data: { referentUserId: current.userId, partnerId: current.partnerId, reason: 'handover', releasedOn: assignedOn } },
    assigned,
  ];
}

function releaseReferent(command: ReleaseReferent, state: ParcoursState): ParcoursEvent[] {
  const current = state.referent;
  if (current === null) throw rule('no_active_referent', 'the parcours has no référent to release');
  checkFactDate(command, state, command.releasedOn, 'releasedOn');
  checkNotBefore(command.releasedOn, 'releasedOn', current.since, 'the référent assignment');
  return [
    {
      type: 'ReferentReleased',
      data: { referentUserId: current.userId, partnerId: current.partnerId, reason: command.reason, releasedOn: command.releasedOn },
    },
  ];
}

function joinFollowUpGroup(command: JoinFollowUpGroup, state: ParcoursState): ParcoursEvent[] {
  const { partner, joinedOn } = command;
  if (state.followUpGroup.includes(partner.partnerId)) return [];
  checkFactDate(command, state, joinedOn, 'joinedOn');
  checkPartnerActive(partner.active, partner.partnerId);
  return [{ type: 'FollowUpMemberJoined', data: { partnerId: partner.partnerId, joinedOn } }];
}

function leaveFollowUpGroup(command: LeaveFollowUpGroup, state: ParcoursState): ParcoursEvent[] {
  const { partnerId, leftOn } = command;
  if (!state.followUpGroup.includes(partnerId)) return [];
  checkFactDate(command, state, leftOn, 'leftOn');
  if (state.referent?.partnerId === partnerId) {
    throw rule('referent_partner_must_stay', `partner ${partnerId} employs the current référent: assign another référent first`);
  }
  if (state.organismeReferentId === partnerId) {
    throw rule('organisme_referent_must_stay', `partner ${partnerId} is the organisme référent: it follows the parcours until a reorientation`);
  }
  return [{ type: 'FollowUpMemberLeft', data: { partnerId, leftOn } }];
}

function joinUnlessMember(state: ParcoursState, partnerId: string, joinedOn: string): FollowUpMemberJoined[] {
  return state.followUpGroup.includes(partnerId) ? [] : [{ type: 'FollowUpMemberJoined', data: { partnerId, joinedOn } }];
}

// ---------------------------------------------------------------------------------------------
// Appointments and contacts

function recordAppointment(command: RecordAppointment, state: ParcoursState): ParcoursEvent[] {
  const data = {
    appointmentId: command.appointmentId,
    kind: command.kind,
    scheduledOn: command.scheduledOn,
    outcome: command.outcome,
    partnerId: command.partnerId,
  };
  const existing = entryOf(state.appointments, data.appointmentId);
  if (existing !== undefined) return unlessConflicting(existing, data, `appointment ${data.appointmentId}`);
  checkHeldByFollower(command, state, 'an appointment');
  checkFactDate(command, state, data.scheduledOn, 'scheduledOn');
  return [{ type: 'AppointmentRecorded', data }];
}

function recordContact(command: RecordContact, state: ParcoursState): ParcoursEvent[] {
  const data: ContactRecordedData = {
    contactId: command.contactId,
    channel: command.channel,
    contactedOn: command.contactedOn,
    partnerId: command.partnerId,
    note: command.note ? { ciphertext: command.note.ciphertext } : null,
  };
  const existing = entryOf(state.contacts, data.contactId);
  if (existing !== undefined) {
    // As for the identity, encryption is randomised: a retry carries another ciphertext of the note.
    if (recordedAs(existing, data, ['note']) && (existing.note === null) === (data.note === null)) return [];
    throw rule('id_already_used', `contact ${data.contactId} is already recorded with different content`);
  }
  checkHeldByFollower(command, state, 'a contact');
  checkFactDate(command, state, data.contactedOn, 'contactedOn');
  return [{ type: 'ContactRecorded', data }];
}

/**
 * The organisation an appointment or a contact names is the one that held it: the caller's own or
 * one following the parcours (référent's organisation, organisme référent, follow-up group) — not
 * any organisation of the directory, nor a made-up id, which would put words in its mouth and send
 * the record to its feed. Ids compare as uuids, whatever their case.
 */
function checkHeldByFollower(command: RecordAppointment | RecordContact, state: ParcoursState, what: string): void {
  const named = command.partnerId.toLowerCase();
  const mayHold = [command.context.actor.partnerId, state.referent?.partnerId, state.organismeReferentId, ...state.followUpGroup];
  if (!mayHold.some((partnerId) => partnerId?.toLowerCase() === named)) {
    throw rule('partner_not_following', `${what} is held by the caller's organisation or one following the parcours, not by partner ${command.partnerId}`);
  }
}

// ---------------------------------------------------------------------------------------------
// Engagement contracts

const ENGAGEMENT_WEEKLY_HOURS = { min: 0, max: 35 };

function signEngagementContract(command: SignEngagementContract, state: ParcoursState): ParcoursEvent[] {
  const data: EngagementContractSignedData = {
    contractId: command.contractId,
    kind: command.kind,
    signedOn: command.signedOn,
    startsOn: command.startsOn,
    endsOn: command.endsOn,
    weeklyActivityHours: command.weeklyActivityHours,
    activityHoursAdjustment: command.activityHoursAdjustment ? { kind: command.activityHoursAdjustment.kind, reason: command.activityHoursAdjustment.reason } : null,
  };
  const existing = entryOf(state.engagementContracts, data.contractId);
  if (existing !== undefined) return unlessConflicting(existing, data, `engagement contract ${data.contractId}`);
  if (entryOf(state.employmentContracts, data.contractId) !== undefined) {
    throw rule('id_already_used', `${data.contractId} already names an employment contract of this parcours`);
  }
  checkFactDate(command, state, data.signedOn, 'signedOn');
  checkDate(data.startsOn, 'startsOn');
  checkNotBeforeEntry(state, data.startsOn, 'startsOn');
  checkDate(data.endsOn, 'endsOn');
  checkNotBefore(data.endsOn, 'endsOn', data.startsOn, 'startsOn');
  checkWeeklyHours(data.weeklyActivityHours, ENGAGEMENT_WEEKLY_HOURS, 'weeklyActivityHours');
  checkContractKindInRegime(data);
  checkActivityHoursAdjustment(data);

  const open = openEngagementContract(state);
  if (open === null) return [{ type: 'EngagementContractSigned', data }];
  // A contract past its term is over in fact: renewing it closes it at its term rather than asking
  // the caseworker to record the obvious first. One still running must be ended explicitly (e.g.
  // `replaced`), since an ending dated in the future would be a forecast, not a fact.
  const lapsed = open.endsOn < data.startsOn && open.endsOn <= command.context.today;
  if (!lapsed) {
    throw rule('engagement_contract_already_open', `engagement contract ${open.contractId} runs until ${open.endsOn}: end it first`);
  }
  return [
    { type: 'EngagementContractEnded', data: { contractId: open.contractId, endedOn: open.endsOn, reason: 'term_reached' } },
    { type: 'EngagementContractSigned', data },
  ];
}

/**
 * Each regime has its contracts (regimes.ts): a CER or a PPAE is signed before 2025, a contrat
 * d'engagement from 2025 — a CER dated 2026 or a CE dated 2021 is a typing error, not a fact.
 */
function checkContractKindInRegime(data: EngagementContractSignedData): void {
  if (!contractKindAllowedOn(data.kind, data.signedOn)) {
    const regime = regimeOfDate(data.signedOn);
    throw rule(
      'contract_kind_not_in_regime',
      regime === 'plein_emploi'
        ? `a ${data.kind} cannot be signed on ${data.signedOn}: from ${PLEIN_EMPLOI_FROM} the contrat d'engagement (CE) replaces the CER and the PPAE (loi 2023-1196)`
        : `a contrat d'engagement (CE) cannot be signed on ${data.signedOn}, before the plein-emploi law (${PLEIN_EMPLOI_FROM}): a CER or a PPAE then`,
    );
  }
}

/**
 * The 15 hours a week of a contrat d'engagement may be lowered (reduced, with fewer hours) or
 * waived (exempted, 0 hours), each with its reason; other contracts have no activity duty. A
 * contrat d'engagement below 15 hours without a reason is accepted — the hours may not be settled
 * at signature — and continuity rule R11 shows it until it is put right.
 */
function checkActivityHoursAdjustment(data: EngagementContractSignedData): void {
  const adjustment = data.activityHoursAdjustment;
  if (adjustment === null) return;
  const refuse = (message: string) => rule('invalid_activity_hours_adjustment', message);
  if (data.kind !== 'CE') throw refuse(`only a contrat d'engagement (CE) has an activity duty to lower or waive, not a ${data.kind}`);
  if (adjustment.kind === 'exempted' && data.weeklyActivityHours !== 0) throw refuse(`an exemption means 0 hours of activity a week, got ${data.weeklyActivityHours}`);
  if (adjustment.kind === 'reduced' && (data.weeklyActivityHours <= 0 || data.weeklyActivityHours >= 15)) {
    throw refuse(`a reduction means between 0 and 15 hours of activity a week (both excluded), got ${data.weeklyActivityHours}`);
  }
}

function endEngagementContract(command: EndEngagementContract, state: ParcoursState): ParcoursEvent[] {
  const { contractId, endedOn, reason } = command;
  const contract = entryOf(state.engagementContracts, contractId);
  if (contract === undefined) throw rule('engagement_contract_not_found', `no engagement contract ${contractId} in this parcours`);
  if (contract.ended !== null) {
    if (contract.ended.endedOn === endedOn && contract.ended.reason === reason) return [];
    throw rule('engagement_contract_not_found', `engagement contract ${contractId} already ended on ${contract.ended.endedOn}`);
  }
  checkFactDate(command, state, endedOn, 'endedOn');
  checkNotBefore(endedOn, 'endedOn', contract.signedOn, 'the signature');
  return [{ type: 'EngagementContractEnded', data: { contractId, endedOn, reason } }];
}

// ---------------------------------------------------------------------------------------------
// Actions

const ACTION_TRANSITIONS: Record<ActionLifecycleStatus, readonly ActionLifecycleStatus[]> = {
  // A short action (a workshop) may be completed with no recorded start; only a planned one can
  // be cancelled, a begun one is abandoned.
  prescribed: ['started', 'completed', 'abandoned', 'cancelled'],
  started: ['completed', 'abandoned'],
  completed: [],
  abandoned: [],
  cancelled: [],
};

function prescribeAction(command: PrescribeAction, state: ParcoursState): ParcoursEvent[] {
  const data = {
    actionId: command.actionId,
    kind: command.kind,
    prescribedOn: command.prescribedOn,
    providerPartnerId: command.providerPartnerId ?? null,
  };
  const existing = entryOf(state.actions, data.actionId);
  if (existing !== undefined) return unlessConflicting(existing, data, `action ${data.actionId}`);
  checkFactDate(command, state, data.prescribedOn, 'prescribedOn');
  return [{ type: 'ActionPrescribed', data }];
}

function changeActionStatus(command: ChangeActionStatus, state: ParcoursState): ParcoursEvent[] {
  const { actionId, status, changedOn } = command;
  const action = entryOf(state.actions, actionId);
  if (action === undefined) throw rule('action_not_found', `no action ${actionId} in this parcours`);
  if (action.status === status) {
    if (action.statusChangedOn === changedOn) return [];
    throw rule('invalid_action_transition', `action ${actionId} is already ${status} since ${action.statusChangedOn}`);
  }
  if (!ACTION_TRANSITIONS[action.status].includes(status)) {
    throw rule('invalid_action_transition', `action ${actionId} cannot go from ${action.status} to ${status}`);
  }
  checkFactDate(command, state, changedOn, 'changedOn');
  checkNotBefore(changedOn, 'changedOn', action.statusChangedOn, `the action's previous status date`);
  return [{ type: 'ActionStatusChanged', data: { actionId, status, changedOn } }];
}

// ---------------------------------------------------------------------------------------------
// Employment contracts

const EMPLOYMENT_WEEKLY_HOURS = { min: 1, max: 48 };
const SIRET = /^\d{14}$/;
const FIXED_TERM_KINDS: readonly EmploymentContractKind[] = ['PEC', 'CDDI', 'CDD', 'INTERIM'];
const OPEN_ENDED_KINDS: readonly EmploymentContractKind[] = ['CDI', 'CDI_EBE'];

function startEmploymentContract(command: StartEmploymentContract, state: ParcoursState): ParcoursEvent[] {
  const data: EmploymentContractStartedData = {
    contractId: command.contractId,
    kind: command.kind,
    employerPartnerId: command.employerPartnerId ?? null,
    employerSiret: command.employerSiret ?? null,
    // An EBE hires only in CDI: the kind says the structure.
    structureKind: command.kind === 'CDI_EBE' && command.structureKind === null ? 'EBE' : command.structureKind,
    weeklyHours: command.weeklyHours,
    startsOn: command.startsOn,
    plannedEndOn: command.plannedEndOn ?? null,
    beneficiaryUnder26AtStart: command.beneficiaryUnder26AtStart,
    rsaSocleAtStart: state.rsaSocle,
  };
  const existing = entryOf(state.employmentContracts, data.contractId);
  if (existing !== undefined) return unlessConflicting(existing, data, `employment contract ${data.contractId}`);
  if (entryOf(state.engagementContracts, data.contractId) !== undefined) {
    throw rule('id_already_used', `${data.contractId} already names an engagement contract of this parcours`);
  }
  checkFactDate(command, state, data.startsOn, 'startsOn');
  checkEmployer(data.employerPartnerId, data.employerSiret);
  checkStructureKind(data.kind, data.structureKind);
  if (data.plannedEndOn === null) {
    if (FIXED_TERM_KINDS.includes(data.kind)) throw rule('planned_end_required', `a ${data.kind} needs a planned end date`);
  } else {
    if (OPEN_ENDED_KINDS.includes(data.kind)) throw rule('planned_end_not_allowed', `a ${data.kind} is open-ended: no planned end date`);
    checkDate(data.plannedEndOn, 'plannedEndOn');
    checkNotBefore(data.plannedEndOn, 'plannedEndOn', data.startsOn, 'startsOn');
  }
  checkWeeklyHours(data.weeklyHours, EMPLOYMENT_WEEKLY_HOURS, 'weeklyHours');
  const open = openEmploymentContract(state);
  if (open !== null) {
    throw rule('employment_contract_already_open', `employment contract ${open.contractId} (${open.kind}) since ${open.startsOn} is not ended`);
  }
  return [{ type: 'EmploymentContractStarted', data }];
}

function checkEmployer(partnerId: string | null, siret: string | null): void {
  if ((partnerId === null) === (siret === null)) {
    throw rule('invalid_employer', 'name the employer by exactly one of its partner id and its SIRET');
  }
  if (siret !== null && !SIRET.test(siret)) throw rule('invalid_employer', `a SIRET has 14 digits, got "${siret}"`);
}

function checkStructureKind(kind: EmploymentContractKind, structureKind: StructureKind | null): void {
  const siae: readonly (StructureKind | null)[] = SIAE_STRUCTURE_KINDS;
  if (kind === 'CDDI' && !siae.includes(structureKind)) {
    throw rule('invalid_structure_kind', `a CDDI is signed with an SIAE (${SIAE_STRUCTURE_KINDS.join(', ')}), got ${String(structureKind)}`);
  }
  if (kind === 'CDI_EBE' && structureKind !== 'EBE') {
    throw rule('invalid_structure_kind', `a CDI_EBE is signed with an EBE, got ${String(structureKind)}`);
  }
  if (kind !== 'CDI_EBE' && structureKind === 'EBE') {
    throw rule('invalid_structure_kind', `an EBE hires in CDI_EBE only, got ${kind}`);
  }
}

function endEmploymentContract(command: EndEmploymentContract, state: ParcoursState): ParcoursEvent[] {
  const { contractId, endedOn, reason } = command;
  const contract = entryOf(state.employmentContracts, contractId);
  if (contract === undefined) throw rule('employment_contract_not_found', `no employment contract ${contractId} in this parcours`);
  if (contract.ended !== null) {
    if (contract.ended.endedOn === endedOn && contract.ended.reason === reason) return [];
    throw rule('employment_contract_not_found', `employment contract ${contractId} already ended on ${contract.ended.endedOn}`);
  }
  checkFactDate(command, state, endedOn, 'endedOn');
  checkNotBefore(endedOn, 'endedOn', contract.startsOn, 'the contract start');
  return [{ type: 'EmploymentContractEnded', data: { contractId, endedOn, reason } }];
}

// ---------------------------------------------------------------------------------------------
// Suspension, exit, reopening

function suspendParcours(command: SuspendParcours, state: ParcoursState): ParcoursEvent[] {
  const data = { reason: command.reason, suspendedOn: command.suspendedOn, withheldShare: command.withheldShare ?? null, plannedEndOn: command.plannedEndOn ?? null };
  if (state.status !== 'open') {
    if (state.suspension !== null && sameData(state.suspension, data)) return [];
    throw rule('parcours_not_open', `the parcours is ${state.status}${state.suspension ? ` since ${state.suspension.suspendedOn}` : ''}`);
  }
  checkFactDate(command, state, data.suspendedOn, 'suspendedOn');
  checkWithheldShare(data.suspendedOn, data.withheldShare, data.plannedEndOn);
  return [{ type: 'ParcoursSuspended', data }];
}

/**
 * Décret n° 2025-478 du 30 mai 2025 (in force on 1 June 2025): the suspension-remobilisation
 * withholds at least 30 % of the allowance, up to all of it. Its share is stated from that day;
 * before it, the earlier suspension (L. 262-37 CASF) had no such share and none is accepted.
 */
function checkWithheldShare(suspendedOn: string, share: number | null, plannedEndOn: string | null): void {
  if (suspendedOn < SUSPENSION_REMOBILISATION_FROM) {
    if (share !== null || plannedEndOn !== null) {
      throw rule('sanction_not_in_force', `the suspension-remobilisation, its withheld share and its planned end apply from ${SUSPENSION_REMOBILISATION_FROM} (décret 2025-478), not on ${suspendedOn}`);
    }
    return;
  }
  if (share === null || !Number.isFinite(share) || share < 0.3 || share > 1) {
    throw rule('invalid_withheld_share', `a suspension-remobilisation from ${SUSPENSION_REMOBILISATION_FROM} withholds a share between 0.3 and 1 of the allowance (décret 2025-478), got ${share}`);
  }
  if (plannedEndOn === null) throw rule('invalid_period', 'plannedEndOn is required: a suspension-remobilisation is decided for one to four months (décret 2025-478)');
  checkDate(plannedEndOn, 'plannedEndOn');
  const latest = latestSanctionEnd(suspendedOn);
  if (plannedEndOn <= suspendedOn || plannedEndOn > latest) {
    throw rule('invalid_period', `plannedEndOn ${plannedEndOn} must be after the suspension (${suspendedOn}) and at most four months on (${latest}, décret 2025-478)`);
  }
}

function resumeParcours(command: ResumeParcours, state: ParcoursState): ParcoursEvent[] {
  const { resumedOn } = command;
  const reason = command.reason ?? null;
  if (state.suspension === null) {
    if (state.lastResumedOn === resumedOn) return [];
    throw rule('parcours_not_suspended', 'the parcours is not suspended');
  }
  checkFactDate(command, state, resumedOn, 'resumedOn');
  checkNotBefore(resumedOn, 'resumedOn', state.suspension.suspendedOn, 'the suspension');
  return [{ type: 'ParcoursResumed', data: { resumedOn, reason } }];
}

/**
 * Exiting closes what the parcours holds open, in the same decision: the référent is released and
 * the engagement contract ends (at its own term if that came first). An employment contract runs
 * on — a job outlives the parcours, and is often the very reason for the exit.
 */
function exitParcours(command: ExitParcours, state: ParcoursState): ParcoursEvent[] {
  const data = { category: command.category, reason: command.reason, exitedOn: command.exitedOn };
  if (state.status === 'exited') {
    if (state.lastExit !== null && sameData(state.lastExit, data)) return [];
    throw rule('parcours_exited', `the parcours already exited on ${state.lastExit?.exitedOn ?? '?'}`);
  }
  checkFactDate(command, state, data.exitedOn, 'exitedOn');
  const closing: ParcoursEvent[] = [];
  const referent = state.referent;
  if (referent !== null) {
    checkNotBefore(data.exitedOn, 'exitedOn', referent.since, 'the référent assignment');
    closing.push({
      type: 'ReferentReleased',
      data: { referentUserId: referent.userId, partnerId: referent.partnerId, reason: 'parcours_exited', releasedOn: data.exitedOn },
    });
  }
  const contract = openEngagementContract(state);
  if (contract !== null) {
    checkNotBefore(data.exitedOn, 'exitedOn', contract.signedOn, 'the engagement contract signature');
    const lapsed = contract.endsOn < data.exitedOn;
    closing.push({
      type: 'EngagementContractEnded',
      data: lapsed
        ? { contractId: contract.contractId, endedOn: contract.endsOn, reason: 'term_reached' }
        : { contractId: contract.contractId, endedOn: data.exitedOn, reason: 'parcours_exited' },
    });
  }
  return [...closing, { type: 'ParcoursExited', data }];
}

function reopenParcours(command: ReopenParcours, state: ParcoursState): ParcoursEvent[] {
  const data = { reason: command.reason, reopenedOn: command.reopenedOn };
  const lastExit = state.lastExit;
  if (state.status !== 'exited' || lastExit === null) {
    if (state.lastReopen !== null && sameData(state.lastReopen, data)) return [];
    throw rule('parcours_not_exited', 'only an exited parcours can be reopened');
  }
  checkFactDate(command, state, data.reopenedOn, 'reopenedOn');
  checkNotBefore(data.reopenedOn, 'reopenedOn', lastExit.exitedOn, 'the exit');
  return [{ type: 'ParcoursReopened', data }];
}

/**
 * The RSA rights as the monthly file states them. Only a change is recorded: the same file, or
 * the next month's with the same rights, decides nothing (an intake is idempotent).
 */
function recordRsaRights(command: RecordRsaRights, state: ParcoursState): ParcoursEvent[] {
  const rsaSocle = command.rights !== 'non_socle';
  const current = state.rsaRights ?? (state.rsaSocle ? 'socle' : 'non_socle');
  if (current === command.rights) return [];
  checkFactDate(command, state, command.rightsOn, 'rightsOn');
  return [{ type: 'RsaRightsRecorded', data: { rights: command.rights, rsaSocle, rightsOn: command.rightsOn, source: command.source } }];
}

// ---------------------------------------------------------------------------------------------
// The person's rights and retention (DESIGN §8)

function rectifyIdentity(command: RectifyIdentity, state: ParcoursState): ParcoursEvent[] {
  const fields = [...new Set(command.fields)];
  if (!fields.every((field) => (IDENTITY_FIELDS as readonly string[]).includes(field))) {
    throw rule('invalid_rectification', `a rectification names the corrected fields among ${IDENTITY_FIELDS.join(', ')}`);
  }
  // Nothing differs from the identity held (a retried request, say): nothing to record.
  if (fields.length === 0) return [];
  // A right exercised on a parcours is dated within it: before the entry, a replay as the facts
  // were would find it before the parcours existed.
  checkFactDate(command, state, command.rectifiedOn, 'rectifiedOn');
  return [
    {
      type: 'IdentityRectified',
      data: { identity: { ciphertext: command.identity.ciphertext }, fields, ageBandAtEntry: command.ageBandAtEntry, rectifiedOn: command.rectifiedOn },
    },
  ];
}

function restrictProcessing(command: RestrictProcessing, state: ParcoursState): ParcoursEvent[] {
  checkFactDate(command, state, command.restrictedOn, 'restrictedOn');
  const active = state.restrictions[command.right];
  if (active !== null) {
    if (active.ground === command.ground) return [];
    throw rule('processing_already_restricted', `the ${command.right} is in force since ${active.since} on another ground (${active.ground}): lift it first`);
  }
  return [{ type: 'ProcessingRestricted', data: { right: command.right, ground: command.ground, restrictedOn: command.restrictedOn } }];
}

function liftProcessingRestriction(command: LiftProcessingRestriction, state: ParcoursState): ParcoursEvent[] {
  checkFactDate(command, state, command.liftedOn, 'liftedOn');
  const active = state.restrictions[command.right];
  if (active === null) return [];
  checkNotBefore(command.liftedOn, 'liftedOn', active.since, `the ${command.right}`);
  return [{ type: 'ProcessingRestrictionLifted', data: { right: command.right, liftedOn: command.liftedOn } }];
}

function archiveParcours(command: ArchiveParcours, state: ParcoursState): ParcoursEvent[] {
  if (state.archived !== null) return [];
  checkDate(command.archivedOn, 'archivedOn');
  checkDate(command.lastActivityOn, 'lastActivityOn');
  if (command.archivedOn > command.context.today) throw rule('date_in_future', `archivedOn ${command.archivedOn} is after today (${command.context.today})`);
  checkNotBefore(command.archivedOn, 'archivedOn', command.lastActivityOn, 'the last activity');
  return [{ type: 'ParcoursArchived', data: { archivedOn: command.archivedOn, lastActivityOn: command.lastActivityOn } }];
}

function erasePersonalData(command: ErasePersonalData, state: ParcoursState): ParcoursEvent[] {
  if (state.identity.status === 'erased') return [];
  checkDate(command.erasedOn, 'erasedOn');
  if (command.erasedOn > command.context.today) throw rule('date_in_future', `erasedOn ${command.erasedOn} is after today (${command.context.today})`);
  return [{ type: 'PersonalDataErased', data: { legalGround: command.legalGround, erasedOn: command.erasedOn } }];
}

// ---------------------------------------------------------------------------------------------
// Shared rules

function rule(code: ParcoursRuleErrorCode, message: string): ParcoursRuleError {
  return new ParcoursRuleError(code, message);
}

function checkDate(date: string, field: string): void {
  if (!isBusinessDate(date)) throw rule('invalid_date', `${field} must be a calendar date YYYY-MM-DD, got "${date}"`);
}

function checkNotBeforeEntry(state: ParcoursState, date: string, field: string): void {
  if (date < state.entryOn) throw rule('date_before_entry', `${field} ${date} is before the entry in the parcours (${state.entryOn})`);
}

/** A fact that happened: a valid date, not after today, not before the parcours began. */
function checkFactDate(command: ParcoursCommand, state: ParcoursState, date: string, field: string): void {
  checkDate(date, field);
  if (date > command.context.today) throw rule('date_in_future', `${field} ${date} is after today (${command.context.today})`);
  checkNotBeforeEntry(state, date, field);
}

function checkNotBefore(date: string, field: string, earliest: string, earliestName: string): void {
  if (date < earliest) throw rule('invalid_period', `${field} ${date} is before ${earliestName} (${earliest})`);
}

function checkPartnerActive(active: boolean, partnerId: string): void {
  if (!active) throw rule('partner_inactive', `partner ${partnerId} is not an active organisation`);
}

function checkWeeklyHours(hours: number, range: { min: number; max: number }, field: string): void {
  if (!Number.isFinite(hours) || hours < range.min || hours > range.max) {
    throw rule('invalid_weekly_hours', `${field} must be between ${range.min} and ${range.max}, got ${hours}`);
  }
}

/** The retry of a command already applied decides nothing; reusing its id for other content is refused. */
function unlessConflicting(recorded: object, requested: object, what: string): ParcoursEvent[] {
  if (recordedAs(recorded, requested)) return [];
  throw rule('id_already_used', `${what} is already recorded with different content`);
}

/**
 * Whether `recorded` (event data, or state built from it) holds every field of `requested` with the
 * same value. Fields the state adds later (an ending, a status) are not part of what was asked.
 */
function recordedAs(recorded: object, requested: object, ignoring: readonly string[] = []): boolean {
  return Object.entries(requested).every(
    ([key, value]) => ignoring.includes(key) || (Object.hasOwn(recorded, key) && sameData((recorded as Record<string, unknown>)[key], value)),
  );
}

/** Structural equality of event data (JSON values: no dates, maps or undefined in them). */
function sameData(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const aKeys = Object.keys(a);
  const bKeys = Object.keys(b);
  if (aKeys.length !== bKeys.length) return false;
  return aKeys.every(
    (key) => Object.hasOwn(b, key) && sameData((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key]),
  );
}

function assertNever(command: never): never {
  throw new Error(`unknown parcours command ${JSON.stringify(command)}`);
}
