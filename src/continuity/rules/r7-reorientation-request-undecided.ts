/**
 * R7 — reorientation request undecided (field practice: hand-offs are the main rupture point).
 * The clock starts on `requestedOn` and stops at the decision, accepted or not, or at the exit
 * (which makes the request moot, as in `evolve`) or the archive. Neither a suspension nor a
 * restriction of processing stops it: deciding is the institution's duty.
 */
import { continuityRule, dayClock, settle, type RuleClock, type ContinuityRule, type RuleClocks } from '../rule-clock.js';

export const r7Clocks: RuleClocks = (timeline, policy) => {
  const clocks: RuleClock[] = [];
  let clock: RuleClock | null = null;
  for (const entry of timeline.entries) {
    const event = entry.event;
    switch (event.type) {
      case 'ReorientationRequested':
        clock ??= dayClock(timeline, policy, 'R7', entry, false);
        break;
      case 'ReorientationDecided':
      case 'ParcoursExited':
      case 'ParcoursArchived':
        if (clock !== null) settle(clocks, clock, entry);
        clock = null;
        break;
      // Not facts of this rule.
      case 'ParcoursOpened':
      case 'DiagnosticRecorded':
      case 'OrientationDecided':
      case 'ReferentAssigned':
      case 'ReferentReleased':
      case 'FollowUpMemberJoined':
      case 'FollowUpMemberLeft':
      case 'AppointmentRecorded':
      case 'ContactRecorded':
      case 'EngagementContractSigned':
      case 'EngagementContractEnded':
      case 'ActionPrescribed':
      case 'ActionStatusChanged':
      case 'EmploymentContractStarted':
      case 'EmploymentContractEnded':
      case 'ParcoursSuspended':
      case 'ParcoursResumed':
      case 'ParcoursReopened':
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

export const reorientationRequestUndecided: ContinuityRule = continuityRule(r7Clocks);
