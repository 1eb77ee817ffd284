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
import { continuityRule, dayClock, type ContinuityRule } from '../rule-clock.js';
import { ruleClocks } from '../rule-facts.js';
import type { ContinuityEvent } from '../parcours-history.js';

export const r4Clocks = ruleClocks('R4', (timeline, policy, clock) => {
  let orientation: ContinuityEvent | null = null;
  let referentActive = false;
  return {
    OrientationDecided: (entry) => {
      orientation = entry.event;
      if (!referentActive) clock.start(() => dayClock(timeline, policy, 'R4', entry, false));
    },
    ReferentAssigned: (entry) => {
      referentActive = true;
      clock.stop(entry);
    },
    ReferentReleased: (entry) => {
      referentActive = false;
      if (orientation !== null && entry.event.data.reason !== 'parcours_exited') clock.start(() => dayClock(timeline, policy, 'R4', entry, false));
    },
    ParcoursExited: clock.stop,
    ParcoursArchived: clock.stop,
    ParcoursReopened: (entry) => {
      const oriented = orientation;
      if (oriented !== null && !referentActive) clock.start(() => dayClock(timeline, policy, 'R4', entry, false, [entry.event, oriented]));
    },
  };
});

export const orientedWithoutReferent: ContinuityRule = continuityRule(r4Clocks);
