import type {
  ActivityHoursAdjustmentKind,
  ActivityHoursAdjustmentReason,
  ResumptionReason,
  ActionKind,
  ActionStatus,
  AgeBand,
  AppointmentKind,
  AppointmentOutcome,
  Barriers,
  ContactChannel,
  EmploymentContractEndReason,
  EmploymentContractKind,
  EncryptedValue,
  EngagementContractEndReason,
  EngagementContractKind,
  ErasureLegalGround,
  ExitCategory,
  ExitReason,
  HouseholdRole,
  IdentityField,
  OrientationReason,
  ParcoursSource,
  ParcoursType,
  ProcessingRestrictionGround,
  ProcessingRight,
  QualificationLevel,
  RecentActivity,
  ReferentReleaseReason,
  ReopenReason,
  ReorientationReason,
  ReorientationRejectionReason,
  RsaRights,
  StructureKind,
  SuspensionReason,
} from './events.js';

/**
 * Commands of the parcours decider: one per use case. Everything the decision needs from outside
 * the stream — today's date, the actor, facts about partners and people looked up by the
 * application layer — travels in the command, so `decide` stays pure and replayable.
 * Optional inputs may be omitted here; the events always spell them out as `null`.
 */

export interface CommandActor {
  userId?: string;
  apiKeyId?: string;
  partnerId: string;
  role: string;
}

export interface CommandContext {
  /** Today's business date in Europe/Paris (`YYYY-MM-DD`): no fact may be dated after it. */
  today: string;
  /**
   * Goes to the events' metadata; the decider grants nothing on its basis (who may reach the
   * parcours is settled before), it only lets a record name the actor's own organisation.
   */
  actor: CommandActor;
}

/** A partner organisation as the partners directory knows it when the command is handled. */
export interface PartnerFact {
  partnerId: string;
  active: boolean;
}

/** A caseworker as the partners directory knows them: membership roles within `partnerId`. */
export interface ReferentFact {
  userId: string;
  partnerId: string;
  roles: readonly string[];
  partnerActive: boolean;
}

/** The membership role that makes a caseworker eligible as référent unique. */
export const REFERENT_ROLE = 'referent';

/** Release reasons a caller may give; the others are the decider's own. */
export type ManualReferentReleaseReason = Exclude<ReferentReleaseReason, 'handover' | 'parcours_exited'>;
export const MANUAL_REFERENT_RELEASE_REASONS = [
  'referent_unavailable',
  'referent_left_organisation',
  'beneficiary_request',
  'reorientation',
  'other',
] as const satisfies readonly ManualReferentReleaseReason[];

export type ManualEngagementContractEndReason = Exclude<EngagementContractEndReason, 'parcours_exited'>;
export const MANUAL_ENGAGEMENT_CONTRACT_END_REASONS = [
  'term_reached',
  'replaced',
  'beneficiary_withdrawal',
  'obligations_breached',
  'reorientation',
  'other',
] as const satisfies readonly ManualEngagementContractEndReason[];

interface CommandBase {
  /** Names the stream (`parcours-<parcoursId>`) the handler loads before deciding. */
  parcoursId: string;
  context: CommandContext;
}

export interface OpenParcours extends CommandBase {
  type: 'OpenParcours';
  identity: EncryptedValue;
  householdRole: HouseholdRole;
  rsaSocle: boolean;
  entryOn: string;
  territory: string;
  source: ParcoursSource;
  /** Computed by the application layer from the decrypted birth date and `entryOn` (see age.ts). */
  ageBandAtEntry: AgeBand;
  /** The RSA rights as a CAF/MSA file states them (intake), when they say more than `rsaSocle` (socle majoré). */
  rsaRights?: RsaRights;
}

/** The registration with France Travail of a parcours opened before 2025 (from 2025 it is automatic at opening). */
export interface RecordFranceTravailRegistration extends CommandBase {
  type: 'RecordFranceTravailRegistration';
  registeredOn: string;
}

export interface RecordDiagnostic extends CommandBase {
  type: 'RecordDiagnostic';
  barriers: Barriers;
  recentActivity: RecentActivity;
  qualificationLevel: QualificationLevel;
  diagnosedOn: string;
}

export interface DecideOrientation extends CommandBase {
  type: 'DecideOrientation';
  parcoursType: ParcoursType;
  organismeReferent: PartnerFact;
  decidedBy: string;
  reason: OrientationReason;
  decidedOn: string;
  notifiedOn?: string | null;
}

export interface RequestReorientation extends CommandBase {
  type: 'RequestReorientation';
  requestedBy: string;
  reason: ReorientationReason;
  requestedOn: string;
  proposedParcoursType?: ParcoursType | null;
}

export type DecideReorientation = CommandBase & {
  type: 'DecideReorientation';
  decidedBy: string;
  decidedOn: string;
} & (
    | { accepted: true; parcoursType: ParcoursType; organismeReferent: PartnerFact }
    | { accepted: false; rejectionReason: ReorientationRejectionReason }
  );

export interface AssignReferent extends CommandBase {
  type: 'AssignReferent';
  referent: ReferentFact;
  assignedOn: string;
}

export interface ReleaseReferent extends CommandBase {
  type: 'ReleaseReferent';
  reason: ManualReferentReleaseReason;
  releasedOn: string;
}

export interface JoinFollowUpGroup extends CommandBase {
  type: 'JoinFollowUpGroup';
  partner: PartnerFact;
  joinedOn: string;
}

export interface LeaveFollowUpGroup extends CommandBase {
  type: 'LeaveFollowUpGroup';
  partnerId: string;
  leftOn: string;
}

export interface RecordAppointment extends CommandBase {
  type: 'RecordAppointment';
  appointmentId: string;
  kind: AppointmentKind;
  scheduledOn: string;
  outcome: AppointmentOutcome;
  partnerId: string;
}

export interface RecordContact extends CommandBase {
  type: 'RecordContact';
  contactId: string;
  channel: ContactChannel;
  contactedOn: string;
  partnerId: string;
  /** Encrypted by the application layer before decide, like the identity. */
  note?: EncryptedValue | null;
}

export interface SignEngagementContract extends CommandBase {
  type: 'SignEngagementContract';
  contractId: string;
  kind: EngagementContractKind;
  signedOn: string;
  startsOn: string;
  endsOn: string;
  weeklyActivityHours: number;
  /** Required below 15 hours a week on a contrat d'engagement to say why; refused on other kinds. */
  activityHoursAdjustment?: { kind: ActivityHoursAdjustmentKind; reason: ActivityHoursAdjustmentReason } | null;
}

export interface EndEngagementContract extends CommandBase {
  type: 'EndEngagementContract';
  contractId: string;
  endedOn: string;
  reason: ManualEngagementContractEndReason;
}

export interface PrescribeAction extends CommandBase {
  type: 'PrescribeAction';
  actionId: string;
  kind: ActionKind;
  prescribedOn: string;
  providerPartnerId?: string | null;
}

export interface ChangeActionStatus extends CommandBase {
  type: 'ChangeActionStatus';
  actionId: string;
  status: ActionStatus;
  changedOn: string;
}

export interface StartEmploymentContract extends CommandBase {
  type: 'StartEmploymentContract';
  contractId: string;
  kind: EmploymentContractKind;
  employerPartnerId?: string | null;
  employerSiret?: string | null;
  /** May be left null for CDI_EBE, which implies EBE. */
  structureKind: StructureKind | null;
  weeklyHours: number;
  startsOn: string;
  plannedEndOn?: string | null;
  /** Computed by the application layer from the decrypted birth date and `startsOn` (see age.ts). */
  beneficiaryUnder26AtStart: boolean;
}

export interface EndEmploymentContract extends CommandBase {
  type: 'EndEmploymentContract';
  contractId: string;
  endedOn: string;
  reason: EmploymentContractEndReason;
}

export interface SuspendParcours extends CommandBase {
  type: 'SuspendParcours';
  reason: SuspensionReason;
  suspendedOn: string;
  /** The share withheld, 0.3 to 1: required from 1 June 2025 (suspension-remobilisation), refused before. */
  withheldShare?: number | null;
  /** The sanction's last day as decided: required with the share, at most four months on. */
  plannedEndOn?: string | null;
}

export interface ResumeParcours extends CommandBase {
  type: 'ResumeParcours';
  resumedOn: string;
  reason?: ResumptionReason | null;
}

export interface ExitParcours extends CommandBase {
  type: 'ExitParcours';
  category: ExitCategory;
  reason: ExitReason;
  exitedOn: string;
}

export interface ReopenParcours extends CommandBase {
  type: 'ReopenParcours';
  reason: ReopenReason;
  reopenedOn: string;
}

/** A change of the person's RSA rights, from the CAF/MSA monthly file (intake). */
export interface RecordRsaRights extends CommandBase {
  type: 'RecordRsaRights';
  rights: RsaRights;
  rightsOn: string;
  source: ParcoursSource;
}

// The person's rights and the retention rule (DESIGN §8): allowed on an exited or archived
// parcours, since the rights outlive the accompaniment.

export interface RectifyIdentity extends CommandBase {
  type: 'RectifyIdentity';
  identity: EncryptedValue;
  fields: IdentityField[];
  ageBandAtEntry: AgeBand;
  rectifiedOn: string;
}

export interface RestrictProcessing extends CommandBase {
  type: 'RestrictProcessing';
  right: ProcessingRight;
  ground: ProcessingRestrictionGround;
  restrictedOn: string;
}

export interface LiftProcessingRestriction extends CommandBase {
  type: 'LiftProcessingRestriction';
  right: ProcessingRight;
  liftedOn: string;
}

export interface ArchiveParcours extends CommandBase {
  type: 'ArchiveParcours';
  archivedOn: string;
  lastActivityOn: string;
}

/** Decided after the beneficiary's key is destroyed, in the same transaction as its destruction. */
export interface ErasePersonalData extends CommandBase {
  type: 'ErasePersonalData';
  legalGround: ErasureLegalGround;
  erasedOn: string;
}

/** The commands that exercise a right or apply retention rather than record the accompaniment. */
export const PERSONAL_DATA_COMMANDS = ['RectifyIdentity', 'RestrictProcessing', 'LiftProcessingRestriction', 'ArchiveParcours', 'ErasePersonalData'] as const;

export type ParcoursCommand =
  | OpenParcours
  | RecordFranceTravailRegistration
  | RecordDiagnostic
  | DecideOrientation
  | RequestReorientation
  | DecideReorientation
  | AssignReferent
  | ReleaseReferent
  | JoinFollowUpGroup
  | LeaveFollowUpGroup
  | RecordAppointment
  | RecordContact
  | SignEngagementContract
  | EndEngagementContract
  | PrescribeAction
  | ChangeActionStatus
  | StartEmploymentContract
  | EndEmploymentContract
  | SuspendParcours
  | ResumeParcours
  | ExitParcours
  | ReopenParcours
  | RecordRsaRights
  | RectifyIdentity
  | RestrictProcessing
  | LiftProcessingRestriction
  | ArchiveParcours
  | ErasePersonalData;

export type ParcoursCommandType = ParcoursCommand['type'];

/**
 * The date each command states its fact happened on: the events' `occurredAt` (when the fact
 * happened, as the caller says; `recordedAt` is the store's clock). Checked by the compiler against
 * every command, so a new command cannot be written without one.
 */
export const BUSINESS_DATE_FIELD = {
  OpenParcours: 'entryOn',
  RecordFranceTravailRegistration: 'registeredOn',
  RecordDiagnostic: 'diagnosedOn',
  DecideOrientation: 'decidedOn',
  RequestReorientation: 'requestedOn',
  DecideReorientation: 'decidedOn',
  AssignReferent: 'assignedOn',
  ReleaseReferent: 'releasedOn',
  JoinFollowUpGroup: 'joinedOn',
  LeaveFollowUpGroup: 'leftOn',
  RecordAppointment: 'scheduledOn',
  RecordContact: 'contactedOn',
  SignEngagementContract: 'signedOn',
  EndEngagementContract: 'endedOn',
  PrescribeAction: 'prescribedOn',
  ChangeActionStatus: 'changedOn',
  StartEmploymentContract: 'startsOn',
  EndEmploymentContract: 'endedOn',
  SuspendParcours: 'suspendedOn',
  ResumeParcours: 'resumedOn',
  ExitParcours: 'exitedOn',
  ReopenParcours: 'reopenedOn',
  RecordRsaRights: 'rightsOn',
  RectifyIdentity: 'rectifiedOn',
  RestrictProcessing: 'restrictedOn',
  LiftProcessingRestriction: 'liftedOn',
  ArchiveParcours: 'archivedOn',
  ErasePersonalData: 'erasedOn',
} as const satisfies { [Type in ParcoursCommandType]: keyof Extract<ParcoursCommand, { type: Type }> & string };
