/**
 * R7 — reorientation request undecided (field practice: hand-offs are the main rupture point).
 * The clock starts on `requestedOn` and stops at the decision, accepted or not, or at the exit
 * (which makes the request moot, as in `evolve`) or the archive. Neither a suspension nor a
 * restriction of processing stops it: deciding is the institution's duty.
 */
import { continuityRule, dayClock, type ContinuityRule } from '../rule-clock.js';
import { ruleClocks } from '../rule-facts.js';

export const r7Clocks = ruleClocks('R7', (timeline, policy, clock) => ({
  ReorientationRequested: (entry) => clock.start(() => dayClock(timeline, policy, 'R7', entry, false)),
  ReorientationDecided: clock.stop,
  ParcoursExited: clock.stop,
  ParcoursArchived: clock.stop,
}));

export const reorientationRequestUndecided: ContinuityRule = continuityRule(r7Clocks);
