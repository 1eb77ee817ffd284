/**
 * Test support for the continuity specs: recorded envelopes around the parcours fixtures, policy
 * variants, and a compact view of findings. The parcours calendar is the one of
 * parcours.fixtures.ts: entry on 2026-01-05, orientation decided on 2026-02-08.
 */
import type { ParcoursEvent } from '../parcours/domain/events.js';
import { processingRestricted, processingRestrictionLifted } from '../parcours/domain/parcours.fixtures.js';
import { businessDateOf, type ContinuityEvent } from './parcours-history.js';
import type { Finding } from './findings.js';
import { parsePolicy, type ContinuityPolicy } from './policy.js';
import defaultPolicyFile from './policies/default-policy.json' with { type: 'json' };

/**
 * The events as a store would return them: stream versions in the given (recording) order, ids
 * `e1`, `e2`… after the version, recorded at 18:00 UTC on their business date unless `recordedOn`
 * says otherwise (for back-dated facts).
 */
export function recorded(events: readonly (ParcoursEvent | BackDated)[]): ContinuityEvent[] {
  return events.map((item, index) => {
    const event = 'recordedOn' in item ? item.event : item;
    const recordedOn = 'recordedOn' in item ? item.recordedOn : businessDateOf(event);
    return { ...event, eventId: `e${index + 1}`, streamVersion: index + 1, globalPosition: 1000 + index, recordedAt: `${recordedOn}T18:00:00.000Z` };
  });
}

export interface BackDated {
  event: ParcoursEvent;
  recordedOn: string;
}

/** A fact recorded on `recordedOn`, later than its business date. */
export function recordedLater(event: ParcoursEvent, recordedOn: string): BackDated {
  return { event, recordedOn };
}

/** The events the system knew at the end of `day` (by `recordedAt`), to replay what an alert screen showed then. */
export function knownBy(events: readonly ContinuityEvent[], day: string): ContinuityEvent[] {
  return events.filter((event) => event.recordedAt.slice(0, 10) <= day);
}

/**
 * A restriction of processing (RGPD art. 18, accuracy contested) in force from `restrictedOn` to
 * the day before `liftedOn`: the days on which nothing could be recorded.
 */
export function restrictedFromTo(restrictedOn: string, liftedOn: string): ParcoursEvent[] {
  return [processingRestricted({ right: 'restriction', ground: 'accuracy_contested', restrictedOn }), processingRestrictionLifted({ right: 'restriction', liftedOn })];
}

/** An opposition (RGPD art. 21) in force from `restrictedOn` to the day before `liftedOn`: sharing limited, recording goes on. */
export function opposedFromTo(restrictedOn: string, liftedOn: string): ParcoursEvent[] {
  return [processingRestricted({ right: 'opposition', ground: 'particular_situation', restrictedOn }), processingRestrictionLifted({ right: 'opposition', liftedOn })];
}

export interface PolicyDocument {
  version: string;
  rules: Record<string, unknown[]>;
  overrides: Record<string, Record<string, unknown[]>>;
  [key: string]: unknown;
}

/** The default policy file, changed by `edit`, then loaded like any policy file. */
export function policyWith(edit: (document: PolicyDocument) => void): ContinuityPolicy {
  const document = structuredClone(defaultPolicyFile) as unknown as PolicyDocument;
  edit(document);
  return parsePolicy(document);
}

/** The dates and state of a finding, without its evidence and policy. */
export function summary(finding: Finding): Pick<Finding, 'ruleId' | 'severity' | 'status' | 'dueOn' | 'observedOn' | 'endedOn' | 'durationDays'> {
  const { ruleId, severity, status, dueOn, observedOn, endedOn, durationDays } = finding;
  return { ruleId, severity, status, dueOn, observedOn, endedOn, durationDays };
}

/** The stream versions a finding cites, resolved to event types (easier to read in a spec than ids). */
export function evidenceTypes(finding: Finding, events: readonly ContinuityEvent[]): string[] {
  return finding.evidence.streamVersions.map((version) => events.find((event) => event.streamVersion === version)?.type ?? `?${version}`);
}
