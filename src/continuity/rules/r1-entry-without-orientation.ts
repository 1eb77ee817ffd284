/**
 * R1 — entry without an orientation decision (D. 262-65-2 CASF: France Travail orients by default
 * after six weeks). The clock starts at entry and stops at the orientation decision, the exit or
 * the archive;
 * a parcours reopened before it was ever oriented awaits its orientation again from the reopening.
 * Neither a suspension nor a restriction of processing stops it: orienting is the institution's
 * duty, and the default orientation is the legal remedy precisely when it lags.
 */
import { continuityRule, dayClock, type ContinuityRule } from '../rule-clock.js';
import { ruleClocks } from '../rule-facts.js';
import type { Entry } from '../parcours-history.js';

export const r1Clocks = ruleClocks('R1', (timeline, policy, clock) => {
  let oriented = false;
  const awaitOrientation = (entry: Entry) => {
    if (!oriented) clock.start(() => dayClock(timeline, policy, 'R1', entry, false));
  };
  return {
    ParcoursOpened: awaitOrientation,
    ParcoursReopened: awaitOrientation,
    // A reorientation presupposes an orientation: not a fact of this rule.
    OrientationDecided: (entry) => {
      oriented = true;
      clock.stop(entry);
    },
    ParcoursExited: clock.stop,
    ParcoursArchived: clock.stop,
  };
});

export const entryWithoutOrientation: ContinuityRule = continuityRule(r1Clocks);
