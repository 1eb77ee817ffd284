import type {
  ArchiveParcours,
  AssignReferent,
  ChangeActionStatus,
  DecideOrientation,
  EndEmploymentContract,
  EndEngagementContract,
  ErasePersonalData,
  ExitParcours,
  JoinFollowUpGroup,
  LeaveFollowUpGroup,
  LiftProcessingRestriction,
  OpenParcours,
  PrescribeAction,
  RecordAppointment,
  RecordContact,
  RecordDiagnostic,
  RecordFranceTravailRegistration,
  RecordRsaRights,
  ReleaseReferent,
  ReopenParcours,
  RequestReorientation,
  RestrictProcessing,
  ResumeParcours,
  SignEngagementContract,
  StartEmploymentContract,
  SuspendParcours,
} from './domain/commands.js';
import type { ParcoursType, ReorientationRejectionReason } from './domain/events.js';
import type { Identity } from '../privacy/identity.js';

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
