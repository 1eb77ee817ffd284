/**
 * R3 — orientation without a first accompaniment appointment attended (the rdv-insertion
 * indicator). The clock starts on the orientation decision and stops at the first appointment of
 * kind `accompaniment` with outcome `seen` (held by any partner), or at the exit or the archive.
 *
 * - An accepted reorientation towards another organisme référent is a new orientation: the
 *   beneficiary must be seen again (hand-offs are where parcours break). A clock already running
 *   keeps its start: the wait began with the first orientation.
 * - A reopened parcours whose orientation never led to an attended appointment waits again from
 *   the reopening.
 * - Suspension stops it (a suspension for a missed appointment is the answer to that very miss),
 *   and so does a restriction of processing (no appointment can be recorded).
 * - An appointment attended the same day as the orientation counts even if recorded first.
 */
import type { OrientationDecided, ReorientationDecided } from '../../parcours/domain/events.js';
import { continuityRule, dayClock, type ContinuityRule } from '../rule-clock.js';
import { ruleClocks, type EntryOf } from '../rule-facts.js';
import type { ContinuityEvent } from '../parcours-history.js';

export const r3Clocks = ruleClocks('R3', (timeline, policy, clock) => {
  let awaitingFirstAppointment = false;
  let organismeReferentId: string | null = null;
  let orientation: ContinuityEvent | null = null;
  let lastSeenDay = -Infinity;
  const orientedTowards = (entry: EntryOf<'OrientationDecided' | 'ReorientationDecided'>) => {
    const towards = organismeReferentOf(entry.event);
    if (towards === null || towards === organismeReferentId) return;
    organismeReferentId = towards;
    orientation = entry.event;
    if (lastSeenDay === entry.day) return;
    awaitingFirstAppointment = true;
    clock.start(() => dayClock(timeline, policy, 'R3', entry, true));
  };
  return {
    OrientationDecided: orientedTowards,
    ReorientationDecided: orientedTowards,
    AppointmentRecorded: (entry) => {
      if (entry.event.data.kind !== 'accompaniment' || entry.event.data.outcome !== 'seen') return;
      lastSeenDay = entry.day;
      awaitingFirstAppointment = false;
      clock.stop(entry);
    },
    ParcoursExited: clock.stop,
    ParcoursArchived: clock.stop,
    ParcoursReopened: (entry) => {
      const awaited = orientation;
      if (awaitingFirstAppointment && awaited !== null) clock.start(() => dayClock(timeline, policy, 'R3', entry, true, [entry.event, awaited]));
    },
  };
});

/** The organisme référent an orientation decision sends the parcours to; null for a rejected reorientation. */
function organismeReferentOf(event: OrientationDecided | ReorientationDecided): string | null {
  if (event.type === 'OrientationDecided') return event.data.organismeReferentId;
  return event.data.accepted ? event.data.organismeReferentId : null;
}

export const orientationWithoutFirstAccompaniment: ContinuityRule = continuityRule(r3Clocks);
