/**
 * The v1 event catalogue of a parcours (DESIGN §5). Type names and data shapes are the stored
 * contract: never rename a type or a field; a new shape gets a new schemaVersion and an upcaster.
 *
 * Conventions of the data:
 * - an absent value is `null`, never a missing key, so that stored JSON reads back identical and
 *   a retried command can be recognised by comparing data;
 * - business dates (`…On`) are `YYYY-MM-DD`; end dates (`endsOn`, `plannedEndOn`, `endedOn`) are
 *   the last day covered, so a one-day mission starts and ends on the same day;
 * - personal data and free text only ever appear as an `EncryptedValue`; reasons are coded.
 * The vocabularies are exported as arrays so that the HTTP edge validates against the same lists.
 */

/** Ciphertext produced by the privacy layer with the beneficiary's key; opaque to the domain. */
export interface EncryptedValue {
  ciphertext: string;
}

export const HOUSEHOLD_ROLES = ['demandeur', 'conjoint'] as const;
export type HouseholdRole = (typeof HOUSEHOLD_ROLES)[number];

/** Who sent the beneficiary into the SPIE. */
export const PARCOURS_SOURCES = ['caf', 'msa', 'france_travail', 'departement', 'other'] as const;
export type ParcoursSource = (typeof PARCOURS_SOURCES)[number];

/** Kept in events because the birth date is erased with the identity and statistics must survive. */
export const AGE_BANDS = ['under_26', '26_to_49', '50_and_over'] as const;
export type AgeBand = (typeof AGE_BANDS)[number];

/** The freins périphériques of the diagnostic. */
export const BARRIER_KINDS = [
  'mobility',
  'family',
  'health',
  'literacy',
  'housing',
  'finances',
  'administrative',
  'digital',
  'language',
] as const;
export type BarrierKind = (typeof BARRIER_KINDS)[number];

export const BARRIER_LEVELS = ['strong', 'medium', 'none'] as const;
export type BarrierLevel = (typeof BARRIER_LEVELS)[number];

/** Every barrier is assessed: "none" is an answer, a missing key would be an unasked question. */
export type Barriers = Record<BarrierKind, BarrierLevel>;

export const RECENT_ACTIVITIES = [
  'employed',
  'job_seeker_under_12_months',
  'job_seeker_12_to_24_months',
  'job_seeker_24_months_and_over',
  'in_training',
  'inactive',
  'never_worked',
] as const;
export type RecentActivity = (typeof RECENT_ACTIVITIES)[number];

/** French qualification levels (nomenclature 2019): below 3 (no CAP), CAP, bac, bac+2, bac+3 and more. */
export const QUALIFICATION_LEVELS = ['infra_3', '3', '4', '5', '6_plus'] as const;
export type QualificationLevel = (typeof QUALIFICATION_LEVELS)[number];

export const PARCOURS_TYPES = ['emploi', 'socio_professionnel', 'social'] as const;
export type ParcoursType = (typeof PARCOURS_TYPES)[number];

export const ORIENTATION_REASONS = [
  'diagnostic_outcome',
  'beneficiary_choice',
  // D. 262-65-2 CASF: without a decision in time, France Travail orients by default.
  'default_orientation',
  'multidisciplinary_team',
  'other',
] as const;
export type OrientationReason = (typeof ORIENTATION_REASONS)[number];

export const REORIENTATION_REASONS = [
  'situation_changed',
  'barriers_lifted',
  'new_barriers',
  'beneficiary_request',
  'periodic_review',
  'no_progress',
  'other',
] as const;
export type ReorientationReason = (typeof REORIENTATION_REASONS)[number];

export const REORIENTATION_REJECTION_REASONS = ['current_orientation_suitable', 'request_withdrawn', 'other'] as const;
export type ReorientationRejectionReason = (typeof REORIENTATION_REJECTION_REASONS)[number];

/** `handover` and `parcours_exited` are written by the decider itself, never chosen by a caller. */
export const REFERENT_RELEASE_REASONS = [
  'handover',
  'parcours_exited',
  'referent_unavailable',
  'referent_left_organisation',
  'beneficiary_request',
  'reorientation',
  'other',
] as const;
export type ReferentReleaseReason = (typeof REFERENT_RELEASE_REASONS)[number];

export const APPOINTMENT_KINDS = ['orientation', 'accompaniment', 'other'] as const;
export type AppointmentKind = (typeof APPOINTMENT_KINDS)[number];

export const APPOINTMENT_OUTCOMES = ['seen', 'no_show', 'excused', 'cancelled'] as const;
export type AppointmentOutcome = (typeof APPOINTMENT_OUTCOMES)[number];

export const CONTACT_CHANNELS = ['in_person', 'phone', 'email', 'sms', 'letter', 'video'] as const;
export type ContactChannel = (typeof CONTACT_CHANNELS)[number];

/** CE since 2025 (loi pour le plein emploi); CER, PPAE, CEJ and PACEA are the legacy contracts. */
export const ENGAGEMENT_CONTRACT_KINDS = ['CE', 'CER', 'PPAE', 'CEJ', 'PACEA'] as const;
export type EngagementContractKind = (typeof ENGAGEMENT_CONTRACT_KINDS)[number];

/**
 * Why the weekly activity hours of a contrat d'engagement are lowered or waived (loi 2023-1196:
 * at least 15 hours a week, "abaissée ou exclue" according to the person's situation; the
 * situations named in the debates and the décrets' summaries: health, disability, a single parent
 * without a childcare solution). `other` keeps the list closed without forcing a wrong code.
 */
export const ACTIVITY_HOURS_ADJUSTMENT_KINDS = ['reduced', 'exempted'] as const;
export type ActivityHoursAdjustmentKind = (typeof ACTIVITY_HOURS_ADJUSTMENT_KINDS)[number];

export const ACTIVITY_HOURS_ADJUSTMENT_REASONS = ['health', 'disability', 'single_parent_without_childcare', 'caregiver', 'employed_part_time', 'in_training', 'other'] as const;
export type ActivityHoursAdjustmentReason = (typeof ACTIVITY_HOURS_ADJUSTMENT_REASONS)[number];

/** `parcours_exited` is written by the decider when the parcours exits; `term_reached` also when a lapsed contract is renewed. */
export const ENGAGEMENT_CONTRACT_END_REASONS = [
  'term_reached',
  'replaced',
  'beneficiary_withdrawal',
  'obligations_breached',
  'reorientation',
  'parcours_exited',
  'other',
] as const;
export type EngagementContractEndReason = (typeof ENGAGEMENT_CONTRACT_END_REASONS)[number];

export const ACTION_KINDS = ['training', 'immersion_pmsmp', 'mobility_aid', 'childcare', 'health', 'housing', 'digital', 'other'] as const;
export type ActionKind = (typeof ACTION_KINDS)[number];

export const ACTION_STATUSES = ['started', 'completed', 'abandoned', 'cancelled'] as const;
export type ActionStatus = (typeof ACTION_STATUSES)[number];

export const EMPLOYMENT_CONTRACT_KINDS = ['PEC', 'CDDI', 'CDI_EBE', 'CDI', 'CDD', 'INTERIM', 'OTHER'] as const;
export type EmploymentContractKind = (typeof EMPLOYMENT_CONTRACT_KINDS)[number];

export const STRUCTURE_KINDS = ['ACI', 'EI', 'ETTI', 'AI', 'EBE', 'OTHER'] as const;
export type StructureKind = (typeof STRUCTURE_KINDS)[number];

/** The SIAE that hire in CDDI. */
export const SIAE_STRUCTURE_KINDS = ['ACI', 'EI', 'ETTI', 'AI'] as const satisfies readonly StructureKind[];

export const EMPLOYMENT_CONTRACT_END_REASONS = [
  'term_reached',
  'early_termination',
  'hired_permanent',
  'resignation',
  'dismissal',
  'trial_period_not_confirmed',
  'other',
] as const;
export type EmploymentContractEndReason = (typeof EMPLOYMENT_CONTRACT_END_REASONS)[number];

/** Grounds of a suspension-remobilisation (décret 2025-478). */
export const SUSPENSION_REASONS = [
  'engagement_contract_refused',
  'engagement_contract_obligations_breached',
  'appointment_missed',
  'other',
] as const;
export type SuspensionReason = (typeof SUSPENSION_REASONS)[number];

/**
 * How a suspension ended (schema version 2 of ParcoursResumed): `remobilised` when the person met
 * the obligations again before the end of the sanction (décret 2025-478: the suspension is lifted
 * and the amounts withheld are paid back), `term_reached` at the end of the period decided,
 * `other` otherwise. `null` on a resumption recorded before version 2.
 */
export const RESUMPTION_REASONS = ['remobilised', 'term_reached', 'other'] as const;
export type ResumptionReason = (typeof RESUMPTION_REASONS)[number];

/** IAE "sorties dynamiques" categories. */
export const EXIT_CATEGORIES = ['emploi_durable', 'emploi_transition', 'sortie_positive', 'autre'] as const;
export type ExitCategory = (typeof EXIT_CATEGORIES)[number];

/** Independent of the category on purpose: classifying an exit is the reporting team's call, not a rule. */
export const EXIT_REASONS = [
  'cdi',
  'cdd_6_months_or_more',
  'cdd_under_6_months',
  'interim',
  'subsidised_contract',
  'business_creation',
  'civil_service',
  'qualifying_training',
  'other_siae_hire',
  'rsa_rights_closed',
  'moved_out_of_territory',
  'retirement',
  'no_longer_reachable',
  'other',
] as const;
export type ExitReason = (typeof EXIT_REASONS)[number];

export const REOPEN_REASONS = ['rsa_rights_reopened', 'employment_ended', 'exit_recorded_in_error', 'beneficiary_request', 'other'] as const;
export type ReopenReason = (typeof REOPEN_REASONS)[number];

export const ERASURE_LEGAL_GROUNDS = [
  // R. 263-8 CASF: 2 years active after the last contact, then 2 years archived.
  'retention_period_elapsed',
  'erasure_request_granted',
  'recorded_in_error',
  'other',
] as const;
export type ErasureLegalGround = (typeof ERASURE_LEGAL_GROUNDS)[number];

/** The fields of an identity, named (never valued) in a rectification. */
export const IDENTITY_FIELDS = ['firstName', 'lastName', 'birthDate', 'nir', 'allocataire', 'address', 'phone', 'email'] as const;
export type IdentityField = (typeof IDENTITY_FIELDS)[number];

/**
 * The rights of the person that limit processing (RGPD): `restriction` (art. 18: the data are kept
 * but no longer shared or added to) and `opposition` (art. 21, once granted: the record is shared
 * only with the organisations in charge of the accompaniment).
 */
export const PROCESSING_RIGHTS = ['restriction', 'opposition'] as const;
export type ProcessingRight = (typeof PROCESSING_RIGHTS)[number];

export const PROCESSING_RESTRICTION_GROUNDS = [
  // art. 18.1 (a) to (d)
  'accuracy_contested',
  'unlawful_processing_erasure_opposed',
  'needed_for_legal_claims',
  'objection_pending',
  // art. 21.1
  'particular_situation',
  'other',
] as const;
export type ProcessingRestrictionGround = (typeof PROCESSING_RESTRICTION_GROUNDS)[number];

// ---------------------------------------------------------------------------------------------
// Event data

export interface ParcoursOpenedData {
  parcoursId: string;
  /** Name, birth date, NIR, contact details: encrypted with the beneficiary's key before decide. */
  identity: EncryptedValue;
  householdRole: HouseholdRole;
  rsaSocle: boolean;
  entryOn: string;
  /** SIREN of the EPCI (9 digits). */
  territory: string;
  source: ParcoursSource;
  ageBandAtEntry: AgeBand;
  /**
   * The registration with France Travail when it is automatic: from 1 January 2025 every RSA
   * applicant is registered on entry (loi 2023-1196), so the day is the entry; `null` for a
   * parcours opened before 2025, whose registration is a `FranceTravailRegistered` event if any.
   * Schema version 2; a version 1 event reads with the value the law gives it (upcasters.ts).
   */
  franceTravailRegisteredOn: string | null;
}

/** A registration with France Travail recorded after the opening (a parcours opened before 2025). */
export interface FranceTravailRegisteredData {
  registeredOn: string;
}

export interface DiagnosticRecordedData {
  barriers: Barriers;
  recentActivity: RecentActivity;
  qualificationLevel: QualificationLevel;
  diagnosedOn: string;
}

export interface OrientationDecidedData {
  parcoursType: ParcoursType;
  organismeReferentId: string;
  /** The user who took the decision, who may not be the one recording it. */
  decidedBy: string;
  reason: OrientationReason;
  decidedOn: string;
  /** When the beneficiary was notified; starts the engagement contract deadline (R2). */
  notifiedOn: string | null;
}

export interface ReorientationRequestedData {
  requestedBy: string;
  reason: ReorientationReason;
  requestedOn: string;
  proposedParcoursType: ParcoursType | null;
}

export type ReorientationDecidedData =
  | {
      accepted: true;
      parcoursType: ParcoursType;
      organismeReferentId: string;
      decidedBy: string;
      decidedOn: string;
    }
  | {
      accepted: false;
      rejectionReason: ReorientationRejectionReason;
      decidedBy: string;
      decidedOn: string;
    };

export interface ReferentAssignedData {
  referentUserId: string;
  partnerId: string;
  assignedOn: string;
}

export interface ReferentReleasedData {
  referentUserId: string;
  partnerId: string;
  reason: ReferentReleaseReason;
  releasedOn: string;
}

export interface FollowUpMemberJoinedData {
  partnerId: string;
  joinedOn: string;
}

export interface FollowUpMemberLeftData {
  partnerId: string;
  leftOn: string;
}

export interface AppointmentRecordedData {
  appointmentId: string;
  kind: AppointmentKind;
  scheduledOn: string;
  outcome: AppointmentOutcome;
  /** The organisation that held (or was to hold) the appointment. */
  partnerId: string;
}

export interface ContactRecordedData {
  contactId: string;
  channel: ContactChannel;
  contactedOn: string;
  partnerId: string;
  /**
   * What was said, as the caseworker wrote it: free text, hence personal data, encrypted with the
   * beneficiary's key (schema version 2; version 1 had no note and reads as `null`).
   */
  note: EncryptedValue | null;
}

export interface EngagementContractSignedData {
  contractId: string;
  kind: EngagementContractKind;
  signedOn: string;
  startsOn: string;
  endsOn: string;
  weeklyActivityHours: number;
  /**
   * A contrat d'engagement below the 15 hours a week states why (schema version 2; `null` on
   * version 1 and on the 2021 contracts, which had no activity duty). Continuity rule R11 flags a
   * contrat d'engagement below the policy's minimum without one.
   */
  activityHoursAdjustment: { kind: ActivityHoursAdjustmentKind; reason: ActivityHoursAdjustmentReason } | null;
}

export interface EngagementContractEndedData {
  contractId: string;
  endedOn: string;
  reason: EngagementContractEndReason;
}

export interface ActionPrescribedData {
  actionId: string;
  kind: ActionKind;
  prescribedOn: string;
  providerPartnerId: string | null;
}

export interface ActionStatusChangedData {
  actionId: string;
  status: ActionStatus;
  changedOn: string;
}

export interface EmploymentContractStartedData {
  contractId: string;
  kind: EmploymentContractKind;
  /** Exactly one of the employer partner and the employer's SIRET is set. */
  employerPartnerId: string | null;
  employerSiret: string | null;
  structureKind: StructureKind | null;
  weeklyHours: number;
  startsOn: string;
  plannedEndOn: string | null;
  /** Decides the CAOM PEC envelope (jeunes / hors jeunes); kept because the birth date is erasable. */
  beneficiaryUnder26AtStart: boolean;
  /** CAOM co-funding depends on RSA socle at the start, not on the beneficiary's later situation. */
  rsaSocleAtStart: boolean;
}

export interface EmploymentContractEndedData {
  contractId: string;
  endedOn: string;
  reason: EmploymentContractEndReason;
}

export interface ParcoursSuspendedData {
  reason: SuspensionReason;
  suspendedOn: string;
  /**
   * The share of the allowance withheld, 0.3 to 1 (décret n° 2025-478 du 30 mai 2025: a suspension
   * of at least 30 %, one to two months, up to four on repetition), for a suspension-remobilisation
   * from 1 June 2025; `null` before (the earlier suspension of L. 262-37 CASF) and on version 1.
   */
  withheldShare: number | null;
  /**
   * The last day of the sanction as decided (one to two months, up to four on a repeated breach:
   * décret n° 2025-478), for a suspension-remobilisation; `null` before 1 June 2025 and on version 1.
   * The suspension ends with ParcoursResumed: `remobilised` before this day, `term_reached` after it.
   */
  plannedEndOn: string | null;
}

export interface ParcoursResumedData {
  resumedOn: string;
  /** Schema version 2; `null` on version 1. */
  reason: ResumptionReason | null;
}

export interface ParcoursExitedData {
  category: ExitCategory;
  reason: ExitReason;
  exitedOn: string;
}

export interface ParcoursReopenedData {
  reason: ReopenReason;
  reopenedOn: string;
}

/** The RSA rights of the person, as the CAF or MSA monthly file states them, changed. */
export const RSA_RIGHTS = ['socle', 'socle_majore', 'non_socle'] as const;
export type RsaRights = (typeof RSA_RIGHTS)[number];

export interface RsaRightsRecordedData {
  /** `socle_majore`: the RSA socle with the majoration for isolated parents; `non_socle`: no RSA socle any more. */
  rights: RsaRights;
  rsaSocle: boolean;
  /** The date the file gives for the rights. */
  rightsOn: string;
  source: ParcoursSource;
}

/** Corrected identity fields (RGPD art. 16): the whole identity again, encrypted under the same key. */
export interface IdentityRectifiedData {
  identity: EncryptedValue;
  /** Which fields changed; their values only in `identity`. */
  fields: IdentityField[];
  /** Recomputed from the corrected birth date, so that statistics follow the correction. */
  ageBandAtEntry: AgeBand;
  rectifiedOn: string;
}

/** R. 263-8 CASF: two years without activity move the parcours to the intermediate archive. */
export interface ParcoursArchivedData {
  archivedOn: string;
  /** The last day a caseworker recorded something on the parcours: where the retention clock started. */
  lastActivityOn: string;
}

export interface ProcessingRestrictedData {
  right: ProcessingRight;
  ground: ProcessingRestrictionGround;
  restrictedOn: string;
}

export interface ProcessingRestrictionLiftedData {
  right: ProcessingRight;
  liftedOn: string;
}

/** Written once the beneficiary's key is destroyed; carries no personal data by construction. */
export interface PersonalDataErasedData {
  legalGround: ErasureLegalGround;
  erasedOn: string;
}

// ---------------------------------------------------------------------------------------------
// Events

export interface ParcoursOpened {
  type: 'ParcoursOpened';
  data: ParcoursOpenedData;
}
export interface FranceTravailRegistered {
  type: 'FranceTravailRegistered';
  data: FranceTravailRegisteredData;
}
export interface DiagnosticRecorded {
  type: 'DiagnosticRecorded';
  data: DiagnosticRecordedData;
}
export interface OrientationDecided {
  type: 'OrientationDecided';
  data: OrientationDecidedData;
}
export interface ReorientationRequested {
  type: 'ReorientationRequested';
  data: ReorientationRequestedData;
}
export interface ReorientationDecided {
  type: 'ReorientationDecided';
  data: ReorientationDecidedData;
}
export interface ReferentAssigned {
  type: 'ReferentAssigned';
  data: ReferentAssignedData;
}
export interface ReferentReleased {
  type: 'ReferentReleased';
  data: ReferentReleasedData;
}
export interface FollowUpMemberJoined {
  type: 'FollowUpMemberJoined';
  data: FollowUpMemberJoinedData;
}
export interface FollowUpMemberLeft {
  type: 'FollowUpMemberLeft';
  data: FollowUpMemberLeftData;
}
export interface AppointmentRecorded {
  type: 'AppointmentRecorded';
  data: AppointmentRecordedData;
}
export interface ContactRecorded {
  type: 'ContactRecorded';
  data: ContactRecordedData;
}
export interface EngagementContractSigned {
  type: 'EngagementContractSigned';
  data: EngagementContractSignedData;
}
export interface EngagementContractEnded {
  type: 'EngagementContractEnded';
  data: EngagementContractEndedData;
}
export interface ActionPrescribed {
  type: 'ActionPrescribed';
  data: ActionPrescribedData;
}
export interface ActionStatusChanged {
  type: 'ActionStatusChanged';
  data: ActionStatusChangedData;
}
export interface EmploymentContractStarted {
  type: 'EmploymentContractStarted';
  data: EmploymentContractStartedData;
}
export interface EmploymentContractEnded {
  type: 'EmploymentContractEnded';
  data: EmploymentContractEndedData;
}
export interface ParcoursSuspended {
  type: 'ParcoursSuspended';
  data: ParcoursSuspendedData;
}
export interface ParcoursResumed {
  type: 'ParcoursResumed';
  data: ParcoursResumedData;
}
export interface ParcoursExited {
  type: 'ParcoursExited';
  data: ParcoursExitedData;
}
export interface ParcoursReopened {
  type: 'ParcoursReopened';
  data: ParcoursReopenedData;
}
export interface RsaRightsRecorded {
  type: 'RsaRightsRecorded';
  data: RsaRightsRecordedData;
}
export interface PersonalDataErased {
  type: 'PersonalDataErased';
  data: PersonalDataErasedData;
}
export interface IdentityRectified {
  type: 'IdentityRectified';
  data: IdentityRectifiedData;
}
export interface ParcoursArchived {
  type: 'ParcoursArchived';
  data: ParcoursArchivedData;
}
export interface ProcessingRestricted {
  type: 'ProcessingRestricted';
  data: ProcessingRestrictedData;
}
export interface ProcessingRestrictionLifted {
  type: 'ProcessingRestrictionLifted';
  data: ProcessingRestrictionLiftedData;
}

export type ParcoursEvent =
  | ParcoursOpened
  | FranceTravailRegistered
  | DiagnosticRecorded
  | OrientationDecided
  | ReorientationRequested
  | ReorientationDecided
  | ReferentAssigned
  | ReferentReleased
  | FollowUpMemberJoined
  | FollowUpMemberLeft
  | AppointmentRecorded
  | ContactRecorded
  | EngagementContractSigned
  | EngagementContractEnded
  | ActionPrescribed
  | ActionStatusChanged
  | EmploymentContractStarted
  | EmploymentContractEnded
  | ParcoursSuspended
  | ParcoursResumed
  | ParcoursExited
  | ParcoursReopened
  | PersonalDataErased
  | IdentityRectified
  | ParcoursArchived
  | ProcessingRestricted
  | ProcessingRestrictionLifted
  | RsaRightsRecorded;

export type ParcoursEventType = ParcoursEvent['type'];

// A record keyed by the union makes the compiler reject a missing or an unknown type name.
const EVENT_TYPES: Record<ParcoursEventType, true> = {
  ParcoursOpened: true,
  FranceTravailRegistered: true,
  DiagnosticRecorded: true,
  OrientationDecided: true,
  ReorientationRequested: true,
  ReorientationDecided: true,
  ReferentAssigned: true,
  ReferentReleased: true,
  FollowUpMemberJoined: true,
  FollowUpMemberLeft: true,
  AppointmentRecorded: true,
  ContactRecorded: true,
  EngagementContractSigned: true,
  EngagementContractEnded: true,
  ActionPrescribed: true,
  ActionStatusChanged: true,
  EmploymentContractStarted: true,
  EmploymentContractEnded: true,
  ParcoursSuspended: true,
  ParcoursResumed: true,
  ParcoursExited: true,
  ParcoursReopened: true,
  PersonalDataErased: true,
  IdentityRectified: true,
  ParcoursArchived: true,
  ProcessingRestricted: true,
  ProcessingRestrictionLifted: true,
  RsaRightsRecorded: true,
};

export const PARCOURS_EVENT_TYPES: readonly ParcoursEventType[] = Object.freeze(Object.keys(EVENT_TYPES) as ParcoursEventType[]);

/** For readers of stored events, whose `type` is a plain string. */
export function isParcoursEventType(type: string): type is ParcoursEventType {
  return Object.hasOwn(EVENT_TYPES, type);
}

