/**
 * Test fixtures of the parcours domain, shared by the decider and evolve specs: event builders with
 * plausible defaults, and past streams named after the state they leave a parcours in.
 * The calendar: entry on 2026-01-05, "today" is 2026-03-20.
 */
import type {
  ActionPrescribed,
  ActionPrescribedData,
  ActionStatusChanged,
  ActionStatusChangedData,
  AppointmentRecorded,
  AppointmentRecordedData,
  ContactRecorded,
  ContactRecordedData,
  DiagnosticRecorded,
  DiagnosticRecordedData,
  EmploymentContractEnded,
  EmploymentContractEndedData,
  EmploymentContractStarted,
  EmploymentContractStartedData,
  EngagementContractEnded,
  EngagementContractEndedData,
  EngagementContractSigned,
  EngagementContractSignedData,
  FollowUpMemberJoined,
  FollowUpMemberLeft,
  OrientationDecided,
  OrientationDecidedData,
  ParcoursEvent,
  ParcoursExited,
  ParcoursExitedData,
  ParcoursOpened,
  ParcoursOpenedData,
  ParcoursReopened,
  ParcoursReopenedData,
  FranceTravailRegistered,
  ParcoursResumed,
  ParcoursResumedData,
  ParcoursSuspended,
  ParcoursSuspendedData,
  PersonalDataErased,
  PersonalDataErasedData,
  ReferentAssigned,
  ReferentReleased,
  ReferentReleasedData,
  ReorientationDecided,
  ReorientationRequested,
  ReorientationRequestedData,
  IdentityRectified,
  IdentityRectifiedData,
  ParcoursArchived,
  ParcoursArchivedData,
  ProcessingRestricted,
  ProcessingRestrictedData,
  ProcessingRestrictionLifted,
  ProcessingRestrictionLiftedData,
} from './events.js';
import { latestSanctionEnd, registeredAutomatically, SUSPENSION_REMOBILISATION_FROM } from './regimes.js';

export const TODAY = '2026-03-20';
export const ENTRY_ON = '2026-01-05';
export const PARCOURS_ID = '3f6c2a9e-8d41-4b7a-9e0c-5a1d7b2c4e86';
/** An EPCI of the Thiers experimentation, from the territory reference. */
export const EPCI = 'cc-thiers-dore-et-montagne';

// Partner organisations.
export const CONSEIL_DEPARTEMENTAL = '0b9e4f1a-2c3d-4e5f-8a7b-1c2d3e4f5a6b';
export const FRANCE_TRAVAIL_THIERS = '5d8a1c3e-7f20-4b6d-a9e8-3c4b5d6e7f80';
export const ACI_JARDINS = '9a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d';
export const MISSION_LOCALE = 'c1d2e3f4-a5b6-4c7d-8e9f-0a1b2c3d4e5f';

// Caseworkers.
export const CLAIRE_AT_CD = 'e7f8a9b0-c1d2-4e3f-a4b5-c6d7e8f9a0b1';
export const KARIM_AT_FRANCE_TRAVAIL = 'f1e2d3c4-b5a6-4978-8695-a4b3c2d1e0f9';
export const COORDINATOR = 'a0b1c2d3-e4f5-4a6b-8c7d-e8f9a0b1c2d3';

export const ENGAGEMENT_CONTRACT_ID = '4c5d6e7f-8091-4a2b-bc3d-4e5f60718293';
export const EMPLOYMENT_CONTRACT_ID = '6e7f8091-a2b3-4c4d-9e5f-60718293a4b5';
export const ACTION_ID = '8091a2b3-c4d5-4e6f-8071-8293a4b5c6d7';
export const APPOINTMENT_ID = 'a2b3c4d5-e6f7-4809-9a1b-2c3d4e5f6071';
export const CONTACT_ID = 'b3c4d5e6-f708-4192-a3b4-c5d6e7f80912';

// ---------------------------------------------------------------------------------------------
// Events

export function opened(data: Partial<ParcoursOpenedData> = {}): ParcoursOpened {
  const entryOn = data.entryOn ?? ENTRY_ON;
  return {
    type: 'ParcoursOpened',
    data: {
      // As the decider writes it: automatic from 2025 (regimes.ts).
      franceTravailRegisteredOn: registeredAutomatically(entryOn) ? entryOn : null,
      parcoursId: PARCOURS_ID,
      identity: { ciphertext: 'v1.gcm.AAECAwQFBgcICQoL.c2VjcmV0LWlkZW50aXR5' },
      householdRole: 'demandeur',
      rsaSocle: true,
      entryOn: ENTRY_ON,
      territory: EPCI,
      source: 'caf',
      ageBandAtEntry: '26_to_49',
      ...data,
    },
  };
}

export function diagnosed(data: Partial<DiagnosticRecordedData> = {}): DiagnosticRecorded {
  return {
    type: 'DiagnosticRecorded',
    data: {
      barriers: {
        mobility: 'strong',
        family: 'none',
        health: 'medium',
        literacy: 'none',
        housing: 'none',
        finances: 'medium',
        administrative: 'none',
        digital: 'strong',
        language: 'none',
      },
      recentActivity: 'job_seeker_24_months_and_over',
      qualificationLevel: '3',
      diagnosedOn: '2026-01-20',
      ...data,
    },
  };
}

export function oriented(data: Partial<OrientationDecidedData> = {}): OrientationDecided {
  return {
    type: 'OrientationDecided',
    data: {
      parcoursType: 'socio_professionnel',
      organismeReferentId: CONSEIL_DEPARTEMENTAL,
      decidedBy: COORDINATOR,
      reason: 'diagnostic_outcome',
      decidedOn: '2026-02-08',
      notifiedOn: '2026-02-10',
      ...data,
    },
  };
}

export function reorientationRequested(data: Partial<ReorientationRequestedData> = {}): ReorientationRequested {
  return {
    type: 'ReorientationRequested',
    data: { requestedBy: CLAIRE_AT_CD, reason: 'barriers_lifted', requestedOn: '2026-03-10', proposedParcoursType: 'emploi', ...data },
  };
}

export function reorientationAccepted(
  data: Partial<{ parcoursType: 'emploi' | 'socio_professionnel' | 'social'; organismeReferentId: string; decidedBy: string; decidedOn: string }> = {},
): ReorientationDecided {
  return {
    type: 'ReorientationDecided',
    data: {
      accepted: true,
      parcoursType: 'emploi',
      organismeReferentId: FRANCE_TRAVAIL_THIERS,
      decidedBy: COORDINATOR,
      decidedOn: '2026-03-12',
      ...data,
    },
  };
}

export function reorientationRejected(decidedOn = '2026-03-12'): ReorientationDecided {
  return {
    type: 'ReorientationDecided',
    data: { accepted: false, rejectionReason: 'current_orientation_suitable', decidedBy: COORDINATOR, decidedOn },
  };
}

export function referentAssigned(referentUserId = CLAIRE_AT_CD, partnerId = CONSEIL_DEPARTEMENTAL, assignedOn = '2026-02-12'): ReferentAssigned {
  return { type: 'ReferentAssigned', data: { referentUserId, partnerId, assignedOn } };
}

export function referentReleased(data: Partial<ReferentReleasedData> = {}): ReferentReleased {
  return {
    type: 'ReferentReleased',
    data: { referentUserId: CLAIRE_AT_CD, partnerId: CONSEIL_DEPARTEMENTAL, reason: 'referent_unavailable', releasedOn: '2026-03-01', ...data },
  };
}

export function joined(partnerId: string, joinedOn = '2026-02-08'): FollowUpMemberJoined {
  return { type: 'FollowUpMemberJoined', data: { partnerId, joinedOn } };
}

export function left(partnerId: string, leftOn = '2026-03-01'): FollowUpMemberLeft {
  return { type: 'FollowUpMemberLeft', data: { partnerId, leftOn } };
}

export function appointmentRecorded(data: Partial<AppointmentRecordedData> = {}): AppointmentRecorded {
  return {
    type: 'AppointmentRecorded',
    data: { appointmentId: APPOINTMENT_ID, kind: 'accompaniment', scheduledOn: '2026-02-17', outcome: 'seen', partnerId: CONSEIL_DEPARTEMENTAL, ...data },
  };
}

export function contactRecorded(data: Partial<ContactRecordedData> = {}): ContactRecorded {
  return {
    type: 'ContactRecorded',
    data: { contactId: CONTACT_ID, channel: 'phone', contactedOn: '2026-03-02', partnerId: CONSEIL_DEPARTEMENTAL, note: null, ...data },
  };
}

export function engagementContractSigned(data: Partial<EngagementContractSignedData> = {}): EngagementContractSigned {
  return {
    type: 'EngagementContractSigned',
    data: {
      contractId: ENGAGEMENT_CONTRACT_ID,
      // Signed in 2026: a contrat d'engagement, the only kind of the plein-emploi law (regimes.ts).
      kind: 'CE',
      signedOn: '2026-02-20',
      startsOn: '2026-02-20',
      endsOn: '2026-08-19',
      weeklyActivityHours: 15,
      activityHoursAdjustment: null,
      ...data,
    },
  };
}

export function engagementContractEnded(data: Partial<EngagementContractEndedData> = {}): EngagementContractEnded {
  return { type: 'EngagementContractEnded', data: { contractId: ENGAGEMENT_CONTRACT_ID, endedOn: '2026-03-10', reason: 'replaced', ...data } };
}

export function actionPrescribed(data: Partial<ActionPrescribedData> = {}): ActionPrescribed {
  return {
    type: 'ActionPrescribed',
    data: { actionId: ACTION_ID, kind: 'mobility_aid', prescribedOn: '2026-02-25', providerPartnerId: null, ...data },
  };
}

export function actionStatusChanged(data: Partial<ActionStatusChangedData> = {}): ActionStatusChanged {
  return { type: 'ActionStatusChanged', data: { actionId: ACTION_ID, status: 'started', changedOn: '2026-03-02', ...data } };
}

export function employmentContractStarted(data: Partial<EmploymentContractStartedData> = {}): EmploymentContractStarted {
  return {
    type: 'EmploymentContractStarted',
    data: {
      contractId: EMPLOYMENT_CONTRACT_ID,
      kind: 'CDDI',
      employerPartnerId: ACI_JARDINS,
      employerSiret: null,
      structureKind: 'ACI',
      weeklyHours: 26,
      startsOn: '2026-03-02',
      plannedEndOn: '2026-08-31',
      beneficiaryUnder26AtStart: false,
      rsaSocleAtStart: true,
      ...data,
    },
  };
}

export function employmentContractEnded(data: Partial<EmploymentContractEndedData> = {}): EmploymentContractEnded {
  return { type: 'EmploymentContractEnded', data: { contractId: EMPLOYMENT_CONTRACT_ID, endedOn: '2026-03-16', reason: 'early_termination', ...data } };
}

export function suspended(data: Partial<ParcoursSuspendedData> = {}): ParcoursSuspended {
  const suspendedOn = data.suspendedOn ?? '2026-03-05';
  // A suspension-remobilisation from 1 June 2025 states its share (décret 2025-478); none before.
  const remobilisation = suspendedOn >= SUSPENSION_REMOBILISATION_FROM;
  const withheldShare = remobilisation ? 0.3 : null;
  const plannedEndOn = remobilisation ? latestSanctionEnd(suspendedOn) : null;
  return { type: 'ParcoursSuspended', data: { reason: 'engagement_contract_refused', suspendedOn, withheldShare, plannedEndOn, ...data } };
}

export function resumed(resumedOn = '2026-03-16', reason: ParcoursResumedData['reason'] = null): ParcoursResumed {
  return { type: 'ParcoursResumed', data: { resumedOn, reason } };
}

export function franceTravailRegistered(registeredOn = '2025-01-06'): FranceTravailRegistered {
  return { type: 'FranceTravailRegistered', data: { registeredOn } };
}

export function exited(data: Partial<ParcoursExitedData> = {}): ParcoursExited {
  return { type: 'ParcoursExited', data: { category: 'emploi_durable', reason: 'cdi', exitedOn: '2026-03-15', ...data } };
}

export function reopened(data: Partial<ParcoursReopenedData> = {}): ParcoursReopened {
  return { type: 'ParcoursReopened', data: { reason: 'employment_ended', reopenedOn: '2026-03-18', ...data } };
}

export function personalDataErased(data: Partial<PersonalDataErasedData> = {}): PersonalDataErased {
  return { type: 'PersonalDataErased', data: { legalGround: 'erasure_request_granted', erasedOn: '2026-03-19', ...data } };
}

export function identityRectified(data: Partial<IdentityRectifiedData> = {}): IdentityRectified {
  return {
    type: 'IdentityRectified',
    data: { identity: { ciphertext: 'v1.rectified.identity' }, fields: ['lastName'], ageBandAtEntry: '26_to_49', rectifiedOn: '2026-03-10', ...data },
  };
}

export function archived(data: Partial<ParcoursArchivedData> = {}): ParcoursArchived {
  return { type: 'ParcoursArchived', data: { archivedOn: '2028-03-03', lastActivityOn: '2026-03-02', ...data } };
}

export function processingRestricted(data: Partial<ProcessingRestrictedData> = {}): ProcessingRestricted {
  return { type: 'ProcessingRestricted', data: { right: 'restriction', ground: 'accuracy_contested', restrictedOn: '2026-03-05', ...data } };
}

export function processingRestrictionLifted(data: Partial<ProcessingRestrictionLiftedData> = {}): ProcessingRestrictionLifted {
  return { type: 'ProcessingRestrictionLifted', data: { right: 'restriction', liftedOn: '2026-03-12', ...data } };
}

// ---------------------------------------------------------------------------------------------
// Past streams, named after the state they leave

export const anOpenParcours: readonly ParcoursEvent[] = [opened()];

/** Oriented on 2026-02-08 towards the Conseil départemental, which joined the follow-up group then. */
export const aParcoursOrientedTowardsSocioProfessionnel40DaysAgo: readonly ParcoursEvent[] = [
  ...anOpenParcours,
  diagnosed(),
  oriented(),
  joined(CONSEIL_DEPARTEMENTAL),
];

export const aParcoursFollowedByClaire: readonly ParcoursEvent[] = [...aParcoursOrientedTowardsSocioProfessionnel40DaysAgo, referentAssigned()];

/** A CER from 2026-02-20 to 2026-08-19, 15 h of activity a week. */
export const aParcoursWithACerRunning: readonly ParcoursEvent[] = [...aParcoursFollowedByClaire, engagementContractSigned()];

/** A CER that reached its term on 2026-03-01 and was never closed. */
export const aParcoursWithACerPastItsTerm: readonly ParcoursEvent[] = [
  ...aParcoursFollowedByClaire,
  engagementContractSigned({ startsOn: '2026-01-15', signedOn: '2026-01-15', endsOn: '2026-03-01' }),
];

/** A CDDI in an ACI since 2026-03-02, planned until 2026-08-31. */
export const aParcoursWithACddiRunning: readonly ParcoursEvent[] = [...aParcoursFollowedByClaire, employmentContractStarted()];

export const aParcoursWithAMobilityAidPrescribed: readonly ParcoursEvent[] = [...aParcoursFollowedByClaire, actionPrescribed()];

export const aParcoursWithAReorientationTowardsEmploiRequested: readonly ParcoursEvent[] = [
  ...aParcoursFollowedByClaire,
  reorientationRequested(),
];

export const aParcoursSuspendedSince5March: readonly ParcoursEvent[] = [...aParcoursFollowedByClaire, suspended()];

/** Exited on 2026-03-15 to a CDI; Claire was released and the CER ended that day. */
export const aParcoursExitedOn15March: readonly ParcoursEvent[] = [
  ...aParcoursWithACerRunning,
  referentReleased({ reason: 'parcours_exited', releasedOn: '2026-03-15' }),
  engagementContractEnded({ endedOn: '2026-03-15', reason: 'parcours_exited' }),
  exited(),
];

export const aParcoursWhosePersonalDataWereErased: readonly ParcoursEvent[] = [...aParcoursFollowedByClaire, personalDataErased()];
