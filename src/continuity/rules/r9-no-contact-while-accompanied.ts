/**
 * R9 — no contact while accompanied (*décrochage*).
 *
 * - Accompanied: while the parcours has an active référent. A release followed by an assignment
 *   on the same day (a handover) keeps the accompaniment, and its clock, going: a new référent is
 *   not a contact with the beneficiary.
 * - Contacts: ContactRecorded and appointments of any kind with outcome `seen` (as `evolve`'s
 *   `lastContactOn`). Each contact restarts the clock; the first one counts from the assignment,
 *   so a newly named référent is not blamed for the months without one (R4, R10 cover those).
 * - It stops when the accompaniment ends (a release not followed by a same-day assignment) or at
 *   the exit or the archive.
 * - Suspension stops it: the remobilisation procedure is the answer to a beneficiary who no
 *   longer answers. So does a restriction of processing: no contact can be recorded meanwhile.
 */
import type { DayNumber } from '../../kernel/calendar.js';
import { clockStopwatch, continuityRule, dayClock, type ContinuityRule, type RuleClocks } from '../rule-clock.js';
import { readFact, type Facts } from '../rule-facts.js';
import type { Entry } from '../parcours-history.js';

export const r9Clocks: RuleClocks = (timeline, policy) => {
  // Runs exactly while accompanied.
  const clock = clockStopwatch();
  // A release waits for the end of its day: an assignment the same day makes it a handover.
  let release: Entry | null = null;
  const endAccompaniment = (end: Entry) => {
    clock.stop(end);
    release = null;
  };
  const contact = (entry: Entry) => {
    if (clock.running === null) return;
    clock.stop(entry);
    clock.start(() => dayClock(timeline, policy, 'R9', entry, true));
  };
  const facts: Facts<'R9'> = {
    ReferentAssigned: (entry) => {
      if (release !== null) release = null;
      else clock.start(() => dayClock(timeline, policy, 'R9', entry, true));
    },
    ReferentReleased: (entry) => {
      if (clock.running !== null) release = entry;
    },
    ContactRecorded: contact,
    AppointmentRecorded: (entry) => {
      if (entry.event.data.outcome === 'seen') contact(entry);
    },
    ParcoursExited: endAccompaniment,
    ParcoursArchived: endAccompaniment,
  };
  /** Once the day of a release is over with no assignment, the accompaniment ended on the release. */
  const dayOver = (day: DayNumber) => {
    if (release !== null && day > release.day) endAccompaniment(release);
  };
  for (const entry of timeline.entries) {
    dayOver(entry.day);
    readFact(facts, entry);
  }
  dayOver(Infinity);
  return clock.finish();
};

export const noContactWhileAccompanied: ContinuityRule = continuityRule(r9Clocks);
