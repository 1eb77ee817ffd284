/**
 * R1 — entry without an orientation decision (D. 262-65-2 CASF: France Travail orients by default
 * after six weeks). The clock starts at entry and stops at the orientation decision, the exit or
 * the archive;
 * a parcours reopened before it was ever oriented awaits its orientation again from the reopening.
 * Neither a suspension nor a restriction of processing stops it: orienting is the institution's
 * duty, and the default orientation is the legal remedy precisely when it lags.
 */
import { continuityRule, dayClock, settle, type RuleClock, type ContinuityRule, type RuleClocks } from '../rule-clock.js';

export const r1Clocks: RuleClocks = (timeline, policy) => {
  const clocks: RuleClock[] = [];
  let clock: RuleClock | null = null;
  let oriented = false;
  for (const entry of timeline.entries) {
    const event = entry.event;
    switch (event.type) {
      case 'ParcoursOpened':
      case 'ParcoursReopened':
        if (!oriented && clock === null) clock = dayClock(timeline, policy, 'R1', entry, false);
        break;
      case 'OrientationDecided':
        oriented = true;
        if (clock !== null) settle(clocks, clock, entry);
        clock = null;
        break;
      case 'ParcoursExited':
      case 'ParcoursArchived':
        if (clock !== null) settle(clocks, clock, entry);
        clock = null;
        break;
      // Not facts of this rule (a reorientation presupposes an orientation).
      case 'DiagnosticRecorded':
      case 'ReorientationRequested':
      case 'ReorientationDecided':
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

export const entryWithoutOrientation: ContinuityRule = continuityRule(r1Clocks);
