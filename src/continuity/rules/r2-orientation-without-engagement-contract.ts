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
import { continuityRule, judgedBy, onsetAfter, type RuleClock, type ContinuityRule } from '../rule-clock.js';
import { ruleClocks } from '../rule-facts.js';
import { resolveThresholds, type ContinuityPolicy } from '../policy.js';
import type { ContinuityEvent, ParcoursHistory } from '../parcours-history.js';

interface ContractInForce {
  contractId: string;
  /** The last day the contract covers: its term, or an earlier end. */
  lastDay: DayNumber;
}

export const r2Clocks = ruleClocks('R2', (timeline, policy, clock) => {
  /** The orientation in force (accepted reorientations included), and the parcours type it set. */
  let orientation: { event: ContinuityEvent; parcoursType: ParcoursType } | null = null;
  let contract: ContractInForce | null = null;
  return {
    OrientationDecided: ({ event }) => {
      orientation = { event, parcoursType: event.data.parcoursType };
      const notifiedOn = event.data.notifiedOn;
      if (notifiedOn === null || notifiedOn > timeline.asOf || clock.running !== null) return;
      const notifiedDay = dayNumber(notifiedOn);
      if (contract !== null && contract.lastDay >= notifiedDay) return;
      clock.start(() => contractDue(timeline, policy, notifiedOn, notifiedDay, event.data.parcoursType, [event]));
    },
    ReorientationDecided: ({ event }) => {
      if (event.data.accepted) orientation = { event, parcoursType: event.data.parcoursType };
    },
    EngagementContractSigned: (entry) => {
      contract = { contractId: entry.event.data.contractId, lastDay: dayNumber(entry.event.data.endsOn) };
      clock.stop(entry);
    },
    EngagementContractEnded: (entry) => {
      if (contract !== null && contract.contractId === entry.event.data.contractId) contract.lastDay = Math.min(contract.lastDay, entry.day);
    },
    ParcoursExited: clock.stop,
    ParcoursArchived: clock.stop,
    ParcoursReopened: (entry) => {
      const current = orientation;
      if (current === null || (contract !== null && contract.lastDay >= entry.day)) return;
      clock.start(() => contractDue(timeline, policy, entry.on, entry.day, current.parcoursType, [entry.event, current.event]));
    },
  };
});

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

