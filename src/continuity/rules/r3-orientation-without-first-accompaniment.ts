/**
 * R3 — orientation without a first accompaniment appointment attended (the rdv-insertion
 * indicator). The clock starts on the orientation decision and stops at the first appointment of
 * kind `accompaniment` with outcome `seen` (held by any partner), or at the exit or the archive.
 *
 * - An accepted reorientation towards another organisme référent is a new orientation: the
 *   beneficiary must be seen again (hand-offs are where parcours break). A clock already running
 *   keeps its start: the wait began with the first orientation.
 * - A reopened parcours whose orientation never led to an attended appointment waits again from
 *   the reopening.
 * - Suspension stops it (a suspension for a missed appointment is the answer to that very miss),
 *   and so does a restriction of processing (no appointment can be recorded).
 * - An appointment attended the same day as the orientation counts even if recorded first.
 */
import type { OrientationDecided, ReorientationDecided } from '../../parcours/domain/events.js';
import { continuityRule, dayClock, settle, type RuleClock, type ContinuityRule, type RuleClocks } from '../rule-clock.js';
import type { ContinuityEvent } from '../parcours-history.js';

export const r3Clocks: RuleClocks = (timeline, policy) => {
  const clocks: RuleClock[] = [];
  let clock: RuleClock | null = null;
  let awaitingFirstAppointment = false;
  let organismeReferentId: string | null = null;
  let orientation: ContinuityEvent | null = null;
  let lastSeenDay = -Infinity;
  for (const entry of timeline.entries) {
    const event = entry.event;
    switch (event.type) {
      case 'OrientationDecided':
      case 'ReorientationDecided': {
        const towards = organismeReferentOf(event);
        if (towards === null || towards === organismeReferentId) break;
        organismeReferentId = towards;
        orientation = event;
        if (lastSeenDay === entry.day) break;
        awaitingFirstAppointment = true;
        clock ??= dayClock(timeline, policy, 'R3', entry, true);
        break;
      }
      case 'AppointmentRecorded':
        if (event.data.kind !== 'accompaniment' || event.data.outcome !== 'seen') break;
        lastSeenDay = entry.day;
        awaitingFirstAppointment = false;
        if (clock !== null) settle(clocks, clock, entry);
        clock = null;
        break;
      case 'ParcoursExited':
      case 'ParcoursArchived':
        if (clock !== null) settle(clocks, clock, entry);
        clock = null;
        break;
      case 'ParcoursReopened':
        if (awaitingFirstAppointment && orientation !== null && clock === null) {
          clock = dayClock(timeline, policy, 'R3', entry, true, [event, orientation]);
        }
        break;
      // Not facts of this rule.
      case 'ParcoursOpened':
      case 'DiagnosticRecorded':
      case 'ReorientationRequested':
      case 'ReferentAssigned':
      case 'ReferentReleased':
      case 'FollowUpMemberJoined':
      case 'FollowUpMemberLeft':
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

/** The organisme référent an orientation decision sends the parcours to; null for a rejected reorientation. */
function organismeReferentOf(event: OrientationDecided | ReorientationDecided): string | null {
  if (event.type === 'OrientationDecided') return event.data.organismeReferentId;
  return event.data.accepted ? event.data.organismeReferentId : null;
}

export const orientationWithoutFirstAccompaniment: ContinuityRule = continuityRule(r3Clocks);
