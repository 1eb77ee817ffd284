/**
 * R9 — no contact while accompanied (*décrochage*).
 *
 * - Accompanied: while the parcours has an active référent. A release followed by an assignment
 *   on the same day (a handover) keeps the accompaniment, and its clock, going: a new référent is
 *   not a contact with the beneficiary.
 * - Contacts: ContactRecorded and appointments of any kind with outcome `seen` (as `evolve`'s
 *   `lastContactOn`). Each contact restarts the clock; the first one counts from the assignment,
 *   so a newly named référent is not blamed for the months without one (R4, R10 cover those).
 * - It stops when the accompaniment ends (a release not followed by a same-day assignment) or at
 *   the exit or the archive.
 * - Suspension stops it: the remobilisation procedure is the answer to a beneficiary who no
 *   longer answers. So does a restriction of processing: no contact can be recorded meanwhile.
 */
import { continuityRule, dayClock, settle, type RuleClock, type ContinuityRule, type RuleClocks } from '../rule-clock.js';
import type { Entry } from '../parcours-history.js';

export const r9Clocks: RuleClocks = (timeline, policy) => {
  const clocks: RuleClock[] = [];
  // Non-null exactly while accompanied.
  let clock: RuleClock | null = null;
  let release: Entry | null = null;
  for (const entry of timeline.entries) {
    if (release !== null && entry.day > release.day) {
      if (clock !== null) settle(clocks, clock, release);
      clock = null;
      release = null;
    }
    const event = entry.event;
    switch (event.type) {
      case 'ReferentAssigned':
        if (release !== null) release = null;
        else clock ??= dayClock(timeline, policy, 'R9', entry, true);
        break;
      case 'ReferentReleased':
        if (clock !== null) release = entry;
        break;
      case 'ContactRecorded':
      case 'AppointmentRecorded':
        if (clock === null || (event.type === 'AppointmentRecorded' && event.data.outcome !== 'seen')) break;
        settle(clocks, clock, entry);
        clock = dayClock(timeline, policy, 'R9', entry, true);
        break;
      case 'ParcoursExited':
      case 'ParcoursArchived':
        if (clock !== null) settle(clocks, clock, entry);
        clock = null;
        release = null;
        break;
      // Not facts of this rule.
      case 'ParcoursOpened':
      case 'DiagnosticRecorded':
      case 'OrientationDecided':
      case 'ReorientationRequested':
      case 'ReorientationDecided':
      case 'FollowUpMemberJoined':
      case 'FollowUpMemberLeft':
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
  if (release !== null && clock !== null) {
    settle(clocks, clock, release);
    clock = null;
  }
  if (clock !== null) settle(clocks, clock, null);
  return clocks;
};

export const noContactWhileAccompanied: ContinuityRule = continuityRule(r9Clocks);
