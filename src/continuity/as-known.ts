/**
 * Continuity "as known" (issue 14): the ruptures the system *showed* on a date, not the ones the
 * facts hold. An inspection asks "on 31 December, did you know this person had had no contact for
 * 90 days?": the answer reads only the events recorded by the end of that day (Europe/Paris), then
 * judges them by their business dates as usual. A contact back-dated to November but recorded in
 * January is not known on 31 December; as the facts were, it is.
 */
import { parisDate } from '../kernel/clock.js';

/** `facts`: every event dated on or before the audit date (default). `known`: only those recorded by the end of the audit date, too. */
export const CONTINUITY_MODES = ['facts', 'known'] as const;
export type ContinuityMode = (typeof CONTINUITY_MODES)[number];

/** The events recorded by the end of `day` (Europe/Paris), in their stored order. */
export function eventsKnownOn<E extends { readonly recordedAt: string }>(events: readonly E[], day: string): E[] {
  return events.filter((event) => parisDate(new Date(event.recordedAt)) <= day);
}

/** The events a continuity evaluation in `mode` reads as of `asOf`. */
export function eventsFor<E extends { readonly recordedAt: string }>(events: readonly E[], asOf: string, mode: ContinuityMode): readonly E[] {
  return mode === 'known' ? eventsKnownOn(events, asOf) : events;
}
