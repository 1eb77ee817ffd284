/**
 * How a rule reads a parcours history: its *facts* are a table of handlers keyed by the event
 * types it reads, and one pass hands each entry, in business order, to the handler of its type;
 * the entries of any other type are not facts of the rule and go by. `READ_BY` below is the one
 * list of every event type, with the rules that read it.
 */
import type { ParcoursEventType } from '../parcours/domain/events.js';
import { clockStopwatch, type RuleClocks, type Stopwatch, type RuleClock } from './rule-clock.js';
import { RULE_IDS, type ContinuityPolicy, type RuleId } from './policy.js';
import type { ContinuityEvent, Entry, ParcoursHistory } from './parcours-history.js';

/**
 * Which rules read each event type, every type listed (the compiler rejects a missing or an
 * unknown one). Whoever adds an event type adds it here and reviews each rule's facts under
 * `rules/`: does the new fact start, stop or move one of its clocks? A rule named for a type must
 * handle it, and a rule handles no type it is not named for (`Facts`, checked by the compiler too).
 *
 * A type no rule reads may still count: the suspensions and the restrictions of processing are
 * read once for every rule, as pauses (parcours-history.ts).
 */
export const READ_BY = {
  ParcoursOpened: ['R1'],
  FranceTravailRegistered: [],
  DiagnosticRecorded: ['R6'],
  OrientationDecided: ['R1', 'R2', 'R3', 'R4', 'R6'],
  ReorientationRequested: ['R7'],
  ReorientationDecided: ['R2', 'R3', 'R6', 'R7'],
  ReferentAssigned: ['R4', 'R9', 'R10'],
  ReferentReleased: ['R4', 'R9', 'R10'],
  FollowUpMemberJoined: [],
  FollowUpMemberLeft: [],
  AppointmentRecorded: ['R3', 'R9'],
  ContactRecorded: ['R9'],
  EngagementContractSigned: ['R2', 'R5', 'R8', 'R11'],
  EngagementContractEnded: ['R2', 'R5', 'R11'],
  ActionPrescribed: ['R8'],
  ActionStatusChanged: [],
  EmploymentContractStarted: ['R8'],
  EmploymentContractEnded: ['R8'],
  ParcoursSuspended: [],
  ParcoursResumed: [],
  // The exit and the archive end the follow-up: every rule stops its clocks (rule-clock.ts).
  ParcoursExited: RULE_IDS,
  ParcoursReopened: ['R1', 'R2', 'R3', 'R4', 'R6', 'R8'],
  PersonalDataErased: [],
  IdentityRectified: [],
  ParcoursArchived: RULE_IDS,
  ProcessingRestricted: [],
  ProcessingRestrictionLifted: [],
  RsaRightsRecorded: [],
} as const satisfies Record<ParcoursEventType, readonly RuleId[]>;

/** An entry whose event is of type `T`. */
export type EntryOf<T extends ParcoursEventType> = Entry & { readonly event: Extract<ContinuityEvent, { type: T }> };

/** The event types `READ_BY` names rule `R` for. */
type ReadBy<R extends RuleId> = { [T in ParcoursEventType]: R extends (typeof READ_BY)[T][number] ? T : never }[ParcoursEventType];

/** The facts of rule `R`: a handler for each type `READ_BY` names it for, and for no other (`never`). */
export type Facts<R extends RuleId> = { readonly [T in ReadBy<R>]: (entry: EntryOf<T>) => void } & {
  readonly [T in Exclude<ParcoursEventType, ReadBy<R>>]?: never;
};

/** The facts of some rule, as a pass reads them. */
type SomeFacts = { readonly [T in ParcoursEventType]?: (entry: EntryOf<T>) => void };

/** Hands `entry` to the handler of its type among `facts`, if the rule reads that type. */
export function readFact(facts: SomeFacts, entry: Entry): void {
  // The mapped type keys each handler by its own event type: `entry` is of the type it is found under.
  const read = (facts as { readonly [T in ParcoursEventType]?: (entry: Entry) => void })[entry.event.type];
  read?.(entry);
}

/** Hands every entry of the history, in business order, to `facts`, then settles what `watch` still runs as of the audit date. */
export function readHistory<T>(timeline: ParcoursHistory, facts: SomeFacts, watch: Stopwatch<T>): RuleClock[] {
  for (const entry of timeline.entries) readFact(facts, entry);
  return watch.finish();
}

/**
 * The clocks of rule `ruleId`, which runs one `RuleClock` at a time: `factsOf` gives its facts,
 * acting on `clock`. (`ruleId` only ties the facts to their line in `READ_BY`.)
 */
export function ruleClocks<R extends RuleId>(
  _ruleId: R,
  factsOf: (timeline: ParcoursHistory, policy: ContinuityPolicy, clock: Stopwatch<RuleClock>) => NoInfer<Facts<R>>,
): RuleClocks {
  return (timeline, policy) => {
    const clock = clockStopwatch();
    return readHistory(timeline, factsOf(timeline, policy, clock), clock);
  };
}
