/**
 * R6 — social parcours without a re-examination (L. 262-31 and D. 262-65-2-1 CASF: a social
 * orientation is re-examined within 6 months, 12 when the person's situation documents
 * vulnerabilities).
 *
 * - Re-examination: a new DiagnosticRecorded, or a ReorientationDecided (accepted or not — a
 *   rejection "current orientation suitable" is a review that concluded). Appointments are not:
 *   they are the accompaniment itself (R3, R9), not the review of the orientation the law asks
 *   for, and counting them would make R6 never fire on a followed parcours. A reorientation
 *   *request* is not either: R7 watches that it gets decided.
 * - Documented vulnerabilities: the latest diagnostic (by business date) known when the clock
 *   starts rates `health`, `housing` or `family` as a `strong` barrier — the freins that the
 *   équipes pluridisciplinaires treat as lasting. That diagnostic is part of the evidence.
 * - The clock starts when the parcours becomes social (orientation, accepted reorientation,
 *   reopening of a social parcours) and again at each re-examination; it stops for good when a
 *   reorientation leaves the social type, or at the exit or the archive.
 * - Neither a suspension nor a restriction of processing stops it: the re-examination is the
 *   institution's duty.
 */
import type { BarrierKind, Barriers } from '../../parcours/domain/events.js';
import { addMonthsToDay } from '../../kernel/calendar.js';
import { continuityRule, judgedBy, onsetAfter, type RuleClock, type ContinuityRule } from '../rule-clock.js';
import { ruleClocks } from '../rule-facts.js';
import { resolveThresholds, type ContinuityPolicy } from '../policy.js';
import type { ContinuityEvent, Entry, ParcoursHistory } from '../parcours-history.js';

export const VULNERABILITY_BARRIERS: readonly BarrierKind[] = ['health', 'housing', 'family'];

export function documentsVulnerabilities(barriers: Barriers): boolean {
  return VULNERABILITY_BARRIERS.some((kind) => barriers[kind] === 'strong');
}

export const r6Clocks = ruleClocks('R6', (timeline, policy, clock) => {
  let social = false;
  let latestDiagnostic: { event: ContinuityEvent; barriers: Barriers } | null = null;
  /** A re-examination, or the parcours becoming social: the clock starts again from `entry`. */
  const restart = (entry: Entry) => {
    clock.stop(entry);
    const diagnostic = latestDiagnostic;
    const vulnerable = diagnostic !== null && documentsVulnerabilities(diagnostic.barriers);
    const started = vulnerable && diagnostic.event !== entry.event ? [entry.event, diagnostic.event] : [entry.event];
    clock.start(() => reexaminationDue(timeline, policy, entry, vulnerable, started));
  };
  return {
    DiagnosticRecorded: (entry) => {
      latestDiagnostic = { event: entry.event, barriers: entry.event.data.barriers };
      if (social) restart(entry);
    },
    OrientationDecided: (entry) => {
      social = entry.event.data.parcoursType === 'social';
      if (social) restart(entry);
    },
    ReorientationDecided: (entry) => {
      if (entry.event.data.accepted) social = entry.event.data.parcoursType === 'social';
      if (social) restart(entry);
      else clock.stop(entry);
    },
    ParcoursExited: clock.stop,
    ParcoursArchived: clock.stop,
    ParcoursReopened: (entry) => {
      if (social) restart(entry);
    },
  };
});

function reexaminationDue(timeline: ParcoursHistory, policy: ContinuityPolicy, start: Entry, vulnerable: boolean, started: readonly ContinuityEvent[]): RuleClock {
  const applied = resolveThresholds(policy, 'R6', start.on, timeline.territory);
  const months = vulnerable ? applied.thresholds.breachAfterMonthsWithVulnerabilities : applied.thresholds.breachAfterMonths;
  const dueDay = addMonthsToDay(start.day, months);
  return { rule: judgedBy('R6', applied), warning: null, breach: onsetAfter(timeline, start.day, dueDay - start.day, false), started, end: null };
}

export const socialParcoursWithoutReexamination: ContinuityRule = continuityRule(r6Clocks);
