/**
 * R4 — open parcours without an active référent (référent unique principle).
 *
 * DESIGN §6: "an open parcours without an active référent for more than 15 days" — every period
 * without one, not only the first. A clock starts
 * - on the orientation decision when nobody is named yet (not at entry: before the orientation
 *   there is no organisme référent to name anyone, and R1 already watches that period);
 * - on every release of a référent of an oriented parcours (except the release the exit itself
 *   writes): a référent released on 1 June and replaced on 20 June is 19 days without one;
 * - on the reopening of an oriented parcours (the exit released its référent).
 * It stops at the next référent assigned, or at the exit or the archive. R10 watches the same
 * release with its own, shorter, threshold (the handover): both findings hold, each with its
 * threshold and source. The decider's same-day handover (release then assign) starts and stops a
 * clock the same day, which never fires.
 * Neither a suspension nor a restriction of processing stops it: naming a référent is the
 * institution's duty, and remobilisation needs one.
 */
import { continuityRule, dayClock, settle, type RuleClock, type ContinuityRule, type RuleClocks } from '../rule-clock.js';
import type { ContinuityEvent } from '../parcours-history.js';

export const r4Clocks: RuleClocks = (timeline, policy) => {
  const clocks: RuleClock[] = [];
  let clock: RuleClock | null = null;
  let orientation: ContinuityEvent | null = null;
  let referentActive = false;
  for (const entry of timeline.entries) {
    const event = entry.event;
    switch (event.type) {
      case 'OrientationDecided':
        orientation = event;
        if (!referentActive && clock === null) clock = dayClock(timeline, policy, 'R4', entry, false);
        break;
      case 'ReferentAssigned':
        referentActive = true;
        if (clock !== null) settle(clocks, clock, entry);
        clock = null;
        break;
      case 'ReferentReleased':
        referentActive = false;
        if (orientation !== null && clock === null && event.data.reason !== 'parcours_exited') clock = dayClock(timeline, policy, 'R4', entry, false);
        break;
      case 'ParcoursExited':
      case 'ParcoursArchived':
        if (clock !== null) settle(clocks, clock, entry);
        clock = null;
        break;
      case 'ParcoursReopened':
        if (orientation !== null && !referentActive && clock === null) {
          clock = dayClock(timeline, policy, 'R4', entry, false, [event, orientation]);
        }
        break;
      // Not facts of this rule.
      case 'ParcoursOpened':
      case 'DiagnosticRecorded':
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

export const orientedWithoutReferent: ContinuityRule = continuityRule(r4Clocks);
