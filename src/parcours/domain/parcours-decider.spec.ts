import type {
  ArchiveParcours,
  AssignReferent,
  ChangeActionStatus,
  CommandContext,
  DecideOrientation,
  DecideReorientation,
  EndEmploymentContract,
  EndEngagementContract,
  ErasePersonalData,
  ExitParcours,
  JoinFollowUpGroup,
  LeaveFollowUpGroup,
  LiftProcessingRestriction,
  OpenParcours,
  ParcoursCommand,
  PrescribeAction,
  RecordAppointment,
  RecordContact,
  RecordDiagnostic,
  RectifyIdentity,
  ReferentFact,
  ReleaseReferent,
  ReopenParcours,
  RequestReorientation,
  RestrictProcessing,
  ResumeParcours,
  SignEngagementContract,
  StartEmploymentContract,
  SuspendParcours,
} from './commands.js';
import { decide } from './parcours-decider.js';
import { ParcoursNotFoundError, ParcoursRuleError, type ParcoursRuleErrorCode } from './errors.js';
import type { ActionStatus, Barriers, ParcoursEvent } from './events.js';
import {
  ACI_JARDINS,
  ACTION_ID,
  actionPrescribed,
  actionStatusChanged,
  anOpenParcours,
  aParcoursExitedOn15March,
  aParcoursFollowedByClaire,
  aParcoursOrientedTowardsSocioProfessionnel40DaysAgo,
  aParcoursSuspendedSince5March,
  aParcoursWhosePersonalDataWereErased,
  aParcoursWithACddiRunning,
  aParcoursWithACerPastItsTerm,
  aParcoursWithACerRunning,
  aParcoursWithAMobilityAidPrescribed,
  aParcoursWithAReorientationTowardsEmploiRequested,
  appointmentRecorded,
  archived,
  CLAIRE_AT_CD,
  CONSEIL_DEPARTEMENTAL,
  CONTACT_ID,
  contactRecorded,
  COORDINATOR,
  diagnosed,
  EMPLOYMENT_CONTRACT_ID,
  employmentContractEnded,
  employmentContractStarted,
  ENGAGEMENT_CONTRACT_ID,
  engagementContractEnded,
  engagementContractSigned,
  exited,
  FRANCE_TRAVAIL_THIERS,
  franceTravailRegistered,
  identityRectified,
  joined,
  KARIM_AT_FRANCE_TRAVAIL,
  left,
  MISSION_LOCALE,
  opened,
  oriented,
  PARCOURS_ID,
  personalDataErased,
  processingRestricted,
  processingRestrictionLifted,
  referentAssigned,
  referentReleased,
  reopened,
  reorientationAccepted,
  reorientationRejected,
  reorientationRequested,
  resumed,
  suspended,
  TODAY,
} from './parcours.fixtures.js';
import { replay } from './state.js';

// ---------------------------------------------------------------------------------------------
// given / when / then

function given(history: readonly ParcoursEvent[]) {
  const state = replay(history);
  return {
    when(command: ParcoursCommand) {
      return {
        then(expected: readonly ParcoursEvent[]): void {
          expect(decide(command, state)).toEqual(expected);
        },
        thenNothingHappens(): void {
          expect(decide(command, state)).toEqual([]);
        },
        thenRefused(code: ParcoursRuleErrorCode): void {
          const error = errorOf(() => decide(command, state));
          expect(error).toBeInstanceOf(ParcoursRuleError);
          expect(error).toMatchObject({ code });
        },
      };
    },
  };
}

function errorOf(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  throw new Error('expected the decision to break a rule, but it succeeded');
}

// ---------------------------------------------------------------------------------------------
// Commands, with defaults that match the fixtures' events

const context: CommandContext = {
  today: TODAY,
  actor: { userId: CLAIRE_AT_CD, partnerId: CONSEIL_DEPARTEMENTAL, role: 'referent' },
};
const base = { parcoursId: PARCOURS_ID, context };

/** The facts of the fixtures' opening, as the command states them (the decider adds the id and the registration). */
const { parcoursId: _parcoursId, franceTravailRegisteredOn: _registeredOn, ...openingFacts } = opened().data;
const openParcours = (o: Partial<OpenParcours> = {}): OpenParcours => ({ type: 'OpenParcours', ...base, ...openingFacts, ...o });

const recordDiagnostic = (o: Partial<RecordDiagnostic> = {}): RecordDiagnostic => ({ type: 'RecordDiagnostic', ...base, ...diagnosed().data, ...o });

const decideOrientation = (o: Partial<DecideOrientation> = {}): DecideOrientation => ({
  type: 'DecideOrientation',
  ...base,
  parcoursType: 'socio_professionnel',
  organismeReferent: { partnerId: CONSEIL_DEPARTEMENTAL, active: true },
  decidedBy: COORDINATOR,
  reason: 'diagnostic_outcome',
  decidedOn: '2026-02-08',
  notifiedOn: '2026-02-10',
  ...o,
});

const requestReorientation = (o: Partial<RequestReorientation> = {}): RequestReorientation => ({
  type: 'RequestReorientation',
  ...base,
  requestedBy: CLAIRE_AT_CD,
  reason: 'barriers_lifted',
  requestedOn: '2026-03-10',
  proposedParcoursType: 'emploi',
  ...o,
});

type AcceptReorientation = Extract<DecideReorientation, { accepted: true }>;
type RejectReorientation = Extract<DecideReorientation, { accepted: false }>;

const acceptReorientation = (o: Partial<AcceptReorientation> = {}): AcceptReorientation => ({
  type: 'DecideReorientation',
  ...base,
  accepted: true,
  parcoursType: 'emploi',
  organismeReferent: { partnerId: FRANCE_TRAVAIL_THIERS, active: true },
  decidedBy: COORDINATOR,
  decidedOn: '2026-03-12',
  ...o,
});

const rejectReorientation = (o: Partial<RejectReorientation> = {}): RejectReorientation => ({
  type: 'DecideReorientation',
  ...base,
  accepted: false,
  rejectionReason: 'current_orientation_suitable',
  decidedBy: COORDINATOR,
  decidedOn: '2026-03-12',
  ...o,
});

const claire: ReferentFact = { userId: CLAIRE_AT_CD, partnerId: CONSEIL_DEPARTEMENTAL, roles: ['referent'], partnerActive: true };
const karim: ReferentFact = { userId: KARIM_AT_FRANCE_TRAVAIL, partnerId: FRANCE_TRAVAIL_THIERS, roles: ['caseworker', 'referent'], partnerActive: true };

const assignReferent = (referent: ReferentFact = claire, o: Partial<AssignReferent> = {}): AssignReferent => ({
  type: 'AssignReferent',
  ...base,
  referent,
  assignedOn: '2026-02-12',
  ...o,
});

const releaseReferent = (o: Partial<ReleaseReferent> = {}): ReleaseReferent => ({
  type: 'ReleaseReferent',
  ...base,
  reason: 'referent_unavailable',
  releasedOn: '2026-03-01',
  ...o,
});

const joinFollowUpGroup = (partnerId: string, o: Partial<JoinFollowUpGroup> = {}): JoinFollowUpGroup => ({
  type: 'JoinFollowUpGroup',
  ...base,
  partner: { partnerId, active: true },
  joinedOn: '2026-03-01',
  ...o,
});

const leaveFollowUpGroup = (partnerId: string, o: Partial<LeaveFollowUpGroup> = {}): LeaveFollowUpGroup => ({
  type: 'LeaveFollowUpGroup',
  ...base,
  partnerId,
  leftOn: '2026-03-01',
  ...o,
});

const recordAppointment = (o: Partial<RecordAppointment> = {}): RecordAppointment => ({
  type: 'RecordAppointment',
  ...base,
  ...appointmentRecorded().data,
  ...o,
});

const recordContact = (o: Partial<RecordContact> = {}): RecordContact => ({ type: 'RecordContact', ...base, ...contactRecorded().data, ...o });

const signEngagementContract = (o: Partial<SignEngagementContract> = {}): SignEngagementContract => ({
  type: 'SignEngagementContract',
  ...base,
  ...engagementContractSigned().data,
  ...o,
});

const endEngagementContract = (o: Partial<EndEngagementContract> = {}): EndEngagementContract => ({
  type: 'EndEngagementContract',
  ...base,
  contractId: ENGAGEMENT_CONTRACT_ID,
  endedOn: '2026-03-10',
  reason: 'replaced',
  ...o,
});

const prescribeAction = (o: Partial<PrescribeAction> = {}): PrescribeAction => ({
  type: 'PrescribeAction',
  ...base,
  actionId: ACTION_ID,
  kind: 'mobility_aid',
  prescribedOn: '2026-02-25',
  ...o,
});

const changeActionStatus = (status: ActionStatus, o: Partial<ChangeActionStatus> = {}): ChangeActionStatus => ({
  type: 'ChangeActionStatus',
  ...base,
  actionId: ACTION_ID,
  status,
  changedOn: '2026-03-02',
  ...o,
});

const startEmploymentContract = (o: Partial<StartEmploymentContract> = {}): StartEmploymentContract => ({
  type: 'StartEmploymentContract',
  ...base,
  contractId: EMPLOYMENT_CONTRACT_ID,
  kind: 'CDDI',
  employerPartnerId: ACI_JARDINS,
  structureKind: 'ACI',
  weeklyHours: 26,
  startsOn: '2026-03-02',
  plannedEndOn: '2026-08-31',
  beneficiaryUnder26AtStart: false,
  ...o,
});

const endEmploymentContract = (o: Partial<EndEmploymentContract> = {}): EndEmploymentContract => ({
  type: 'EndEmploymentContract',
  ...base,
  contractId: EMPLOYMENT_CONTRACT_ID,
  endedOn: '2026-03-16',
  reason: 'early_termination',
  ...o,
});

const suspendParcours = (o: Partial<SuspendParcours> = {}): SuspendParcours => ({
  type: 'SuspendParcours',
  ...base,
  reason: 'engagement_contract_refused',
  suspendedOn: '2026-03-05',
  withheldShare: 0.3,
  plannedEndOn: '2026-07-05',
  ...o,
});

const resumeParcours = (o: Partial<ResumeParcours> = {}): ResumeParcours => ({ type: 'ResumeParcours', ...base, resumedOn: '2026-03-16', ...o });

const exitParcours = (o: Partial<ExitParcours> = {}): ExitParcours => ({
  type: 'ExitParcours',
  ...base,
  category: 'emploi_durable',
  reason: 'cdi',
  exitedOn: '2026-03-15',
  ...o,
});

const reopenParcours = (o: Partial<ReopenParcours> = {}): ReopenParcours => ({
  type: 'ReopenParcours',
  ...base,
  reason: 'employment_ended',
  reopenedOn: '2026-03-18',
  ...o,
});

/** One command of each kind but the opening, each valid on a parcours followed by Claire. */
const everyCommandOnAnExistingParcours: readonly ParcoursCommand[] = [
  recordDiagnostic(),
  decideOrientation(),
  requestReorientation(),
  acceptReorientation(),
  assignReferent(),
  releaseReferent(),
  joinFollowUpGroup(MISSION_LOCALE),
  leaveFollowUpGroup(CONSEIL_DEPARTEMENTAL),
  recordAppointment(),
  recordContact(),
  signEngagementContract(),
  endEngagementContract(),
  prescribeAction(),
  changeActionStatus('started'),
  startEmploymentContract(),
  endEmploymentContract(),
  suspendParcours(),
  resumeParcours(),
  exitParcours(),
  reopenParcours(),
];

// ---------------------------------------------------------------------------------------------

describe('decide', () => {
  describe('on any parcours', () => {
    it.each(everyCommandOnAnExistingParcours.map((command) => [command.type, command] as const))(
      '%s on a parcours that does not exist is refused as not found',
      (_type, command) => {
        const error = errorOf(() => decide(command, null));
        expect(error).toBeInstanceOf(ParcoursNotFoundError);
        expect(error).toMatchObject({ code: 'parcours_not_found', parcoursId: PARCOURS_ID });
      },
    );

    it.each(
      everyCommandOnAnExistingParcours
        .filter((command) => command.type !== 'ExitParcours' && command.type !== 'ReopenParcours')
        .map((command) => [command.type, command] as const),
    )('%s on an exited parcours is refused: only reopening is possible', (_type, command) => {
      given(aParcoursExitedOn15March).when(command).thenRefused('parcours_exited');
    });

    it.each(everyCommandOnAnExistingParcours.map((command) => [command.type, command] as const))(
      '%s on a parcours whose personal data were erased is refused',
      (_type, command) => {
        given(aParcoursWhosePersonalDataWereErased).when(command).thenRefused('personal_data_erased');
      },
    );

    it('refuses a today that is not a calendar date', () => {
      given(anOpenParcours)
        .when(recordContact({ context: { ...context, today: '2026-02-30' } }))
        .thenRefused('invalid_date');
    });

    it('will not decide on the state of another parcours (a handler bug, not a rule)', () => {
      const state = replay(anOpenParcours);
      const command = recordContact({ parcoursId: '11111111-2222-4333-8444-555555555555' });
      const error = errorOf(() => decide(command, state));
      expect(error).not.toBeInstanceOf(ParcoursRuleError);
      expect(error).toMatchObject({ message: expect.stringContaining('decided on the state of parcours') });
    });
  });

  describe('OpenParcours', () => {
    it('opens a parcours with the encrypted identity copied as given', () => {
      given([]).when(openParcours()).then([opened()]);
    });

    it('decides nothing when retried with another ciphertext of the same identity', () => {
      given(anOpenParcours)
        .when(openParcours({ identity: { ciphertext: 'v1.gcm.ZmZmZmZmZmZmZmZm.YW5vdGhlci1pdg' } }))
        .thenNothingHappens();
    });

    it('still decides nothing on a retry once the parcours has moved on', () => {
      given(aParcoursExitedOn15March).when(openParcours()).thenNothingHappens();
    });

    it('refuses to open the same parcours with other facts', () => {
      given(anOpenParcours).when(openParcours({ entryOn: '2026-01-06' })).thenRefused('parcours_already_opened');
    });

    it('accepts an entry today but not tomorrow', () => {
      given([]).when(openParcours({ entryOn: TODAY })).then([opened({ entryOn: TODAY })]);
      given([]).when(openParcours({ entryOn: '2026-03-21' })).thenRefused('date_in_future');
    });

    it('refuses an entry date that is not a calendar date', () => {
      given([]).when(openParcours({ entryOn: '2026-02-29' })).thenRefused('invalid_date');
    });

    it.each(['63113', '200071058', 'cc-nowhere', ''])('refuses %j, not in the territory reference', (territory) => {
      given([]).when(openParcours({ territory })).thenRefused('invalid_territory');
    });
  });

  describe('RecordDiagnostic', () => {
    it('records the barriers, the recent activity and the qualification level', () => {
      given(anOpenParcours).when(recordDiagnostic()).then([diagnosed()]);
    });

    it('decides nothing when the same diagnostic is recorded again', () => {
      given([...anOpenParcours, diagnosed()]).when(recordDiagnostic()).thenNothingHappens();
    });

    it('records a later diagnostic that finds the situation changed', () => {
      const barriers: Barriers = { ...diagnosed().data.barriers, mobility: 'none' };
      given([...anOpenParcours, diagnosed()])
        .when(recordDiagnostic({ barriers, diagnosedOn: '2026-03-16' }))
        .then([diagnosed({ barriers, diagnosedOn: '2026-03-16' })]);
    });

    it('stores the nine barriers and nothing the caller slipped in', () => {
      const barriers = { ...diagnosed().data.barriers, criminalRecord: 'strong' } as unknown as Barriers;
      given(anOpenParcours).when(recordDiagnostic({ barriers })).then([diagnosed()]);
    });

    it('refuses a diagnostic dated tomorrow or before the entry', () => {
      given(anOpenParcours).when(recordDiagnostic({ diagnosedOn: '2026-03-21' })).thenRefused('date_in_future');
      given(anOpenParcours).when(recordDiagnostic({ diagnosedOn: '2026-01-04' })).thenRefused('date_before_entry');
    });
  });

  describe('DecideOrientation', () => {
    it('orients the parcours and brings the organisme référent into the follow-up group', () => {
      given(anOpenParcours).when(decideOrientation()).then([oriented(), joined(CONSEIL_DEPARTEMENTAL, '2026-02-08')]);
    });

    it('does not add the organisme référent to the group twice', () => {
      given([...anOpenParcours, joined(CONSEIL_DEPARTEMENTAL, '2026-01-10')])
        .when(decideOrientation())
        .then([oriented()]);
    });

    it('records a decision not yet notified with no notification date', () => {
      given([...anOpenParcours, joined(CONSEIL_DEPARTEMENTAL, '2026-01-10')])
        .when(decideOrientation({ notifiedOn: undefined }))
        .then([oriented({ notifiedOn: null })]);
    });

    it('refuses an organisme référent that is no longer active', () => {
      given(anOpenParcours)
        .when(decideOrientation({ organismeReferent: { partnerId: CONSEIL_DEPARTEMENTAL, active: false } }))
        .thenRefused('partner_inactive');
    });

    it('refuses a second orientation: changes go through a reorientation', () => {
      given(aParcoursOrientedTowardsSocioProfessionnel40DaysAgo).when(decideOrientation({ parcoursType: 'social' })).thenRefused('already_oriented');
    });

    it('decides nothing when the same orientation is recorded again', () => {
      given(aParcoursOrientedTowardsSocioProfessionnel40DaysAgo).when(decideOrientation()).thenNothingHappens();
    });

    it('refuses a notification before the decision or in the future', () => {
      given(anOpenParcours).when(decideOrientation({ notifiedOn: '2026-02-07' })).thenRefused('invalid_period');
      given(anOpenParcours).when(decideOrientation({ notifiedOn: '2026-03-21' })).thenRefused('date_in_future');
    });

    it('refuses a decision before the entry', () => {
      given(anOpenParcours).when(decideOrientation({ decidedOn: '2026-01-02', notifiedOn: null })).thenRefused('date_before_entry');
    });
  });

  describe('RequestReorientation', () => {
    it('records the request for a decision', () => {
      given(aParcoursFollowedByClaire).when(requestReorientation()).then([reorientationRequested()]);
    });

    it('records a request that proposes no parcours type', () => {
      given(aParcoursFollowedByClaire)
        .when(requestReorientation({ proposedParcoursType: undefined }))
        .then([reorientationRequested({ proposedParcoursType: null })]);
    });

    it('refuses a request on a parcours never oriented', () => {
      given(anOpenParcours).when(requestReorientation()).thenRefused('not_oriented');
    });

    it('refuses a second request while one awaits a decision', () => {
      given(aParcoursWithAReorientationTowardsEmploiRequested)
        .when(requestReorientation({ reason: 'new_barriers', requestedOn: '2026-03-16', proposedParcoursType: 'social' }))
        .thenRefused('reorientation_already_requested');
    });

    it('decides nothing when the pending request is sent again', () => {
      given(aParcoursWithAReorientationTowardsEmploiRequested).when(requestReorientation()).thenNothingHappens();
    });

    it('refuses a request dated tomorrow', () => {
      given(aParcoursFollowedByClaire).when(requestReorientation({ requestedOn: '2026-03-21' })).thenRefused('date_in_future');
    });
  });

  describe('DecideReorientation', () => {
    it('accepts towards emploi with France Travail, which joins the follow-up group, and keeps the référent until a new one', () => {
      given(aParcoursWithAReorientationTowardsEmploiRequested)
        .when(acceptReorientation())
        .then([reorientationAccepted(), joined(FRANCE_TRAVAIL_THIERS, '2026-03-12')]);
    });

    it('does not add an organisme référent already in the group', () => {
      given(aParcoursWithAReorientationTowardsEmploiRequested)
        .when(acceptReorientation({ parcoursType: 'social', organismeReferent: { partnerId: CONSEIL_DEPARTEMENTAL, active: true } }))
        .then([reorientationAccepted({ parcoursType: 'social', organismeReferentId: CONSEIL_DEPARTEMENTAL })]);
    });

    it('rejects with a coded reason', () => {
      given(aParcoursWithAReorientationTowardsEmploiRequested).when(rejectReorientation()).then([reorientationRejected()]);
    });

    it('refuses a decision with no request pending', () => {
      given(aParcoursFollowedByClaire).when(acceptReorientation()).thenRefused('no_reorientation_requested');
    });

    it('decides nothing when the same decision is sent again', () => {
      given([...aParcoursWithAReorientationTowardsEmploiRequested, reorientationAccepted(), joined(FRANCE_TRAVAIL_THIERS, '2026-03-12')])
        .when(acceptReorientation())
        .thenNothingHappens();
    });

    it('refuses a decision dated before the request', () => {
      given(aParcoursWithAReorientationTowardsEmploiRequested).when(rejectReorientation({ decidedOn: '2026-03-09' })).thenRefused('invalid_period');
    });

    it('refuses an inactive organisme référent', () => {
      given(aParcoursWithAReorientationTowardsEmploiRequested)
        .when(acceptReorientation({ organismeReferent: { partnerId: FRANCE_TRAVAIL_THIERS, active: false } }))
        .thenRefused('partner_inactive');
    });

    it('lets the new organisme référent take over with no gap', () => {
      given([...aParcoursWithAReorientationTowardsEmploiRequested, reorientationAccepted(), joined(FRANCE_TRAVAIL_THIERS, '2026-03-12')])
        .when(assignReferent(karim, { assignedOn: '2026-03-16' }))
        .then([
          referentReleased({ reason: 'handover', releasedOn: '2026-03-16' }),
          referentAssigned(KARIM_AT_FRANCE_TRAVAIL, FRANCE_TRAVAIL_THIERS, '2026-03-16'),
        ]);
    });
  });

  describe('AssignReferent', () => {
    it('assigns a first référent from an organisation of the follow-up group', () => {
      given(aParcoursOrientedTowardsSocioProfessionnel40DaysAgo).when(assignReferent()).then([referentAssigned()]);
    });

    it('hands over in one decision: the former référent is released the day the new one is assigned', () => {
      given([...aParcoursFollowedByClaire, joined(FRANCE_TRAVAIL_THIERS, '2026-03-01')])
        .when(assignReferent(karim, { assignedOn: '2026-03-16' }))
        .then([
          referentReleased({ reason: 'handover', releasedOn: '2026-03-16' }),
          referentAssigned(KARIM_AT_FRANCE_TRAVAIL, FRANCE_TRAVAIL_THIERS, '2026-03-16'),
        ]);
    });

    it('decides nothing when the current référent is assigned again, whatever the date', () => {
      given(aParcoursFollowedByClaire).when(assignReferent(claire, { assignedOn: '2026-03-16' })).thenNothingHappens();
    });

    it('treats the same person for another organisation as another référent', () => {
      const claireAtFranceTravail: ReferentFact = { ...claire, partnerId: FRANCE_TRAVAIL_THIERS };
      given([...aParcoursFollowedByClaire, joined(FRANCE_TRAVAIL_THIERS, '2026-03-01')])
        .when(assignReferent(claireAtFranceTravail, { assignedOn: '2026-03-16' }))
        .then([
          referentReleased({ reason: 'handover', releasedOn: '2026-03-16' }),
          referentAssigned(CLAIRE_AT_CD, FRANCE_TRAVAIL_THIERS, '2026-03-16'),
        ]);
    });

    it('refuses a member without the referent role', () => {
      given(aParcoursOrientedTowardsSocioProfessionnel40DaysAgo)
        .when(assignReferent({ ...claire, roles: ['caseworker', 'coordinator'] }))
        .thenRefused('referent_role_missing');
    });

    it('refuses a référent whose organisation does not follow the parcours', () => {
      given(aParcoursOrientedTowardsSocioProfessionnel40DaysAgo).when(assignReferent(karim)).thenRefused('referent_partner_not_in_follow_up_group');
    });

    it('refuses a référent of an inactive organisation', () => {
      given(aParcoursOrientedTowardsSocioProfessionnel40DaysAgo)
        .when(assignReferent({ ...claire, partnerActive: false }))
        .thenRefused('partner_inactive');
    });

    it('refuses a handover dated before the current référent took over', () => {
      given([...aParcoursFollowedByClaire, joined(FRANCE_TRAVAIL_THIERS, '2026-01-10')])
        .when(assignReferent(karim, { assignedOn: '2026-02-11' }))
        .thenRefused('invalid_period');
    });

    it('refuses an assignment dated tomorrow', () => {
      given(aParcoursOrientedTowardsSocioProfessionnel40DaysAgo).when(assignReferent(claire, { assignedOn: '2026-03-21' })).thenRefused('date_in_future');
    });
  });

  describe('ReleaseReferent', () => {
    it('releases the current référent with the reason given', () => {
      given(aParcoursFollowedByClaire).when(releaseReferent()).then([referentReleased()]);
    });

    it('refuses when there is no référent to release', () => {
      given(aParcoursOrientedTowardsSocioProfessionnel40DaysAgo).when(releaseReferent()).thenRefused('no_active_referent');
    });

    it('refuses a release dated before the assignment or tomorrow', () => {
      given(aParcoursFollowedByClaire).when(releaseReferent({ releasedOn: '2026-02-11' })).thenRefused('invalid_period');
      given(aParcoursFollowedByClaire).when(releaseReferent({ releasedOn: '2026-03-21' })).thenRefused('date_in_future');
    });
  });

  describe('JoinFollowUpGroup', () => {
    it('adds an active organisation to the follow-up group', () => {
      given(aParcoursFollowedByClaire).when(joinFollowUpGroup(MISSION_LOCALE)).then([joined(MISSION_LOCALE, '2026-03-01')]);
    });

    it('decides nothing for an organisation already in the group', () => {
      given(aParcoursFollowedByClaire).when(joinFollowUpGroup(CONSEIL_DEPARTEMENTAL)).thenNothingHappens();
    });

    it('refuses an inactive organisation', () => {
      given(aParcoursFollowedByClaire)
        .when(joinFollowUpGroup(MISSION_LOCALE, { partner: { partnerId: MISSION_LOCALE, active: false } }))
        .thenRefused('partner_inactive');
    });

    it('refuses a joining dated before the entry', () => {
      given(anOpenParcours).when(joinFollowUpGroup(MISSION_LOCALE, { joinedOn: '2025-12-31' })).thenRefused('date_before_entry');
    });
  });

  describe('LeaveFollowUpGroup', () => {
    it('removes an organisation from the follow-up group', () => {
      given([...aParcoursFollowedByClaire, joined(MISSION_LOCALE)])
        .when(leaveFollowUpGroup(MISSION_LOCALE, { leftOn: '2026-03-16' }))
        .then([left(MISSION_LOCALE, '2026-03-16')]);
    });

    it('decides nothing for an organisation not in the group', () => {
      given(aParcoursFollowedByClaire).when(leaveFollowUpGroup(MISSION_LOCALE)).thenNothingHappens();
    });

    it('keeps the organisation of the current référent in the group', () => {
      given([
        ...aParcoursOrientedTowardsSocioProfessionnel40DaysAgo,
        joined(FRANCE_TRAVAIL_THIERS, '2026-02-10'),
        referentAssigned(KARIM_AT_FRANCE_TRAVAIL, FRANCE_TRAVAIL_THIERS),
      ])
        .when(leaveFollowUpGroup(FRANCE_TRAVAIL_THIERS))
        .thenRefused('referent_partner_must_stay');
    });

    it('keeps the organisme référent in the group', () => {
      given(aParcoursOrientedTowardsSocioProfessionnel40DaysAgo).when(leaveFollowUpGroup(CONSEIL_DEPARTEMENTAL)).thenRefused('organisme_referent_must_stay');
    });

    it('lets the former organisme référent leave after a reorientation', () => {
      given([
        ...aParcoursOrientedTowardsSocioProfessionnel40DaysAgo,
        reorientationRequested(),
        reorientationAccepted(),
        joined(FRANCE_TRAVAIL_THIERS, '2026-03-12'),
      ])
        .when(leaveFollowUpGroup(CONSEIL_DEPARTEMENTAL, { leftOn: '2026-03-13' }))
        .then([left(CONSEIL_DEPARTEMENTAL, '2026-03-13')]);
    });

    it('refuses a leaving dated tomorrow', () => {
      given([...aParcoursFollowedByClaire, joined(MISSION_LOCALE)]).when(leaveFollowUpGroup(MISSION_LOCALE, { leftOn: '2026-03-21' })).thenRefused('date_in_future');
    });
  });

  describe('RecordAppointment', () => {
    it('records the appointment and its outcome', () => {
      given(aParcoursFollowedByClaire).when(recordAppointment()).then([appointmentRecorded()]);
    });

    it('decides nothing when the same appointment is recorded again', () => {
      given([...aParcoursFollowedByClaire, appointmentRecorded()]).when(recordAppointment()).thenNothingHappens();
    });

    it('refuses another outcome under an appointment id already recorded', () => {
      given([...aParcoursFollowedByClaire, appointmentRecorded()]).when(recordAppointment({ outcome: 'no_show' })).thenRefused('id_already_used');
    });

    it('records an appointment held by an organisation that follows the parcours, or by the caller\'s', () => {
      const atTheMissionLocale = recordAppointment({ partnerId: MISSION_LOCALE });
      given([...aParcoursFollowedByClaire, joined(MISSION_LOCALE)]).when(atTheMissionLocale).then([appointmentRecorded({ partnerId: MISSION_LOCALE })]);
      const byTheMissionLocale = { ...atTheMissionLocale, context: { ...context, actor: { userId: 'ml-referent', partnerId: MISSION_LOCALE, role: 'coordinator' } } };
      given(aParcoursFollowedByClaire).when(byTheMissionLocale).then([appointmentRecorded({ partnerId: MISSION_LOCALE })]);
    });

    it('refuses an appointment held by an organisation that neither follows the parcours nor calls', () => {
      given(aParcoursFollowedByClaire).when(recordAppointment({ partnerId: MISSION_LOCALE })).thenRefused('partner_not_following');
      given(aParcoursFollowedByClaire).when(recordAppointment({ partnerId: 'e3b0c442-98fc-4c14-9afb-f4c8996fb924' })).thenRefused('partner_not_following');
    });

    it('refuses an appointment dated tomorrow', () => {
      given(aParcoursFollowedByClaire)
        .when(recordAppointment({ appointmentId: 'f0e1d2c3-b4a5-4697-8877-665544332211', scheduledOn: '2026-03-21' }))
        .thenRefused('date_in_future');
    });
  });

  describe('RecordContact', () => {
    it('records the contact', () => {
      given(aParcoursFollowedByClaire).when(recordContact()).then([contactRecorded()]);
    });

    it('decides nothing when the same contact is recorded again', () => {
      given([...aParcoursFollowedByClaire, contactRecorded()]).when(recordContact()).thenNothingHappens();
    });

    it('refuses other content under a contact id already recorded', () => {
      given([...aParcoursFollowedByClaire, contactRecorded()]).when(recordContact({ channel: 'email' })).thenRefused('id_already_used');
    });

    it('records a contact held by the organisme référent, the référent\'s organisation or a follow-up member, whatever the case of its id', () => {
      const orientedTowardsTheMissionLocale = [...anOpenParcours, diagnosed(), oriented({ organismeReferentId: MISSION_LOCALE })];
      given(orientedTowardsTheMissionLocale).when(recordContact({ partnerId: MISSION_LOCALE })).then([contactRecorded({ partnerId: MISSION_LOCALE })]);
      given([...anOpenParcours, referentAssigned(KARIM_AT_FRANCE_TRAVAIL, FRANCE_TRAVAIL_THIERS, '2026-01-20')])
        .when(recordContact({ partnerId: FRANCE_TRAVAIL_THIERS }))
        .then([contactRecorded({ partnerId: FRANCE_TRAVAIL_THIERS })]);
      given([...anOpenParcours, joined(ACI_JARDINS)]).when(recordContact({ partnerId: ACI_JARDINS.toUpperCase() })).then([contactRecorded({ partnerId: ACI_JARDINS.toUpperCase() })]);
    });

    it('refuses a contact held by an organisation that does not follow the parcours, an organisation that left, or a made-up id', () => {
      given(aParcoursFollowedByClaire).when(recordContact({ partnerId: ACI_JARDINS })).thenRefused('partner_not_following');
      given([...aParcoursFollowedByClaire, joined(ACI_JARDINS), left(ACI_JARDINS)]).when(recordContact({ partnerId: ACI_JARDINS })).thenRefused('partner_not_following');
      given(aParcoursFollowedByClaire).when(recordContact({ partnerId: '00000000-0000-4000-8000-000000000000' })).thenRefused('partner_not_following');
    });

    it('refuses a contact before the entry', () => {
      given(aParcoursFollowedByClaire).when(recordContact({ contactId: CONTACT_ID, contactedOn: '2026-01-04' })).thenRefused('date_before_entry');
    });
  });

  describe('SignEngagementContract', () => {
    it('records the signed contract', () => {
      given(aParcoursFollowedByClaire).when(signEngagementContract()).then([engagementContractSigned()]);
    });

    it('accepts a contract signed today that starts next month', () => {
      given(aParcoursFollowedByClaire)
        .when(signEngagementContract({ kind: 'CE', signedOn: TODAY, startsOn: '2026-04-01', endsOn: '2026-09-30' }))
        .then([engagementContractSigned({ kind: 'CE', signedOn: TODAY, startsOn: '2026-04-01', endsOn: '2026-09-30' })]);
    });

    it('refuses a second contract while one runs', () => {
      given(aParcoursWithACerRunning)
        .when(signEngagementContract({ contractId: '1a2b3c4d-5e6f-4071-8293-a4b5c6d7e8f9', kind: 'CE', signedOn: TODAY, startsOn: '2026-04-01', endsOn: '2026-09-30' }))
        .thenRefused('engagement_contract_already_open');
    });

    it('closes a contract past its term at that term when the next one is signed', () => {
      const renewal = { contractId: '1a2b3c4d-5e6f-4071-8293-a4b5c6d7e8f9', kind: 'CE', signedOn: '2026-03-16', startsOn: '2026-03-16', endsOn: '2026-09-15' } as const;
      given(aParcoursWithACerPastItsTerm)
        .when(signEngagementContract(renewal))
        .then([engagementContractEnded({ endedOn: '2026-03-01', reason: 'term_reached' }), engagementContractSigned(renewal)]);
    });

    it('refuses a renewal that starts within the term of the previous contract', () => {
      given(aParcoursWithACerPastItsTerm)
        .when(signEngagementContract({ contractId: '1a2b3c4d-5e6f-4071-8293-a4b5c6d7e8f9', signedOn: '2026-03-16', startsOn: '2026-02-25', endsOn: '2026-08-24' }))
        .thenRefused('engagement_contract_already_open');
    });

    it('refuses a renewal signed before the current contract reached its term, even one starting after it', () => {
      given(aParcoursWithACerRunning)
        .when(signEngagementContract({ contractId: '1a2b3c4d-5e6f-4071-8293-a4b5c6d7e8f9', kind: 'CE', signedOn: TODAY, startsOn: '2026-08-20', endsOn: '2027-02-19' }))
        .thenRefused('engagement_contract_already_open');
    });

    it('refuses a contract that ends before it starts', () => {
      given(aParcoursFollowedByClaire).when(signEngagementContract({ endsOn: '2026-02-19' })).thenRefused('invalid_period');
    });

    it.each([0, 35])('accepts %d hours of weekly activity', (weeklyActivityHours) => {
      given(aParcoursFollowedByClaire).when(signEngagementContract({ weeklyActivityHours })).then([engagementContractSigned({ weeklyActivityHours })]);
    });

    it.each([-1, 35.5, Number.NaN])('refuses %d hours of weekly activity', (weeklyActivityHours) => {
      given(aParcoursFollowedByClaire).when(signEngagementContract({ weeklyActivityHours })).thenRefused('invalid_weekly_hours');
    });

    it('decides nothing when the same contract is recorded again, even after it ended', () => {
      given(aParcoursWithACerRunning).when(signEngagementContract()).thenNothingHappens();
      given([...aParcoursWithACerRunning, engagementContractEnded()]).when(signEngagementContract()).thenNothingHappens();
    });

    it('refuses other terms under a contract id already recorded', () => {
      given(aParcoursWithACerRunning).when(signEngagementContract({ endsOn: '2026-12-31' })).thenRefused('id_already_used');
    });

    it('refuses the id of an employment contract of the parcours', () => {
      given(aParcoursWithACddiRunning).when(signEngagementContract({ contractId: EMPLOYMENT_CONTRACT_ID })).thenRefused('id_already_used');
    });

    it('refuses a signature dated tomorrow and a start before the entry', () => {
      given(aParcoursFollowedByClaire).when(signEngagementContract({ signedOn: '2026-03-21' })).thenRefused('date_in_future');
      given(aParcoursFollowedByClaire).when(signEngagementContract({ startsOn: '2026-01-01' })).thenRefused('date_before_entry');
    });

    it('refuses an end date that is not a calendar date', () => {
      given(aParcoursFollowedByClaire).when(signEngagementContract({ endsOn: '2026-08-32' })).thenRefused('invalid_date');
    });
  });

  describe('EndEngagementContract', () => {
    it('ends the running contract', () => {
      given(aParcoursWithACerRunning).when(endEngagementContract()).then([engagementContractEnded()]);
    });

    it('refuses an unknown contract', () => {
      given(aParcoursFollowedByClaire).when(endEngagementContract()).thenRefused('engagement_contract_not_found');
    });

    it('refuses to end a contract already ended otherwise', () => {
      given([...aParcoursWithACerRunning, engagementContractEnded()])
        .when(endEngagementContract({ endedOn: '2026-03-12', reason: 'obligations_breached' }))
        .thenRefused('engagement_contract_not_found');
    });

    it('decides nothing when the same ending is sent again', () => {
      given([...aParcoursWithACerRunning, engagementContractEnded()]).when(endEngagementContract()).thenNothingHappens();
    });

    it('refuses an end before the signature or tomorrow', () => {
      given(aParcoursWithACerRunning).when(endEngagementContract({ endedOn: '2026-02-19' })).thenRefused('invalid_period');
      given(aParcoursWithACerRunning).when(endEngagementContract({ endedOn: '2026-03-21' })).thenRefused('date_in_future');
    });
  });

  describe('PrescribeAction', () => {
    it('records an action with no provider', () => {
      given(aParcoursFollowedByClaire).when(prescribeAction()).then([actionPrescribed()]);
    });

    it('records the provider when there is one', () => {
      given(aParcoursFollowedByClaire)
        .when(prescribeAction({ kind: 'immersion_pmsmp', providerPartnerId: ACI_JARDINS }))
        .then([actionPrescribed({ kind: 'immersion_pmsmp', providerPartnerId: ACI_JARDINS })]);
    });

    it('decides nothing when the same action is prescribed again, whatever its status now', () => {
      given([...aParcoursWithAMobilityAidPrescribed, actionStatusChanged()]).when(prescribeAction()).thenNothingHappens();
    });

    it('refuses another action under an action id already recorded', () => {
      given(aParcoursWithAMobilityAidPrescribed).when(prescribeAction({ kind: 'training' })).thenRefused('id_already_used');
    });

    it('refuses a prescription dated tomorrow', () => {
      given(aParcoursFollowedByClaire).when(prescribeAction({ prescribedOn: '2026-03-21' })).thenRefused('date_in_future');
    });
  });

  describe('ChangeActionStatus', () => {
    it.each<[string, readonly ParcoursEvent[], ActionStatus]>([
      ['prescribed', [], 'started'],
      ['prescribed', [], 'completed'],
      ['prescribed', [], 'abandoned'],
      ['prescribed', [], 'cancelled'],
      ['started', [actionStatusChanged({ status: 'started', changedOn: '2026-03-01' })], 'completed'],
      ['started', [actionStatusChanged({ status: 'started', changedOn: '2026-03-01' })], 'abandoned'],
    ])('moves an action from %s to %s', (_from, history, status) => {
      given([...aParcoursWithAMobilityAidPrescribed, ...history])
        .when(changeActionStatus(status))
        .then([actionStatusChanged({ status, changedOn: '2026-03-02' })]);
    });

    it.each<[ActionStatus, ActionStatus]>([
      ['started', 'cancelled'],
      ['completed', 'started'],
      ['completed', 'abandoned'],
      ['abandoned', 'started'],
      ['cancelled', 'started'],
      ['cancelled', 'completed'],
    ])('refuses to move an action from %s to %s', (from, to) => {
      given([...aParcoursWithAMobilityAidPrescribed, actionStatusChanged({ status: from, changedOn: '2026-03-01' })])
        .when(changeActionStatus(to))
        .thenRefused('invalid_action_transition');
    });

    it('decides nothing when the same change is sent again', () => {
      given([...aParcoursWithAMobilityAidPrescribed, actionStatusChanged()]).when(changeActionStatus('started')).thenNothingHappens();
    });

    it('refuses the same status at another date', () => {
      given([...aParcoursWithAMobilityAidPrescribed, actionStatusChanged()])
        .when(changeActionStatus('started', { changedOn: '2026-03-05' }))
        .thenRefused('invalid_action_transition');
    });

    it('refuses an unknown action', () => {
      given(aParcoursFollowedByClaire).when(changeActionStatus('started')).thenRefused('action_not_found');
    });

    it('refuses a change dated before the previous one or tomorrow', () => {
      given(aParcoursWithAMobilityAidPrescribed).when(changeActionStatus('started', { changedOn: '2026-02-24' })).thenRefused('invalid_period');
      given(aParcoursWithAMobilityAidPrescribed).when(changeActionStatus('started', { changedOn: '2026-03-21' })).thenRefused('date_in_future');
    });
  });

  describe('StartEmploymentContract', () => {
    it('records a CDDI in an ACI, with the RSA socle status of the parcours at the start', () => {
      given(aParcoursFollowedByClaire).when(startEmploymentContract()).then([employmentContractStarted()]);
    });

    it('records the under-26 flag computed by the application layer, and a parcours out of RSA socle', () => {
      given([opened({ rsaSocle: false, ageBandAtEntry: 'under_26' })])
        .when(startEmploymentContract({ kind: 'PEC', employerPartnerId: MISSION_LOCALE, structureKind: null, beneficiaryUnder26AtStart: true }))
        .then([
          employmentContractStarted({
            kind: 'PEC',
            employerPartnerId: MISSION_LOCALE,
            structureKind: null,
            beneficiaryUnder26AtStart: true,
            rsaSocleAtStart: false,
          }),
        ]);
    });

    it('records a CDI_EBE as a contract with an EBE, open-ended', () => {
      given(aParcoursFollowedByClaire)
        .when(startEmploymentContract({ kind: 'CDI_EBE', structureKind: null, plannedEndOn: undefined, weeklyHours: 24 }))
        .then([employmentContractStarted({ kind: 'CDI_EBE', structureKind: 'EBE', plannedEndOn: null, weeklyHours: 24 })]);
    });

    it('records a CDI with an employer known by its SIRET', () => {
      given(aParcoursFollowedByClaire)
        .when(startEmploymentContract({ kind: 'CDI', employerPartnerId: undefined, employerSiret: '73282932000074', structureKind: null, plannedEndOn: null, weeklyHours: 35 }))
        .then([
          employmentContractStarted({ kind: 'CDI', employerPartnerId: null, employerSiret: '73282932000074', structureKind: null, plannedEndOn: null, weeklyHours: 35 }),
        ]);
    });

    it('records a contract of another kind without a planned end', () => {
      given(aParcoursFollowedByClaire)
        .when(startEmploymentContract({ kind: 'OTHER', structureKind: 'OTHER', plannedEndOn: null }))
        .then([employmentContractStarted({ kind: 'OTHER', structureKind: 'OTHER', plannedEndOn: null })]);
    });

    it('records a one-day interim mission', () => {
      given(aParcoursFollowedByClaire)
        .when(startEmploymentContract({ kind: 'INTERIM', structureKind: 'ETTI', startsOn: '2026-03-02', plannedEndOn: '2026-03-02', weeklyHours: 7 }))
        .then([employmentContractStarted({ kind: 'INTERIM', structureKind: 'ETTI', startsOn: '2026-03-02', plannedEndOn: '2026-03-02', weeklyHours: 7 })]);
    });

    it.each([null, 'EBE', 'OTHER'] as const)('refuses a CDDI with structure %s: a CDDI is signed with an SIAE', (structureKind) => {
      given(aParcoursFollowedByClaire).when(startEmploymentContract({ structureKind })).thenRefused('invalid_structure_kind');
    });

    it('refuses a CDI_EBE with a structure other than an EBE', () => {
      given(aParcoursFollowedByClaire)
        .when(startEmploymentContract({ kind: 'CDI_EBE', structureKind: 'ACI', plannedEndOn: null }))
        .thenRefused('invalid_structure_kind');
    });

    it('refuses an EBE hiring in anything but a CDI_EBE', () => {
      given(aParcoursFollowedByClaire)
        .when(startEmploymentContract({ kind: 'CDI', structureKind: 'EBE', plannedEndOn: null }))
        .thenRefused('invalid_structure_kind');
    });

    it.each([
      ['both a partner and a SIRET', { employerPartnerId: ACI_JARDINS, employerSiret: '73282932000074' }],
      ['neither a partner nor a SIRET', { employerPartnerId: null, employerSiret: null }],
      ['a SIRET of 9 digits', { employerPartnerId: null, employerSiret: '732829320' }],
      ['a SIRET with spaces', { employerPartnerId: null, employerSiret: '732 829 320 00074' }],
    ])('refuses an employer named by %s', (_case, employer) => {
      given(aParcoursFollowedByClaire).when(startEmploymentContract(employer)).thenRefused('invalid_employer');
    });

    it.each([
      ['PEC', null],
      ['CDDI', 'ACI'],
      ['CDD', null],
      ['INTERIM', 'ETTI'],
    ] as const)('refuses a %s without a planned end', (kind, structureKind) => {
      given(aParcoursFollowedByClaire).when(startEmploymentContract({ kind, structureKind, plannedEndOn: null })).thenRefused('planned_end_required');
    });

    it.each([
      ['CDI', null],
      ['CDI_EBE', 'EBE'],
    ] as const)('refuses a planned end for a %s', (kind, structureKind) => {
      given(aParcoursFollowedByClaire).when(startEmploymentContract({ kind, structureKind })).thenRefused('planned_end_not_allowed');
    });

    it('refuses a planned end before the start', () => {
      given(aParcoursFollowedByClaire).when(startEmploymentContract({ plannedEndOn: '2026-03-01' })).thenRefused('invalid_period');
    });

    it.each([1, 48])('accepts %d weekly hours', (weeklyHours) => {
      given(aParcoursFollowedByClaire).when(startEmploymentContract({ weeklyHours })).then([employmentContractStarted({ weeklyHours })]);
    });

    it.each([0, 48.5, Number.POSITIVE_INFINITY])('refuses %d weekly hours', (weeklyHours) => {
      given(aParcoursFollowedByClaire).when(startEmploymentContract({ weeklyHours })).thenRefused('invalid_weekly_hours');
    });

    it('refuses a second contract while one runs', () => {
      given(aParcoursWithACddiRunning)
        .when(startEmploymentContract({ contractId: '2b3c4d5e-6f70-4182-93a4-b5c6d7e8f901', startsOn: '2026-03-16' }))
        .thenRefused('employment_contract_already_open');
    });

    it('starts the next contract once the previous one ended', () => {
      const next = { contractId: '2b3c4d5e-6f70-4182-93a4-b5c6d7e8f901', kind: 'CDI', employerPartnerId: ACI_JARDINS, structureKind: null, startsOn: '2026-03-17', plannedEndOn: null } as const;
      given([...aParcoursWithACddiRunning, employmentContractEnded({ reason: 'hired_permanent' })])
        .when(startEmploymentContract(next))
        .then([employmentContractStarted(next)]);
    });

    it('decides nothing when the same contract is recorded again', () => {
      given(aParcoursWithACddiRunning).when(startEmploymentContract()).thenNothingHappens();
    });

    it('refuses other terms under a contract id already recorded', () => {
      given(aParcoursWithACddiRunning).when(startEmploymentContract({ weeklyHours: 30 })).thenRefused('id_already_used');
    });

    it('refuses the id of an engagement contract of the parcours', () => {
      given(aParcoursWithACerRunning).when(startEmploymentContract({ contractId: ENGAGEMENT_CONTRACT_ID })).thenRefused('id_already_used');
    });

    it('refuses a start tomorrow or before the entry', () => {
      given(aParcoursFollowedByClaire).when(startEmploymentContract({ startsOn: '2026-03-21' })).thenRefused('date_in_future');
      given(aParcoursFollowedByClaire).when(startEmploymentContract({ startsOn: '2026-01-02' })).thenRefused('date_before_entry');
    });
  });

  describe('EndEmploymentContract', () => {
    it('ends the running contract with its reason', () => {
      given(aParcoursWithACddiRunning).when(endEmploymentContract()).then([employmentContractEnded()]);
    });

    it('refuses an unknown contract', () => {
      given(aParcoursFollowedByClaire).when(endEmploymentContract()).thenRefused('employment_contract_not_found');
    });

    it('refuses to end a contract already ended otherwise', () => {
      given([...aParcoursWithACddiRunning, employmentContractEnded()])
        .when(endEmploymentContract({ reason: 'resignation' }))
        .thenRefused('employment_contract_not_found');
    });

    it('decides nothing when the same ending is sent again', () => {
      given([...aParcoursWithACddiRunning, employmentContractEnded()]).when(endEmploymentContract()).thenNothingHappens();
    });

    it('refuses an end before the start or tomorrow', () => {
      given(aParcoursWithACddiRunning).when(endEmploymentContract({ endedOn: '2026-03-01' })).thenRefused('invalid_period');
      given(aParcoursWithACddiRunning).when(endEmploymentContract({ endedOn: '2026-03-21' })).thenRefused('date_in_future');
    });
  });

  describe('the two regimes (2021 SPIE before 2025-01-01, plein-emploi law after)', () => {
    // A parcours of 2024, still open on 1 January 2025: the transition.
    const in2024 = [opened({ entryOn: '2024-03-04' }), oriented({ decidedOn: '2024-03-20', notifiedOn: '2024-03-22' })] as const;
    const cer = (o: Partial<SignEngagementContract> = {}) => signEngagementContract({ kind: 'CER', signedOn: '2024-12-31', startsOn: '2024-12-31', endsOn: '2025-06-30', ...o });

    it('given the 2021 regime, when a CER or a PPAE is signed on 31 December 2024, then it is recorded', () => {
      given(in2024).when(cer()).then([engagementContractSigned({ kind: 'CER', signedOn: '2024-12-31', startsOn: '2024-12-31', endsOn: '2025-06-30' })]);
      given(in2024).when(cer({ kind: 'PPAE' })).then([engagementContractSigned({ kind: 'PPAE', signedOn: '2024-12-31', startsOn: '2024-12-31', endsOn: '2025-06-30' })]);
    });

    it('given the 2021 regime, when a contrat d’engagement is dated 31 December 2024, then it is refused', () => {
      given(in2024).when(cer({ kind: 'CE' })).thenRefused('contract_kind_not_in_regime');
    });

    it('given the transition, when a CER or a PPAE is signed on 1 January 2025, then it is refused: the CE replaces them', () => {
      given(in2024).when(cer({ signedOn: '2025-01-01', startsOn: '2025-01-01' })).thenRefused('contract_kind_not_in_regime');
      given(in2024).when(cer({ kind: 'PPAE', signedOn: '2026-02-01', startsOn: '2026-02-01', endsOn: '2026-07-31' })).thenRefused('contract_kind_not_in_regime');
    });

    it('given the transition, when a contrat d’engagement is signed on 1 January 2025, then it is recorded', () => {
      given(in2024)
        .when(cer({ kind: 'CE', signedOn: '2025-01-01', startsOn: '2025-01-01' }))
        .then([engagementContractSigned({ kind: 'CE', signedOn: '2025-01-01', startsOn: '2025-01-01', endsOn: '2025-06-30' })]);
    });

    it('keeps the youth contracts (CEJ, PACEA) under both regimes', () => {
      given(in2024).when(cer({ kind: 'CEJ' })).then([engagementContractSigned({ kind: 'CEJ', signedOn: '2024-12-31', startsOn: '2024-12-31', endsOn: '2025-06-30' })]);
      given(aParcoursFollowedByClaire).when(signEngagementContract({ kind: 'PACEA' })).then([engagementContractSigned({ kind: 'PACEA' })]);
    });

    describe('the weekly activity hours of a contrat d’engagement', () => {
      it('records a reduction with its coded reason', () => {
        const adjustment = { kind: 'reduced', reason: 'single_parent_without_childcare' } as const;
        given(aParcoursFollowedByClaire)
          .when(signEngagementContract({ weeklyActivityHours: 8, activityHoursAdjustment: adjustment }))
          .then([engagementContractSigned({ weeklyActivityHours: 8, activityHoursAdjustment: adjustment })]);
      });

      it('records an exemption at 0 hours', () => {
        const adjustment = { kind: 'exempted', reason: 'health' } as const;
        given(aParcoursFollowedByClaire)
          .when(signEngagementContract({ weeklyActivityHours: 0, activityHoursAdjustment: adjustment }))
          .then([engagementContractSigned({ weeklyActivityHours: 0, activityHoursAdjustment: adjustment })]);
      });

      it('refuses an exemption with hours, a reduction to 15 hours or more or to 0, and an adjustment on a contract without the duty', () => {
        given(aParcoursFollowedByClaire).when(signEngagementContract({ weeklyActivityHours: 5, activityHoursAdjustment: { kind: 'exempted', reason: 'health' } })).thenRefused('invalid_activity_hours_adjustment');
        given(aParcoursFollowedByClaire).when(signEngagementContract({ weeklyActivityHours: 15, activityHoursAdjustment: { kind: 'reduced', reason: 'health' } })).thenRefused('invalid_activity_hours_adjustment');
        given(aParcoursFollowedByClaire).when(signEngagementContract({ weeklyActivityHours: 0, activityHoursAdjustment: { kind: 'reduced', reason: 'health' } })).thenRefused('invalid_activity_hours_adjustment');
        given(aParcoursFollowedByClaire).when(signEngagementContract({ kind: 'CEJ', weeklyActivityHours: 5, activityHoursAdjustment: { kind: 'reduced', reason: 'health' } })).thenRefused('invalid_activity_hours_adjustment');
      });

      it('accepts a contrat d’engagement below 15 hours without a reason (R11 shows it until it is put right)', () => {
        given(aParcoursFollowedByClaire).when(signEngagementContract({ weeklyActivityHours: 6 })).then([engagementContractSigned({ weeklyActivityHours: 6 })]);
      });
    });

    describe('the registration with France Travail', () => {
      it('given an entry from 1 January 2025, then the opening states the automatic registration on the entry day', () => {
        given([]).when(openParcours({ entryOn: '2025-01-01' })).then([opened({ entryOn: '2025-01-01', franceTravailRegisteredOn: '2025-01-01' })]);
      });

      it('given an entry on 31 December 2024, then no registration at opening', () => {
        given([]).when(openParcours({ entryOn: '2024-12-31' })).then([opened({ entryOn: '2024-12-31', franceTravailRegisteredOn: null })]);
      });

      it('records the registration of a parcours opened before 2025, once', () => {
        const command: ParcoursCommand = { type: 'RecordFranceTravailRegistration', ...base, registeredOn: '2025-01-06' };
        given(in2024).when(command).then([franceTravailRegistered('2025-01-06')]);
        given([...in2024, franceTravailRegistered('2025-01-06')]).when(command).thenNothingHappens();
        given([...in2024, franceTravailRegistered('2025-01-06')]).when({ ...command, registeredOn: '2025-02-01' }).thenRefused('already_registered_with_france_travail');
        given(aParcoursFollowedByClaire).when(command).thenRefused('already_registered_with_france_travail');
        given(in2024).when({ ...command, registeredOn: '2024-01-01' }).thenRefused('date_before_entry');
      });
    });

    describe('the suspension-remobilisation (décret 2025-478, from 1 June 2025)', () => {
      it('given a suspension from 1 June 2025, then its withheld share is required, between 0.3 and 1', () => {
        given(aParcoursFollowedByClaire).when(suspendParcours({ withheldShare: 1 })).then([suspended({ withheldShare: 1 })]);
        given(aParcoursFollowedByClaire).when(suspendParcours({ withheldShare: null })).thenRefused('invalid_withheld_share');
        given(aParcoursFollowedByClaire).when(suspendParcours({ withheldShare: 0.29 })).thenRefused('invalid_withheld_share');
        given(aParcoursFollowedByClaire).when(suspendParcours({ withheldShare: 1.01 })).thenRefused('invalid_withheld_share');
      });

      it('given a suspension on 31 May 2025, then no share: the sanction was not in force', () => {
        const in2025 = [opened({ entryOn: '2025-01-06' })];
        const before = { suspendedOn: '2025-05-31', withheldShare: null, plannedEndOn: null };
        given(in2025).when(suspendParcours(before)).then([suspended(before)]);
        given(in2025).when(suspendParcours({ ...before, withheldShare: 0.3 })).thenRefused('sanction_not_in_force');
        given(in2025).when(suspendParcours({ ...before, plannedEndOn: '2025-07-31' })).thenRefused('sanction_not_in_force');
        const from = { suspendedOn: '2025-06-01', withheldShare: 0.3, plannedEndOn: '2025-07-31' };
        given(in2025).when(suspendParcours(from)).then([suspended(from)]);
      });

      it('given a suspension-remobilisation, then its planned end is required, after it and at most four months on', () => {
        given(aParcoursFollowedByClaire).when(suspendParcours({ plannedEndOn: null })).thenRefused('invalid_period');
        given(aParcoursFollowedByClaire).when(suspendParcours({ plannedEndOn: '2026-03-05' })).thenRefused('invalid_period');
        given(aParcoursFollowedByClaire).when(suspendParcours({ plannedEndOn: '2026-07-06' })).thenRefused('invalid_period');
        given(aParcoursFollowedByClaire).when(suspendParcours({ plannedEndOn: '2026-04-04' })).then([suspended({ plannedEndOn: '2026-04-04' })]);
      });

      it('records the remobilisation that ends it', () => {
        given(aParcoursSuspendedSince5March).when(resumeParcours({ reason: 'remobilised' })).then([resumed('2026-03-16', 'remobilised')]);
      });
    });
  });

  describe('SuspendParcours', () => {
    it('suspends an open parcours on a coded ground', () => {
      given(aParcoursFollowedByClaire).when(suspendParcours()).then([suspended()]);
    });

    it('decides nothing when the same suspension is sent again', () => {
      given(aParcoursSuspendedSince5March).when(suspendParcours()).thenNothingHappens();
    });

    it('refuses another suspension of a suspended parcours', () => {
      given(aParcoursSuspendedSince5March).when(suspendParcours({ reason: 'appointment_missed', suspendedOn: '2026-03-16' })).thenRefused('parcours_not_open');
    });

    it('refuses a suspension dated tomorrow', () => {
      given(aParcoursFollowedByClaire).when(suspendParcours({ suspendedOn: '2026-03-21' })).thenRefused('date_in_future');
    });

    it('keeps recording the accompaniment while suspended: remobilisation is the point', () => {
      given(aParcoursSuspendedSince5March).when(recordContact()).then([contactRecorded()]);
    });
  });

  describe('ResumeParcours', () => {
    it('resumes a suspended parcours', () => {
      given(aParcoursSuspendedSince5March).when(resumeParcours()).then([resumed()]);
    });

    it('refuses to resume a parcours that is not suspended', () => {
      given(aParcoursFollowedByClaire).when(resumeParcours()).thenRefused('parcours_not_suspended');
    });

    it('decides nothing when the same resumption is sent again', () => {
      given([...aParcoursSuspendedSince5March, resumed()]).when(resumeParcours()).thenNothingHappens();
    });

    it('refuses a resumption before the suspension', () => {
      given(aParcoursSuspendedSince5March).when(resumeParcours({ resumedOn: '2026-03-04' })).thenRefused('invalid_period');
    });
  });

  describe('ExitParcours', () => {
    it('exits a parcours with nothing open', () => {
      given(anOpenParcours).when(exitParcours({ category: 'autre', reason: 'moved_out_of_territory' })).then([
        exited({ category: 'autre', reason: 'moved_out_of_territory' }),
      ]);
    });

    it('releases the référent and ends the engagement contract the same day, in the same decision', () => {
      given(aParcoursWithACerRunning)
        .when(exitParcours())
        .then([
          referentReleased({ reason: 'parcours_exited', releasedOn: '2026-03-15' }),
          engagementContractEnded({ endedOn: '2026-03-15', reason: 'parcours_exited' }),
          exited(),
        ]);
    });

    it('ends an engagement contract past its term at that term', () => {
      given(aParcoursWithACerPastItsTerm)
        .when(exitParcours())
        .then([
          referentReleased({ reason: 'parcours_exited', releasedOn: '2026-03-15' }),
          engagementContractEnded({ endedOn: '2026-03-01', reason: 'term_reached' }),
          exited(),
        ]);
    });

    it('leaves a running employment contract alone: the job outlives the parcours', () => {
      given(aParcoursWithACddiRunning)
        .when(exitParcours({ category: 'emploi_transition', reason: 'other_siae_hire' }))
        .then([referentReleased({ reason: 'parcours_exited', releasedOn: '2026-03-15' }), exited({ category: 'emploi_transition', reason: 'other_siae_hire' })]);
    });

    it('exits a suspended parcours', () => {
      given(aParcoursSuspendedSince5March)
        .when(exitParcours({ category: 'autre', reason: 'rsa_rights_closed' }))
        .then([referentReleased({ reason: 'parcours_exited', releasedOn: '2026-03-15' }), exited({ category: 'autre', reason: 'rsa_rights_closed' })]);
    });

    it('decides nothing when the same exit is sent again', () => {
      given(aParcoursExitedOn15March).when(exitParcours()).thenNothingHappens();
    });

    it('refuses another exit of an exited parcours', () => {
      given(aParcoursExitedOn15March).when(exitParcours({ exitedOn: '2026-03-16' })).thenRefused('parcours_exited');
    });

    it('refuses an exit before the current référent took over', () => {
      given(aParcoursFollowedByClaire).when(exitParcours({ exitedOn: '2026-02-11' })).thenRefused('invalid_period');
    });

    it('refuses an exit before the engagement contract was signed', () => {
      given([...aParcoursOrientedTowardsSocioProfessionnel40DaysAgo, engagementContractSigned()])
        .when(exitParcours({ exitedOn: '2026-02-19' }))
        .thenRefused('invalid_period');
    });

    it('refuses an exit dated tomorrow', () => {
      given(aParcoursFollowedByClaire).when(exitParcours({ exitedOn: '2026-03-21' })).thenRefused('date_in_future');
    });
  });

  describe('ReopenParcours', () => {
    it('reopens an exited parcours', () => {
      given(aParcoursExitedOn15March).when(reopenParcours()).then([reopened()]);
    });

    it('refuses to reopen a parcours that did not exit', () => {
      given(aParcoursFollowedByClaire).when(reopenParcours()).thenRefused('parcours_not_exited');
    });

    it('decides nothing when the same reopening is sent again', () => {
      given([...aParcoursExitedOn15March, reopened()]).when(reopenParcours()).thenNothingHappens();
    });

    it('refuses a reopening before the exit', () => {
      given(aParcoursExitedOn15March).when(reopenParcours({ reopenedOn: '2026-03-14' })).thenRefused('invalid_period');
    });

    it('accepts commands again once reopened, starting with a new référent', () => {
      given([...aParcoursExitedOn15March, reopened()])
        .when(assignReferent(claire, { assignedOn: '2026-03-19' }))
        .then([referentAssigned(CLAIRE_AT_CD, CONSEIL_DEPARTEMENTAL, '2026-03-19')]);
    });
  });

  describe('the rights of the person and retention', () => {
    const rectifyIdentity = (o: Partial<RectifyIdentity> = {}): RectifyIdentity => ({
      type: 'RectifyIdentity',
      ...base,
      identity: { ciphertext: 'v1.rectified.identity' },
      fields: ['lastName'],
      ageBandAtEntry: '26_to_49',
      rectifiedOn: '2026-03-10',
      ...o,
    });
    const restrictProcessing = (o: Partial<RestrictProcessing> = {}): RestrictProcessing => ({
      type: 'RestrictProcessing',
      ...base,
      right: 'restriction',
      ground: 'accuracy_contested',
      restrictedOn: '2026-03-05',
      ...o,
    });
    const liftRestriction = (o: Partial<LiftProcessingRestriction> = {}): LiftProcessingRestriction => ({
      type: 'LiftProcessingRestriction',
      ...base,
      right: 'restriction',
      liftedOn: '2026-03-12',
      ...o,
    });
    const archiveParcours = (o: Partial<ArchiveParcours> = {}): ArchiveParcours => ({
      type: 'ArchiveParcours',
      ...base,
      archivedOn: '2026-03-20',
      lastActivityOn: '2026-03-02',
      ...o,
    });
    const erase = (o: Partial<ErasePersonalData> = {}): ErasePersonalData => ({
      type: 'ErasePersonalData',
      ...base,
      legalGround: 'erasure_request_granted',
      erasedOn: '2026-03-19',
      ...o,
    });
    const aParcoursArchived = [...aParcoursFollowedByClaire, archived({ archivedOn: '2026-03-20' })];
    const aParcoursRestricted = [...aParcoursFollowedByClaire, processingRestricted()];

    it('records a contact with its encrypted note, and knows a retry by its id whatever the new ciphertext', () => {
      const withNote = recordContact({ note: { ciphertext: 'v1.note.a' } });
      given(aParcoursFollowedByClaire).when(withNote).then([contactRecorded({ note: { ciphertext: 'v1.note.a' } })]);
      const recorded = [...aParcoursFollowedByClaire, contactRecorded({ note: { ciphertext: 'v1.note.a' } })];
      given(recorded).when(recordContact({ note: { ciphertext: 'v1.note.b' } })).thenNothingHappens();
      given(recorded).when(recordContact()).thenRefused('id_already_used');
    });

    it.each(everyCommandOnAnExistingParcours.map((command) => [command.type, command] as const))(
      '%s on an archived parcours is refused',
      (_type, command) => {
        given(aParcoursArchived).when(command).thenRefused('parcours_archived');
      },
    );

    it.each(everyCommandOnAnExistingParcours.map((command) => [command.type, command] as const))(
      '%s under a restriction of processing is refused',
      (_type, command) => {
        given(aParcoursRestricted).when(command).thenRefused('processing_restricted');
      },
    );

    it('lets the accompaniment go on under an opposition', () => {
      given([...aParcoursFollowedByClaire, processingRestricted({ right: 'opposition', ground: 'particular_situation' })])
        .when(recordContact())
        .then([contactRecorded()]);
    });

    it('rectifies the identity, on an exited or archived parcours too', () => {
      const expected = [identityRectified()];
      given(aParcoursFollowedByClaire).when(rectifyIdentity()).then(expected);
      given(aParcoursExitedOn15March).when(rectifyIdentity()).then(expected);
      given(aParcoursArchived).when(rectifyIdentity()).then(expected);
      given(aParcoursFollowedByClaire).when(rectifyIdentity({ fields: ['lastName', 'lastName', 'birthDate'] })).then([identityRectified({ fields: ['lastName', 'birthDate'] })]);
    });

    it('decides nothing when no field differs from the identity held (a retry)', () => {
      given(aParcoursFollowedByClaire).when(rectifyIdentity({ fields: [] })).thenNothingHappens();
    });

    it('refuses a rectification that names an unknown field, or is dated tomorrow', () => {
      given(aParcoursFollowedByClaire).when(rectifyIdentity({ fields: ['shoeSize' as never] })).thenRefused('invalid_rectification');
      given(aParcoursFollowedByClaire).when(rectifyIdentity({ rectifiedOn: '2026-03-21' })).thenRefused('date_in_future');
      given(aParcoursWhosePersonalDataWereErased).when(rectifyIdentity()).thenRefused('personal_data_erased');
    });

    it('restricts processing once per right, and refuses another ground while one is in force', () => {
      given(aParcoursFollowedByClaire).when(restrictProcessing()).then([processingRestricted()]);
      given(aParcoursRestricted).when(restrictProcessing()).thenNothingHappens();
      given(aParcoursRestricted).when(restrictProcessing({ ground: 'needed_for_legal_claims' })).thenRefused('processing_already_restricted');
      given(aParcoursRestricted)
        .when(restrictProcessing({ right: 'opposition', ground: 'particular_situation' }))
        .then([processingRestricted({ right: 'opposition', ground: 'particular_situation' })]);
    });

    it('lifts a restriction in force, not before it began, and decides nothing when none is', () => {
      given(aParcoursRestricted).when(liftRestriction()).then([processingRestrictionLifted()]);
      given(aParcoursFollowedByClaire).when(liftRestriction()).thenNothingHappens();
      given(aParcoursRestricted).when(liftRestriction({ liftedOn: '2026-03-04' })).thenRefused('invalid_period');
      given([...aParcoursRestricted, processingRestrictionLifted()]).when(recordContact()).then([contactRecorded()]);
    });

    it('refuses a right dated before the entry: a replay as the facts were would find it before the parcours', () => {
      given(aParcoursFollowedByClaire).when(rectifyIdentity({ rectifiedOn: '2025-12-31' })).thenRefused('date_before_entry');
      given(aParcoursFollowedByClaire).when(restrictProcessing({ restrictedOn: '2025-12-31' })).thenRefused('date_before_entry');
      given(aParcoursRestricted).when(liftRestriction({ liftedOn: '2025-12-31' })).thenRefused('date_before_entry');
    });

    it('archives once, not before the last activity', () => {
      given(aParcoursFollowedByClaire).when(archiveParcours()).then([archived({ archivedOn: '2026-03-20' })]);
      given(aParcoursArchived).when(archiveParcours()).thenNothingHappens();
      given(aParcoursFollowedByClaire).when(archiveParcours({ archivedOn: '2026-03-01' })).thenRefused('invalid_period');
    });

    it('archives a parcours erased on request when its time comes: it must leave the active base too', () => {
      given(aParcoursWhosePersonalDataWereErased).when(archiveParcours()).then([archived({ archivedOn: '2026-03-20' })]);
    });

    it('erases once, whatever the status, and refuses everything after but erasing again', () => {
      given(aParcoursFollowedByClaire).when(erase()).then([personalDataErased()]);
      given(aParcoursArchived).when(erase()).then([personalDataErased()]);
      given(aParcoursRestricted).when(erase()).then([personalDataErased()]);
      given(aParcoursWhosePersonalDataWereErased).when(erase({ legalGround: 'retention_period_elapsed' })).thenNothingHappens();
      given(aParcoursWhosePersonalDataWereErased).when(restrictProcessing()).thenRefused('personal_data_erased');
    });
  });
});
