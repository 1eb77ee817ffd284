/**
 * Ruptures also appear with the mere passing of time (DESIGN §6): a parcours where nothing happens
 * breaks its deadlines all the same. `nextDeadlines` tells a scheduler when to re-evaluate a
 * parcours: the future days on which a finding would start to hold if nothing else happened.
 *
 * `dueOn` here is that first day — the `observedOn` of the finding that would appear, so that
 * `evaluateContinuity(events, dueOn, policy)` shows it and the day before does not. (A finding's
 * own `dueOn` is the last day the expected fact was in time, the day before a breach.)
 *
 * Re-evaluate also on every appended event: an event may start, stop or move a clock — a
 * resumption restarts the clocks a suspension stopped, which therefore have no deadline while the
 * suspension lasts; the lifting of a restriction of processing does the same. An archived
 * parcours has none: the archive stopped every clock, and nothing can start one again.
 */
import type { Severity } from './findings.js';
import { isoDate } from '../kernel/calendar.js';
import type { ContinuityPolicy, RuleId } from './policy.js';
import { allClocks } from './rules.js';
import { parcoursHistoryOf, type ContinuityEvent } from './parcours-history.js';

export interface Deadline {
  ruleId: RuleId;
  severity: Severity;
  /** The first day the finding would hold (see the module comment). */
  dueOn: string;
}

/** The deadlines after `asOf` of the clocks still running on `asOf`, soonest first; none for an exited or archived parcours. */
export function nextDeadlines(events: readonly ContinuityEvent[], asOf: string, policy: ContinuityPolicy, territory?: string): Deadline[] {
  const timeline = parcoursHistoryOf(events, asOf, territory);
  const deadlines: { ruleId: RuleId; severity: Severity; day: number }[] = [];
  for (const clock of allClocks(timeline, policy)) {
    if (clock.end !== null) continue;
    const { warning, breach } = clock;
    const ruleId = clock.rule.ruleId;
    if (warning !== null && warning.day > timeline.asOfDay && warning.day < breach.day && Number.isFinite(warning.day)) {
      deadlines.push({ ruleId, severity: 'warning', day: warning.day });
    }
    if (breach.day > timeline.asOfDay && Number.isFinite(breach.day)) deadlines.push({ ruleId, severity: 'breach', day: breach.day });
  }
  deadlines.sort((a, b) => a.day - b.day);
  return deadlines.map(({ ruleId, severity, day }) => ({ ruleId, severity, dueOn: isoDate(day) }));
}

/** The soonest re-evaluation a scheduler needs for this parcours, or null when only a new event can change its findings. */
export function nextReevaluationOn(events: readonly ContinuityEvent[], asOf: string, policy: ContinuityPolicy, territory?: string): string | null {
  return nextDeadlines(events, asOf, policy, territory)[0]?.dueOn ?? null;
}
