import { parisDate } from '../kernel/clock.js';
import { assertBusinessDate } from '../kernel/calendar.js';
import { businessDateOf } from '../continuity/parcours-history.js';
import type { EventFacts } from '../event-store/event-store.js';
import type { ParcoursEvent } from '../parcours/domain/events.js';
import { type ParcoursState, replay } from '../parcours/domain/state.js';

/**
 * The state of a parcours as it stood at a date, two ways (DESIGN §4):
 *  - as the facts were (`facts`): the events whose business date is on or before the date, even
 *    those recorded later (a caseworker back-dating an appointment);
 *  - as the system knew it (`known`): the events recorded by the end of that day (Europe/Paris),
 *    whatever their business date.
 * Back-dated entries make the two differ; an auditor needs both. The identity is left out: replay
 * is for auditors, who read pseudonymised data.
 */
export type ReplayMode = 'facts' | 'known';

export interface Replay {
  asOf: string;
  mode: ReplayMode;
  /** Null when the parcours did not exist yet at that date (in that sense). */
  state: (Omit<ParcoursState, 'identity'> & { identity: { status: 'encrypted' | 'erased' } }) | null;
  /** The stream version the state reflects (the last event taken into account). */
  version: number;
  eventsApplied: number;
  /** Events left out because they came after the date (in that sense). */
  eventsAfter: number;
}

export function replayAsOf(events: readonly EventFacts[], asOf: string, mode: ReplayMode): Replay {
  assertBusinessDate(asOf, 'asOf');
  const dated = events.filter((event) =>
    mode === 'known' ? parisDate(new Date(event.recordedAt)) <= asOf : businessDateOf({ type: event.type, data: event.data } as ParcoursEvent) <= asOf,
  );
  // As the facts were, the parcours exists from its entry: a fact dated earlier (a right the decider
  // let be dated before the entry, until it refused it) does not make it exist sooner.
  const included = dated.some((event) => event.type === 'ParcoursOpened') ? dated : [];
  // In stream order: the decider wrote each event on the state of those before it.
  const state = replay(included.map((event) => ({ type: event.type, data: event.data }) as ParcoursEvent));
  return {
    asOf,
    mode,
    state: state && { ...state, identity: { status: state.identity.status } },
    version: included.at(-1)?.streamVersion ?? 0,
    eventsApplied: included.length,
    eventsAfter: events.length - included.length,
  };
}
