/**
 * What the ten rules have in common: a *clock* starts with a fact (an entry, a notification, a
 * release…), gives the expected fact a number of days, and stops when that fact happens or the
 * parcours exits or is archived. A clock becomes a finding when the expected fact came late or has
 * still not come past a threshold on the audit date, and gives deadlines while it runs. A rule runs
 * one clock at a time (`Stopwatch`), started and stopped by its facts (rule-facts.ts).
 *
 * Archive. `ParcoursArchived` (R. 263-8 CASF: two years without activity) ends the follow-up as an
 * exit does, in every rule: the clocks running stop on the archive date (a break still open is
 * closed that day) and none starts after it — the decider refuses anything but the person's
 * rights and the erasure on an archived parcours, and no reopening can follow.
 *
 * Suspension. For the rules that measure the beneficiary's own engagement (R2, R3, R5, R8, R9),
 * the days of a suspension-remobilisation do not count: the sanction procedure is then the
 * institution's answer, and a beneficiary suspended for a missed appointment has not "not been
 * seen" by neglect. The rules that measure the institution's duties (orient, name a référent,
 * decide a request, re-examine, hand over: R1, R4, R6, R7, R10) keep running. A suspension only
 * pushes back a threshold not reached yet; a break already observed stays open until the expected
 * fact happens.
 *
 * Restriction of processing (RGPD art. 18). While it is in force nothing can be recorded: the
 * same rules count its days as they count a suspension's, and the others keep running, exactly
 * as for a suspension (see `Pause` in timeline.ts). An opposition (art. 21) and a rectification
 * (art. 16) change no clock.
 */
import { isoDate, type DayNumber } from '../kernel/calendar.js';
import type { Finding, Severity } from './findings.js';
import { resolveThresholds, type AppliedPolicy, type ContinuityPolicy, type RuleId } from './policy.js';
import { parcoursHistoryOf, type ContinuityEvent, type Entry, type Pause, type ParcoursHistory } from './parcours-history.js';

/** The rule and the policy entry that judged a clock, kept together so the finding is typed by rule. */
export type RuleAndPolicy = { [R in RuleId]: { ruleId: R; policy: AppliedPolicy<R> } }[RuleId];

/** The rules whose thresholds are plain day counts. */
export type DayRuleId = 'R1' | 'R3' | 'R4' | 'R7' | 'R8' | 'R9' | 'R10';

/** The day a severity starts to hold, and the pauses (suspensions, restrictions) that pushed it back (evidence of the date). */
export interface Onset {
  readonly day: DayNumber;
  readonly pauses: readonly Pause[];
}

export interface RuleClock {
  readonly rule: RuleAndPolicy;
  readonly warning: Onset | null;
  /** `Infinity` while a suspension or a restriction still in force stops a pausable clock before its threshold. */
  readonly breach: Onset;
  /** The facts that started the clock, the first one being the break's identity. */
  readonly started: readonly ContinuityEvent[];
  /** The event that stopped the clock (on or before the audit date: the expected fact, the exit, the archive…); null while it runs. */
  end: Entry | null;
}

export type RuleClocks = (timeline: ParcoursHistory, policy: ContinuityPolicy) => RuleClock[];

export type ContinuityRule = (events: readonly ContinuityEvent[], asOf: string, policy: ContinuityPolicy, territory?: string) => Finding[];

const NO_PAUSES: readonly Pause[] = Object.freeze([]);

export function judgedBy<R extends RuleId>(ruleId: R, policy: AppliedPolicy<R>): RuleAndPolicy {
  // A type parameter does not narrow the union; this signature ties both halves to the same rule.
  return { ruleId, policy } as RuleAndPolicy;
}

/**
 * The first day on which more than `allowedDays` days have passed since `startDay` (so day
 * `startDay + allowedDays` is still in time). When `pausable`, the days of a pause (suspended, or
 * processing restricted) are not counted.
 */
export function onsetAfter(timeline: ParcoursHistory, startDay: DayNumber, allowedDays: number, pausable: boolean): Onset {
  let day = startDay + allowedDays + 1;
  if (!pausable || timeline.pauses.length === 0) return { day, pauses: NO_PAUSES };
  let applied: Pause[] | null = null;
  for (const pause of timeline.pauses) {
    if (pause.toDay <= startDay + 1) continue;
    const from = Math.max(pause.fromDay, startDay + 1);
    if (from > day) break;
    // Every paused day from `from` on pushes the onset by one day (all of them when still paused).
    day += pause.toDay - from;
    (applied ??= []).push(pause);
  }
  return { day, pauses: applied ?? NO_PAUSES };
}

export function onsetOn(day: DayNumber): Onset {
  return { day, pauses: NO_PAUSES };
}

/** A clock counted in days from `start`, judged by the thresholds in force on the start date. */
export function dayClock(
  timeline: ParcoursHistory,
  policy: ContinuityPolicy,
  ruleId: DayRuleId,
  start: Entry,
  pausable: boolean,
  started: readonly ContinuityEvent[] = [start.event],
): RuleClock {
  const applied = resolveThresholds(policy, ruleId, start.on, timeline.territory);
  const { warningAfterDays, breachAfterDays } = applied.thresholds;
  return {
    rule: judgedBy(ruleId, applied),
    warning: warningAfterDays === null ? null : onsetAfter(timeline, start.day, warningAfterDays, pausable),
    breach: onsetAfter(timeline, start.day, breachAfterDays, pausable),
    started,
    end: null,
  };
}

/**
 * Stops `clock` with `end` (null: still running as of the audit date) and keeps it if it can
 * still say something: a running clock (a finding or a deadline), or a stopped one whose expected
 * fact came on or after an onset, i.e. late.
 */
function settle(clocks: RuleClock[], clock: RuleClock, end: Entry | null): void {
  clock.end = end;
  if (end === null || firstOnset(clock) <= end.day) clocks.push(clock);
}

/**
 * The one clock a rule runs at a time, and the clocks it has settled. What runs is a `RuleClock`,
 * or what one is made of when it stops (R5 watches a contract whose early end moves its clock).
 * `stop` can stand as the handler of a fact that ends the wait (the expected fact, the exit, the
 * archive).
 */
export interface Stopwatch<T> {
  readonly running: T | null;
  /** Starts `next()` unless something runs already: a wait keeps the day it began. */
  readonly start: (next: () => T) => void;
  /** Settles what runs, if anything, with `end`. */
  readonly stop: (end: Entry) => void;
  /** Settles what still runs as of the audit date; then the clocks kept, in the order they stopped. */
  readonly finish: () => RuleClock[];
}

export function stopwatch<T>(clockOf: (running: T) => RuleClock): Stopwatch<T> {
  const clocks: RuleClock[] = [];
  let running: T | null = null;
  return {
    get running() {
      return running;
    },
    start: (next) => {
      running ??= next();
    },
    stop: (end) => {
      if (running !== null) settle(clocks, clockOf(running), end);
      running = null;
    },
    finish: () => {
      if (running !== null) settle(clocks, clockOf(running), null);
      running = null;
      return clocks;
    },
  };
}

/** The stopwatch of the rules that run their `RuleClock` itself. */
export function clockStopwatch(): Stopwatch<RuleClock> {
  return stopwatch((clock: RuleClock) => clock);
}

function firstOnset(clock: RuleClock): DayNumber {
  return clock.warning !== null && clock.warning.day < clock.breach.day ? clock.warning.day : clock.breach.day;
}

export function findingOf(clock: RuleClock, asOfDay: DayNumber): Finding | null {
  // The break holds from its onset through the day the expected fact came late (an orientation on
  // day 43 is one day late against 42 days), or through the audit date.
  const last = clock.end === null ? asOfDay : clock.end.day;
  let severity: Severity;
  let onset: Onset;
  if (clock.breach.day <= last) {
    severity = 'breach';
    onset = clock.breach;
  } else if (clock.warning !== null && clock.warning.day <= last) {
    severity = 'warning';
    onset = clock.warning;
  } else {
    return null;
  }
  const eventIds: string[] = [];
  const streamVersions: number[] = [];
  const add = (event: ContinuityEvent): void => {
    if (eventIds.includes(event.eventId)) return;
    eventIds.push(event.eventId);
    streamVersions.push(event.streamVersion);
  };
  for (const event of clock.started) add(event);
  for (const pause of onset.pauses) for (const event of pause.events) add(event);
  if (clock.end !== null) add(clock.end.event);
  return {
    ...clock.rule,
    severity,
    status: clock.end === null ? 'open' : 'closed',
    dueOn: Number.isFinite(clock.breach.day) ? isoDate(clock.breach.day - 1) : null,
    observedOn: isoDate(onset.day),
    endedOn: clock.end === null ? null : clock.end.on,
    durationDays: last - onset.day + 1,
    evidence: { eventIds, streamVersions },
  };
}

/** Builds the public form of a rule, or of all of them: events in, findings out, in the order of the clocks. */
export function continuityRule(clocksOf: RuleClocks): ContinuityRule {
  return (events, asOf, policy, territory) => {
    const timeline = parcoursHistoryOf(events, asOf, territory);
    const findings: Finding[] = [];
    for (const clock of clocksOf(timeline, policy)) {
      const finding = findingOf(clock, timeline.asOfDay);
      if (finding !== null) findings.push(finding);
    }
    return findings;
  };
}
