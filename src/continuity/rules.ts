/**
 * The continuity rules of DESIGN §6 (R1–R10) and R11 (the activity hours of a contrat d'engagement) together. Each rule is a pure function of the events of
 * one parcours, an audit date and a policy (files under `rules/`, one per rule, with the
 * interpretation it takes); `evaluateContinuity` runs them all over one shared timeline: the
 * events are cut at the audit date and ordered once, then each rule makes one linear pass.
 */
import { continuityRule, type RuleClock, type ContinuityRule, type RuleClocks } from './rule-clock.js';
import type { ContinuityPolicy, RuleId } from './policy.js';
import { entryWithoutOrientation, r1Clocks } from './rules/r1-entry-without-orientation.js';
import { orientationWithoutEngagementContract, r2Clocks } from './rules/r2-orientation-without-engagement-contract.js';
import { orientationWithoutFirstAccompaniment, r3Clocks } from './rules/r3-orientation-without-first-accompaniment.js';
import { orientedWithoutReferent, r4Clocks } from './rules/r4-oriented-without-referent.js';
import { engagementContractExpired, r5Clocks } from './rules/r5-engagement-contract-expired.js';
import { r6Clocks, socialParcoursWithoutReexamination } from './rules/r6-social-parcours-without-reexamination.js';
import { r7Clocks, reorientationRequestUndecided } from './rules/r7-reorientation-request-undecided.js';
import { employmentEndedWithoutNextStep, r8Clocks } from './rules/r8-employment-ended-without-next-step.js';
import { noContactWhileAccompanied, r9Clocks } from './rules/r9-no-contact-while-accompanied.js';
import { r10Clocks, referentHandoverGap } from './rules/r10-referent-handover-gap.js';
import { engagementContractWithoutActivityHours, r11Clocks } from './rules/r11-engagement-contract-without-activity-hours.js';
import type { ParcoursHistory } from './parcours-history.js';

/** Each rule on its own, by id: `RULES.R1(events, asOf, policy)`. */
export const RULES: { readonly [R in RuleId]: ContinuityRule } = {
  R1: entryWithoutOrientation,
  R2: orientationWithoutEngagementContract,
  R3: orientationWithoutFirstAccompaniment,
  R4: orientedWithoutReferent,
  R5: engagementContractExpired,
  R6: socialParcoursWithoutReexamination,
  R7: reorientationRequestUndecided,
  R8: employmentEndedWithoutNextStep,
  R9: noContactWhileAccompanied,
  R10: referentHandoverGap,
  R11: engagementContractWithoutActivityHours,
};

const CLOCKS: readonly RuleClocks[] = [r1Clocks, r2Clocks, r3Clocks, r4Clocks, r5Clocks, r6Clocks, r7Clocks, r8Clocks, r9Clocks, r10Clocks, r11Clocks];

/** Every clock of every rule that is still running or fired, in rule order. */
export function allClocks(timeline: ParcoursHistory, policy: ContinuityPolicy): RuleClock[] {
  const clocks: RuleClock[] = [];
  for (const clocksOf of CLOCKS) for (const clock of clocksOf(timeline, policy)) clocks.push(clock);
  return clocks;
}

/**
 * All findings of one parcours as of `asOf` (a calendar date, Europe/Paris), in rule order, each
 * rule's in chronological order. Only events dated on or before `asOf` count (see timeline.ts on
 * back-dating). `territory` replaces the one of ParcoursOpened for the policy overrides.
 */
export const evaluateContinuity: ContinuityRule = continuityRule(allClocks);
