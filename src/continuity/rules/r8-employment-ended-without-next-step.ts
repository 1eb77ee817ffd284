/**
 * R8 — employment contract ended with no next step (IAE *sorties dynamiques*).
 *
 * - The clock starts on the contract's `endedOn` (its last day) and gives the next step
 *   `breachAfterDays` days after it.
 * - A next step: another employment contract started, an engagement contract signed, an action
 *   prescribed, or the exit (of any category). On the same day as the end it counts even if
 *   recorded first.
 * - "Unless the parcours exited `emploi_durable`": the exit stops every clock, and a contract that
 *   ends while the parcours is exited (the job that was the durable exit, running on after it)
 *   starts none. A reopening does not start one either: R2 and R4 then watch the new start.
 * - Suspension stops it: the next step needs the beneficiary, whom the remobilisation is after.
 *   So does a restriction of processing, during which no next step can be recorded.
 * - The archive ends it as the exit does.
 */
import { continuityRule, dayClock, type ContinuityRule } from '../rule-clock.js';
import { ruleClocks } from '../rule-facts.js';
import type { Entry } from '../parcours-history.js';

export const r8Clocks = ruleClocks('R8', (timeline, policy, clock) => {
  let exited = false;
  let lastNextStepDay = -Infinity;
  const nextStep = (entry: Entry) => {
    lastNextStepDay = entry.day;
    clock.stop(entry);
  };
  const exit = (entry: Entry) => {
    exited = true;
    clock.stop(entry);
  };
  return {
    EmploymentContractEnded: (entry) => {
      if (!exited && lastNextStepDay !== entry.day) clock.start(() => dayClock(timeline, policy, 'R8', entry, true));
    },
    EmploymentContractStarted: nextStep,
    EngagementContractSigned: nextStep,
    ActionPrescribed: nextStep,
    ParcoursExited: exit,
    ParcoursArchived: exit,
    ParcoursReopened: () => {
      exited = false;
    },
  };
});

export const employmentEndedWithoutNextStep: ContinuityRule = continuityRule(r8Clocks);
