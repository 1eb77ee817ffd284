import type * as Commands from './domain/commands.js';
import type { ParcoursType, ReorientationRejectionReason } from './domain/events.js';
import type { Identity } from '../privacy/identity.js';

type Plain<C> = Omit<C, 'parcoursId' | 'context'>;

/**
 * A command as a caller states it: ids instead of the facts the decider needs (the handler looks
 * them up), the identity in clear (the handler encrypts it), nothing computed from personal data.
 */
export type ParcoursRequest =
  | (Omit<Plain<Commands.OpenParcours>, 'identity' | 'ageBandAtEntry'> & { identity: Identity })
  | Plain<Commands.RecordFranceTravailRegistration>
  | Plain<Commands.RecordDiagnostic>
  | (Omit<Plain<Commands.DecideOrientation>, 'organismeReferent' | 'decidedBy'> & { organismeReferentId: string })
  | Omit<Plain<Commands.RequestReorientation>, 'requestedBy'>
  | ({ type: 'DecideReorientation'; decidedOn: string } & (
      | { accepted: true; parcoursType: ParcoursType; organismeReferentId: string }
      | { accepted: false; rejectionReason: ReorientationRejectionReason }
    ))
  | (Omit<Plain<Commands.AssignReferent>, 'referent'> & { referentUserId: string })
  | Plain<Commands.ReleaseReferent>
  | (Omit<Plain<Commands.JoinFollowUpGroup>, 'partner'> & { partnerId: string })
  | Plain<Commands.LeaveFollowUpGroup>
  | Plain<Commands.RecordAppointment>
  | (Omit<Plain<Commands.RecordContact>, 'note'> & { note?: string | null })
  | Plain<Commands.SignEngagementContract>
  | Plain<Commands.EndEngagementContract>
  | Plain<Commands.PrescribeAction>
  | Plain<Commands.ChangeActionStatus>
  | Omit<Plain<Commands.StartEmploymentContract>, 'beneficiaryUnder26AtStart'>
  | Plain<Commands.EndEmploymentContract>
  | Plain<Commands.SuspendParcours>
  | Plain<Commands.ResumeParcours>
  | Plain<Commands.ExitParcours>
  | Plain<Commands.ReopenParcours>
  | Plain<Commands.RecordRsaRights>
  | { type: 'RectifyIdentity'; corrections: Partial<Identity>; rectifiedOn: string }
  | Plain<Commands.RestrictProcessing>
  | Plain<Commands.LiftProcessingRestriction>
  | Plain<Commands.ArchiveParcours>
  | Plain<Commands.ErasePersonalData>;
