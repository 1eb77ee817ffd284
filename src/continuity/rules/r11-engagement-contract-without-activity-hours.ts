/**
 * R11 — contrat d'engagement without its weekly activity hours (loi 2023-1196 pour le plein
 * emploi, from 1 January 2025: at least 15 hours a week, lowered or waived according to the
 * person's situation, the reason stated).
 *
 * A contrat d'engagement signed with fewer hours than the policy's minimum and no coded reduction
 * or exemption (`activityHoursAdjustment`) is a breach from its signature: the duty is the
 * contract's content, nothing is "late". It holds until that contract ends (a new contract putting
 * it right replaces it), or the parcours exits or is archived. The minimum is the one in force on
 * the signature; the 2021 SPIE entry has none (`null`): a CER or a PPAE had no activity duty, and
 * a CEJ or a PACEA is not concerned either. Neither a suspension nor a restriction changes
 * anything: the contract's content does not run out.
 */
import { continuityRule, judgedBy, onsetOn, type ContinuityRule } from '../rule-clock.js';
import { ruleClocks } from '../rule-facts.js';
import type { Entry } from '../parcours-history.js';
import { resolveThresholds } from '../policy.js';

export const r11Clocks = ruleClocks('R11', (timeline, policy, clock) => {
  let contractId: string | null = null;
  const stop = (end: Entry) => {
    clock.stop(end);
    contractId = null;
  };
  return {
    EngagementContractSigned: (entry) => {
      stop(entry);
      const { kind, weeklyActivityHours, activityHoursAdjustment } = entry.event.data;
      if (kind !== 'CE') return;
      const applied = resolveThresholds(policy, 'R11', entry.on, timeline.territory);
      const minimum = applied.thresholds.minimumWeeklyHours;
      if (minimum === null || weeklyActivityHours >= minimum || activityHoursAdjustment !== null) return;
      clock.start(() => ({ rule: judgedBy('R11', applied), warning: null, breach: onsetOn(entry.day), started: [entry.event], end: null }));
      contractId = entry.event.data.contractId;
    },
    EngagementContractEnded: (entry) => {
      if (entry.event.data.contractId === contractId) stop(entry);
    },
    ParcoursExited: stop,
    ParcoursArchived: stop,
  };
});

export const engagementContractWithoutActivityHours: ContinuityRule = continuityRule(r11Clocks);
