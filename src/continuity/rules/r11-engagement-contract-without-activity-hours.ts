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
import { continuityRule, judgedBy, onsetOn, settle, type RuleClock, type ContinuityRule, type RuleClocks } from '../rule-clock.js';
import { resolveThresholds } from '../policy.js';

export const r11Clocks: RuleClocks = (timeline, policy) => {
  const clocks: RuleClock[] = [];
  let clock: RuleClock | null = null;
  let contractId: string | null = null;
  const stop = (end: Parameters<typeof settle>[2]) => {
    if (clock !== null) settle(clocks, clock, end);
    clock = null;
    contractId = null;
  };
  for (const entry of timeline.entries) {
    const event = entry.event;
    switch (event.type) {
      case 'EngagementContractSigned': {
        stop(entry);
        const { kind, weeklyActivityHours, activityHoursAdjustment } = event.data;
        if (kind !== 'CE') break;
        const applied = resolveThresholds(policy, 'R11', entry.on, timeline.territory);
        const minimum = applied.thresholds.minimumWeeklyHours;
        if (minimum === null || weeklyActivityHours >= minimum || activityHoursAdjustment !== null) break;
        clock = { rule: judgedBy('R11', applied), warning: null, breach: onsetOn(entry.day), started: [event], end: null };
        contractId = event.data.contractId;
        break;
      }
      case 'EngagementContractEnded':
        if (event.data.contractId === contractId) stop(entry);
        break;
      case 'ParcoursExited':
      case 'ParcoursArchived':
        stop(entry);
        break;
      default:
        break;
    }
  }
  if (clock !== null) settle(clocks, clock, null);
  return clocks;
};

export const engagementContractWithoutActivityHours: ContinuityRule = continuityRule(r11Clocks);
