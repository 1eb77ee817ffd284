/**
 * R10 — référent handover gap: released before the next one is assigned. The clock starts on the
 * release and stops at the next assignment, the exit or the archive; the decider's handover
 * (release and assignment on the same day) never fires it. A release because the parcours exits starts none:
 * nobody is due. Neither a suspension nor a restriction of processing stops it: the
 * remobilisation needs a référent.
 */
import { continuityRule, dayClock, type ContinuityRule } from '../rule-clock.js';
import { ruleClocks } from '../rule-facts.js';

export const r10Clocks = ruleClocks('R10', (timeline, policy, clock) => ({
  ReferentReleased: (entry) => {
    if (entry.event.data.reason !== 'parcours_exited') clock.start(() => dayClock(timeline, policy, 'R10', entry, false));
  },
  ReferentAssigned: clock.stop,
  ParcoursExited: clock.stop,
  ParcoursArchived: clock.stop,
}));

export const referentHandoverGap: ContinuityRule = continuityRule(r10Clocks);
