/**
 * A continuity finding: one rupture of one rule in one parcours, with its dates, the events that
 * prove it and the policy that judged it (DESIGN §6).
 *
 * One finding per break, at the highest severity the break reached by the audit date (or by its
 * end): an orientation decided on day 50 is one closed R1 breach, not a warning plus a breach.
 * `(ruleId, evidence.eventIds[0])` identifies the break across re-evaluations — the first evidence
 * is always the event that started the rule's clock — so a read model can upsert findings by it.
 */
import type { AppliedPolicy, RuleId } from './policy.js';

export type Severity = 'warning' | 'breach';

/** `closed` when the break ended (the expected fact came, late, or the parcours exited or was archived) on or before the audit date. */
export type FindingStatus = 'open' | 'closed';

export interface Evidence {
  /**
   * The event that started the rule's clock first, then the facts it relied on (the orientation
   * of a reopened parcours, the diagnostic documenting vulnerabilities…), the suspensions and
   * restrictions of processing that moved its deadline, and the event that ended it.
   */
  eventIds: string[];
  streamVersions: number[];
}

export interface FindingOf<R extends RuleId> {
  ruleId: R;
  severity: Severity;
  status: FindingStatus;
  /**
   * The last day on which the expected fact was in time (the rule's deadline, after any days a
   * suspension or restriction added): a warning shows the deadline it warns about. `null` only for
   * a warning whose clock a suspension or a restriction still in force has stopped: the deadline is
   * known at resumption (or lifting).
   */
  dueOn: string | null;
  /** The first day the break held at this severity. */
  observedOn: string;
  /** The day the expected fact came, late, or the parcours exited or was archived: the break's last day. Null while open. */
  endedOn: string | null;
  /**
   * Days the break held at this severity, both ends included: from `observedOn` through `endedOn`,
   * or through the audit date while open. A breach is "days late": an orientation on day 45
   * against 42 days is a breach of 3 days, observed on day 43.
   */
  durationDays: number;
  evidence: Evidence;
  policy: AppliedPolicy<R>;
}

/** Discriminated on `ruleId`, which also types `policy.thresholds`. */
export type Finding = { [R in RuleId]: FindingOf<R> }[RuleId];

/** Identifies a break across evaluations (see the module comment). */
export function findingKey(finding: Finding): string {
  return `${finding.ruleId}:${finding.evidence.eventIds[0] ?? ''}`;
}
