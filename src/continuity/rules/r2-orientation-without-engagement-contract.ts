/**
 * R2 — orientation notified without an engagement contract (L. 262-35/36 CASF before 2025:
 * PPAE within one month of an emploi orientation, CER within two months otherwise; D. 5411-14-1
 * since the loi pour le plein emploi: contrat d'engagement within one month for all). The policy
 * entry is the one in force on the notification date, for the parcours type of the orientation.
 *
 * - The clock starts on `notifiedOn`: an orientation never notified (or notified after the audit
 *   date) has not started it. A contract still in force on that day (a PPAE signed at
 *   registration) satisfies the rule at once.
 * - Any engagement contract signed stops it, whatever its kind.
 * - A reopened, oriented parcours needs a new contract (the exit ended the previous one): the
 *   clock starts again at the reopening, for the current parcours type.
 * - An accepted reorientation does not start it: the contract in force goes on, and R5 watches
 *   a contract ended for the reorientation without a successor.
 * - Suspension stops it: refusing the contract is a ground of the suspension-remobilisation,
 *   which then is the institution's answer. So does a restriction of processing (nothing can be
 *   recorded, a contract neither). The exit and the archive end it.
 */
import type { ParcoursType } from '../../parcours/domain/events.js';
import { addMonthsToDay, dayNumber, type DayNumber } from '../../kernel/calendar.js';
import { continuityRule, judgedBy, onsetAfter, settle, type RuleClock, type ContinuityRule, type RuleClocks } from '../rule-clock.js';
import { resolveThresholds, type ContinuityPolicy } from '../policy.js';
import type { ContinuityEvent, ParcoursHistory } from '../parcours-history.js';

interface ContractInForce {
  contractId: string;
  /** The last day the contract covers: its term, or an earlier end. */
  lastDay: DayNumber;
}

export const r2Clocks: RuleClocks = (timeline, policy) => {
  const clocks: RuleClock[] = [];
  let clock: RuleClock | null = null;
  let parcoursType: ParcoursType | null = null;
  let orientation: ContinuityEvent | null = null;
  let contract: ContractInForce | null = null;
  for (const entry of timeline.entries) {
    const event = entry.event;
    switch (event.type) {
      case 'OrientationDecided': {
        parcoursType = event.data.parcoursType;
        orientation = event;
        const notifiedOn = event.data.notifiedOn;
        if (notifiedOn === null || notifiedOn > timeline.asOf || clock !== null) break;
        const notifiedDay = dayNumber(notifiedOn);
        if (contract !== null && contract.lastDay >= notifiedDay) break;
        clock = contractDue(timeline, policy, notifiedOn, notifiedDay, parcoursType, [event]);
        break;
      }
      case 'ReorientationDecided':
        if (event.data.accepted) {
          parcoursType = event.data.parcoursType;
          orientation = event;
        }
        break;
      case 'EngagementContractSigned':
        contract = { contractId: event.data.contractId, lastDay: dayNumber(event.data.endsOn) };
        if (clock !== null) settle(clocks, clock, entry);
        clock = null;
        break;
      case 'EngagementContractEnded':
        if (contract !== null && contract.contractId === event.data.contractId) contract.lastDay = Math.min(contract.lastDay, entry.day);
        break;
      case 'ParcoursExited':
      case 'ParcoursArchived':
        if (clock !== null) settle(clocks, clock, entry);
        clock = null;
        break;
      case 'ParcoursReopened':
        if (parcoursType !== null && orientation !== null && clock === null && (contract === null || contract.lastDay < entry.day)) {
          clock = contractDue(timeline, policy, entry.on, entry.day, parcoursType, [event, orientation]);
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
      case 'AppointmentRecorded':
      case 'ContactRecorded':
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

function contractDue(
  timeline: ParcoursHistory,
  policy: ContinuityPolicy,
  startOn: string,
  startDay: DayNumber,
  parcoursType: ParcoursType,
  started: readonly ContinuityEvent[],
): RuleClock {
  const applied = resolveThresholds(policy, 'R2', startOn, timeline.territory);
  const dueDay = addMonthsToDay(startDay, applied.thresholds.breachAfterMonths[parcoursType]);
  return { rule: judgedBy('R2', applied), warning: null, breach: onsetAfter(timeline, startDay, dueDay - startDay, true), started, end: null };
}

export const orientationWithoutEngagementContract: ContinuityRule = continuityRule(r2Clocks);

