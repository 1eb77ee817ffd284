/**
 * The regime of one parcours on a date, from its events (regimes.ts says what each regime means):
 * derived from its entry and from whether it was open on 1 January 2025 — never typed by hand.
 */
import { PLEIN_EMPLOI_FROM, type Regime, regimeOfParcours } from '../parcours/domain/regimes.js';
import { businessDateOf, type ContinuityEvent } from './parcours-history.js';

/** The regime of the parcours on `asOf`; null when it had not opened by then (in business dates). */
export function regimeOn(events: readonly ContinuityEvent[], asOf: string): Regime | null {
  const opening = events.find((event) => event.type === 'ParcoursOpened');
  if (opening === undefined || opening.data.entryOn > asOf) return null;
  return regimeOfParcours(opening.data.entryOn, openOnTransitionDay(events), asOf);
}

/**
 * Whether the parcours was open on 1 January 2025: entered before it, neither exited on that day
 * (an exit closes from its own day, a reopening opens from its own: an exit in 2024 reopened by
 * then leaves it open) nor archived by then — as the territory indicators count "open on a day".
 * Exits and reopenings in business-date order, the stream version breaking ties, as the
 * continuity timeline orders them.
 */
export function openOnTransitionDay(events: readonly ContinuityEvent[]): boolean {
  const opening = events.find((event) => event.type === 'ParcoursOpened');
  if (opening === undefined || opening.data.entryOn >= PLEIN_EMPLOI_FROM) return false;
  if (events.some((event) => event.type === 'ParcoursArchived' && event.data.archivedOn <= PLEIN_EMPLOI_FROM)) return false;
  const moves = events
    .filter((event) => (event.type === 'ParcoursExited' || event.type === 'ParcoursReopened') && businessDateOf(event) <= PLEIN_EMPLOI_FROM)
    .sort((a, b) => (businessDateOf(a) < businessDateOf(b) ? -1 : businessDateOf(a) > businessDateOf(b) ? 1 : a.streamVersion - b.streamVersion));
  return moves.at(-1)?.type !== 'ParcoursExited';
}
