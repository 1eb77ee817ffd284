/**
 * R8 — employment contract ended with no next step (IAE *sorties dynamiques*).
 *
 * - The clock starts on the contract's `endedOn` (its last day) and gives the next step
 *   `breachAfterDays` days after it.
 * - A next step: another employment contract started, an engagement contract signed, an action
 *   prescribed, or the exit (of any category). On the same day as the end it counts even if
 *   recorded first.
 * - "Unless the parcours exited `emploi_durable`": the exit stops every clock, and a contract that
 *   ends while the parcours is exited (the job that was the durable exit, running on after it)
 *   starts none. A reopening does not start one either: R2 and R4 then watch the new start.
 * - Suspension stops it: the next step needs the beneficiary, whom the remobilisation is after.
 *   So does a restriction of processing, during which no next step can be recorded.
 * - The archive ends it as the exit does.
 */
import { continuityRule, dayClock, settle, type RuleClock, type ContinuityRule, type RuleClocks } from '../rule-clock.js';

export const r8Clocks: RuleClocks = (timeline, policy) => {
  const clocks: RuleClock[] = [];
  let clock: RuleClock | null = null;
  let exited = false;
  let lastNextStepDay = -Infinity;
  for (const entry of timeline.entries) {
    const event = entry.event;
    switch (event.type) {
      case 'EmploymentContractEnded':
        if (!exited && clock === null && lastNextStepDay !== entry.day) clock = dayClock(timeline, policy, 'R8', entry, true);
        break;
      case 'EmploymentContractStarted':
      case 'EngagementContractSigned':
      case 'ActionPrescribed':
        lastNextStepDay = entry.day;
        if (clock !== null) settle(clocks, clock, entry);
        clock = null;
        break;
      case 'ParcoursExited':
      case 'ParcoursArchived':
        exited = true;
        if (clock !== null) settle(clocks, clock, entry);
        clock = null;
        break;
      case 'ParcoursReopened':
        exited = false;
        break;
      // Not facts of this rule.
      case 'ParcoursOpened':
      case 'DiagnosticRecorded':
      case 'OrientationDecided':
      case 'ReorientationRequested':
      case 'ReorientationDecided':
      case 'ReferentAssigned':
      case 'ReferentReleased':
      case 'FollowUpMemberJoined':
      case 'FollowUpMemberLeft':
      case 'AppointmentRecorded':
      case 'ContactRecorded':
      case 'EngagementContractEnded':
      case 'ActionStatusChanged':
      case 'ParcoursSuspended':
      case 'ParcoursResumed':
      case 'PersonalDataErased':
      case 'IdentityRectified':
      case 'ProcessingRestricted':
      case 'ProcessingRestrictionLifted':
      case 'FranceTravailRegistered':
      case 'RsaRightsRecorded':
        break;
    }
  }
  if (clock !== null) settle(clocks, clock, null);
  return clocks;
};

export const employmentEndedWithoutNextStep: ContinuityRule = continuityRule(r8Clocks);
