/**
 * R10 — référent handover gap: released before the next one is assigned. The clock starts on the
 * release and stops at the next assignment, the exit or the archive; the decider's handover
 * (release and assignment on the same day) never fires it. A release because the parcours exits starts none:
 * nobody is due. Neither a suspension nor a restriction of processing stops it: the
 * remobilisation needs a référent.
 */
import { continuityRule, dayClock, settle, type RuleClock, type ContinuityRule, type RuleClocks } from '../rule-clock.js';

export const r10Clocks: RuleClocks = (timeline, policy) => {
  const clocks: RuleClock[] = [];
  let clock: RuleClock | null = null;
  for (const entry of timeline.entries) {
    const event = entry.event;
    switch (event.type) {
      case 'ReferentReleased':
        if (event.data.reason !== 'parcours_exited') clock ??= dayClock(timeline, policy, 'R10', entry, false);
        break;
      case 'ReferentAssigned':
      case 'ParcoursExited':
      case 'ParcoursArchived':
        if (clock !== null) settle(clocks, clock, entry);
        clock = null;
        break;
      // Not facts of this rule.
      case 'ParcoursOpened':
      case 'DiagnosticRecorded':
      case 'OrientationDecided':
      case 'ReorientationRequested':
      case 'ReorientationDecided':
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

export const referentHandoverGap: ContinuityRule = continuityRule(r10Clocks);
