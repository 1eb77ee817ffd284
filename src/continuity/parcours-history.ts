/**
 * The events of one parcours as the continuity rules read them: in business-date order, cut at the
 * audit date, with the pauses (suspensions and restrictions of processing) worked out once for all
 * ten rules.
 *
 * Back-dating. Caseworkers record facts late and date them when they happened. The rules judge
 * *business* dates: an event counts as of an audit date when its business date is on or before
 * it, whatever its `recordedAt`, and ordering is by business date, the stream version breaking
 * ties within a day (so the decider's same-day release-then-assign handover keeps its order). An
 * audit as of a past date therefore tells what *happened* up to that date as known today: an
 * orientation dated 10 February but recorded on 20 March closes the R1 clock on 10 February for
 * every audit date from 10 February on. To reproduce what the system *knew* on a date (what an
 * alert screen showed then), pass only the events recorded by then — `recordedAt` is on every
 * event for that purpose; the rules never look at it.
 */
import type { EventFacts } from '../event-store/event-store.js';
import { isParcoursEventType, type ParcoursEvent } from '../parcours/domain/events.js';
import { assertBusinessDate, dayNumber, type DayNumber } from '../kernel/calendar.js';

/** A recorded parcours event: a `RecordedEvent` of the parcours catalogue fits. */
export type ContinuityEvent = ParcoursEvent & {
  readonly eventId: string;
  readonly streamVersion: number;
  readonly globalPosition?: number;
  readonly recordedAt: string;
};

export interface Entry {
  /** Business date of the event, and its day number for arithmetic. */
  readonly on: string;
  readonly day: DayNumber;
  readonly event: ContinuityEvent;
}

/**
 * Days on which the rules that measure the beneficiary's engagement do not count (clock.ts): the
 * days `fromDay` … `toDay - 1` of
 * - a suspension-remobilisation (`toDay` is the resumption, or the exit);
 * - a restriction of processing (RGPD art. 18: `ProcessingRestricted` with right `restriction`,
 *   `toDay` is its lifting). While it is in force the decider refuses every caseworker command:
 *   nothing can be recorded, so nobody is blamed for not recording. It outlives an exit and an
 *   archive, as in `evolve`, and only its lifting ends it. An opposition (art. 21) limits sharing,
 *   not recording: it pauses nothing.
 * A suspension and a restriction that overlap or touch make one pause, citing the events of both.
 */
export interface Pause {
  readonly fromDay: DayNumber;
  /** `Infinity` while the parcours is still suspended, or its processing restricted, as of the audit date. */
  readonly toDay: DayNumber;
  readonly events: readonly ContinuityEvent[];
}

export interface ParcoursHistory {
  readonly asOf: string;
  readonly asOfDay: DayNumber;
  /** The territory whose policy overrides apply: given by the caller, else the one of ParcoursOpened. */
  readonly territory: string | null;
  /** Events dated on or before `asOf`, in business-date order, up to the archive if any. */
  readonly entries: readonly Entry[];
  /** Suspensions and restrictions of processing, in chronological order, disjoint. */
  readonly pauses: readonly Pause[];
}

/**
 * Narrows store records to parcours events, skipping any other type. The store has already upcast
 * `data` to the current schema and the stream was written by the decider: like `evolve`, the rules
 * trust its shape rather than re-validating each field.
 */
export function continuityEventsOf(records: readonly EventFacts[]): ContinuityEvent[] {
  const events: ContinuityEvent[] = [];
  for (const record of records) if (isParcoursEventType(record.type)) events.push(record as ContinuityEvent);
  return events;
}

export function parcoursHistoryOf(events: readonly ContinuityEvent[], asOf: string, territory?: string | null): ParcoursHistory {
  assertBusinessDate(asOf, 'asOf');
  const entries: Entry[] = [];
  let sorted = true;
  let openedTerritory: string | null = null;
  for (const event of events) {
    const on = businessDateOf(event);
    // ISO dates compare as strings: no parsing for the events the audit date leaves out.
    if (on > asOf) continue;
    const entry: Entry = { on, day: dayNumber(on), event };
    if (sorted && entries.length > 0 && compareEntries(entries[entries.length - 1], entry) > 0) sorted = false;
    entries.push(entry);
    if (event.type === 'ParcoursOpened') openedTerritory = event.data.territory;
  }
  // Streams are mostly recorded in business order: sort only when a back-dated event says so.
  if (!sorted) entries.sort(compareEntries);
  cutAtArchive(entries);
  return {
    asOf,
    asOfDay: dayNumber(asOf),
    territory: territory ?? openedTerritory,
    entries,
    pauses: pausesOf(entries),
  };
}

/**
 * The archive is the last fact the rules read. After it the decider only records the person's
 * rights and the erasure, none of which starts, stops or moves a clock of an archived parcours;
 * a fact dated after the archive (the archive back-dated over it) is not one of the follow-up
 * either. Cutting here keeps the findings of an archived parcours fixed for good.
 */
function cutAtArchive(entries: Entry[]): void {
  const archive = entries.findIndex((entry) => entry.event.type === 'ParcoursArchived');
  if (archive >= 0) entries.length = archive + 1;
}

function compareEntries(a: Entry, b: Entry): number {
  return a.day - b.day || a.event.streamVersion - b.event.streamVersion;
}

/** The suspensions and the restrictions of processing, merged into disjoint pauses in chronological order. */
function pausesOf(entries: readonly Entry[]): Pause[] {
  const periods = [...suspensionsOf(entries), ...restrictionsOf(entries)].sort((a, b) => a.fromDay - b.fromDay);
  const pauses: Pause[] = [];
  for (const period of periods) {
    const last = pauses.at(-1);
    if (last !== undefined && period.fromDay <= last.toDay) {
      pauses[pauses.length - 1] = { fromDay: last.fromDay, toDay: Math.max(last.toDay, period.toDay), events: [...last.events, ...period.events] };
    } else {
      pauses.push(period);
    }
  }
  return pauses;
}

/** An exit ends a suspension (as in `evolve`): the remobilisation procedure does not outlive the parcours. */
function suspensionsOf(entries: readonly Entry[]): Pause[] {
  return periodsOf(
    entries,
    (event) => event.type === 'ParcoursSuspended',
    (event) => event.type === 'ParcoursResumed' || event.type === 'ParcoursExited',
  );
}

/** The periods of a restriction of processing (art. 18), from the restriction to its lifting. */
function restrictionsOf(entries: readonly Entry[]): Pause[] {
  return periodsOf(
    entries,
    (event) => event.type === 'ProcessingRestricted' && event.data.right === 'restriction',
    (event) => event.type === 'ProcessingRestrictionLifted' && event.data.right === 'restriction',
  );
}

/**
 * The periods from an event that `begins` one to the next that `ends` it, or still running as of
 * the audit date. A period that ends the day it began is no pause: resumed that day, not a day was
 * lost; lifted that day, recording was possible that day.
 */
function periodsOf(entries: readonly Entry[], begins: (event: ContinuityEvent) => boolean, ends: (event: ContinuityEvent) => boolean): Pause[] {
  const pauses: Pause[] = [];
  let begun: Entry | null = null;
  for (const entry of entries) {
    const { day, event } = entry;
    if (begins(event)) {
      begun ??= entry;
    } else if (ends(event) && begun !== null) {
      if (day > begun.day) pauses.push({ fromDay: begun.day, toDay: day, events: [begun.event, event] });
      begun = null;
    }
  }
  if (begun !== null) pauses.push({ fromDay: begun.day, toDay: Infinity, events: [begun.event] });
  return pauses;
}

/** The date the fact happened, as the caseworker stated it. */
export function businessDateOf(event: ParcoursEvent): string {
  switch (event.type) {
    case 'ParcoursOpened':
      return event.data.entryOn;
    case 'FranceTravailRegistered':
      return event.data.registeredOn;
    case 'DiagnosticRecorded':
      return event.data.diagnosedOn;
    case 'OrientationDecided':
      return event.data.decidedOn;
    case 'ReorientationRequested':
      return event.data.requestedOn;
    case 'ReorientationDecided':
      return event.data.decidedOn;
    case 'ReferentAssigned':
      return event.data.assignedOn;
    case 'ReferentReleased':
      return event.data.releasedOn;
    case 'FollowUpMemberJoined':
      return event.data.joinedOn;
    case 'FollowUpMemberLeft':
      return event.data.leftOn;
    case 'AppointmentRecorded':
      return event.data.scheduledOn;
    case 'ContactRecorded':
      return event.data.contactedOn;
    case 'EngagementContractSigned':
      return event.data.signedOn;
    case 'EngagementContractEnded':
      return event.data.endedOn;
    case 'ActionPrescribed':
      return event.data.prescribedOn;
    case 'ActionStatusChanged':
      return event.data.changedOn;
    case 'EmploymentContractStarted':
      return event.data.startsOn;
    case 'EmploymentContractEnded':
      return event.data.endedOn;
    case 'ParcoursSuspended':
      return event.data.suspendedOn;
    case 'ParcoursResumed':
      return event.data.resumedOn;
    case 'ParcoursExited':
      return event.data.exitedOn;
    case 'ParcoursReopened':
      return event.data.reopenedOn;
    case 'PersonalDataErased':
      return event.data.erasedOn;
    case 'IdentityRectified':
      return event.data.rectifiedOn;
    case 'ParcoursArchived':
      return event.data.archivedOn;
    case 'ProcessingRestricted':
      return event.data.restrictedOn;
    case 'ProcessingRestrictionLifted':
      return event.data.liftedOn;
    case 'RsaRightsRecorded':
      return event.data.rightsOn;
    default:
      return assertNever(event);
  }
}

function assertNever(value: never): never {
  throw new Error(`unknown parcours event ${JSON.stringify(value)}`);
}
