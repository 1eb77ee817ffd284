/**
 * R5 — engagement contract expired, parcours still open, no new contract (validity of the CE,
 * CER, PPAE…). Each signed contract is watched until the next one is signed or the parcours exits
 * or is archived:
 *
 * - breach from the day after the contract's last day (`endsOn`, or an earlier end recorded by
 *   EngagementContractEnded — `endedOn` is the last day covered) plus `breachAfterDays`;
 * - warning from `warningBeforeDays` before `endsOn` (from the signature for a shorter contract),
 *   unless the contract ended early before that window: an early end cannot be foreseen;
 * - the policy entry is the one in force on the contract's last day (the day of the fact);
 * - a CER or a PPAE (2021 SPIE regime) is valid at most until 31 December 2026, the end of the
 *   two years the décret n° 2024-1244 gives to conclude a contrat d'engagement with everyone
 *   accompanied on 1 January 2025: past that day it has expired, whatever its own term says.
 *
 * A contract renewed inside the warning window leaves a closed warning: it did run close to its
 * term. Suspension stops the breach clock from the day after the contract's end (refusing or
 * breaching the contract is what the suspension-remobilisation answers); it does not move the
 * warning, which only anticipates a known date. A restriction of processing stops it as a
 * suspension does. The exit and the archive end the watch; a reopening is R2's.
 */
import type { EngagementContractSignedData } from '../../parcours/domain/events.js';
import { effectiveContractEnd } from '../../parcours/domain/regimes.js';
import { dayNumber, type DayNumber } from '../../kernel/calendar.js';
import { continuityRule, judgedBy, onsetAfter, onsetOn, stopwatch, type RuleClock, type ContinuityRule, type RuleClocks } from '../rule-clock.js';
import { readHistory, type Facts } from '../rule-facts.js';
import { resolveThresholds, type ContinuityPolicy } from '../policy.js';
import type { Entry, ParcoursHistory } from '../parcours-history.js';

interface WatchedContract {
  signed: Entry;
  data: EngagementContractSignedData;
  endsDay: DayNumber;
  /** An EngagementContractEnded before the term. */
  endedEarly: Entry | null;
}

export const r5Clocks: RuleClocks = (timeline, policy) => {
  // What runs is the contract watched: its clock is made when the watch stops, an early end known by then.
  const watch = stopwatch((contract: WatchedContract) => expiryClock(timeline, policy, contract));
  const facts: Facts<'R5'> = {
    EngagementContractSigned: (entry) => {
      watch.stop(entry);
      // A CER or a PPAE counts at most until the end of the transition (regimes.ts): a 2024
      // CER "until 2027-06-30" lapses on 2026-12-31 if no contrat d'engagement replaced it.
      const endsOn = effectiveContractEnd(entry.event.data.kind, entry.event.data.endsOn);
      watch.start(() => ({ signed: entry, data: { ...entry.event.data, endsOn }, endsDay: dayNumber(endsOn), endedEarly: null }));
    },
    EngagementContractEnded: (entry) => {
      const watched = watch.running;
      if (watched !== null && watched.data.contractId === entry.event.data.contractId && watched.endedEarly === null && entry.day < watched.endsDay) {
        watched.endedEarly = entry;
      }
    },
    ParcoursExited: watch.stop,
    ParcoursArchived: watch.stop,
  };
  return readHistory(timeline, facts, watch);
};

function expiryClock(timeline: ParcoursHistory, policy: ContinuityPolicy, contract: WatchedContract): RuleClock {
  const { signed, endedEarly, endsDay } = contract;
  const lastDay = endedEarly === null ? endsDay : endedEarly.day;
  const applied = resolveThresholds(policy, 'R5', endedEarly === null ? contract.data.endsOn : endedEarly.on, timeline.territory);
  const { warningBeforeDays, breachAfterDays } = applied.thresholds;
  const warningDay = warningBeforeDays === null ? null : Math.max(endsDay - warningBeforeDays, signed.day);
  return {
    rule: judgedBy('R5', applied),
    warning: warningDay === null || (endedEarly !== null && endedEarly.day < warningDay) ? null : onsetOn(warningDay),
    breach: onsetAfter(timeline, lastDay, breachAfterDays, true),
    started: endedEarly === null ? [signed.event] : [signed.event, endedEarly.event],
    end: null,
  };
}

export const engagementContractExpired: ContinuityRule = continuityRule(r5Clocks);
