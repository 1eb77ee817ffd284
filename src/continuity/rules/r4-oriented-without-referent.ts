/**
 * R4 — open parcours without an active référent (référent unique principle).
 *
 * The clock starts on the orientation decision, not at entry: before the orientation there is no
 * organisme référent to name anyone, and R1 already watches that period — counting from entry
 * would flag nearly every parcours twice. It stops at the first référent assigned, or at the exit
 * or the archive.
 * A reopened, oriented parcours (the exit released its référent) waits for one again from the
 * reopening. Later gaps, after a référent was released, are R10's: one rule per gap.
 * Neither a suspension nor a restriction of processing stops it: naming a référent is the
 * institution's duty, and remobilisation needs one.
 */
import { continuityRule, dayClock, settle, type Clock, type ContinuityRule, type RuleClocks } from '../clock.js';
import type { ContinuityEvent } from '../timeline.js';

export const r4Clocks: RuleClocks = (timeline, policy) => {
  const clocks: Clock[] = [];
  let clock: Clock | null = null;
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
        break;
    }
  }
  if (clock !== null) settle(clocks, clock, null);
  return clocks;
};

export const orientedWithoutReferent: ContinuityRule = continuityRule(r4Clocks);
