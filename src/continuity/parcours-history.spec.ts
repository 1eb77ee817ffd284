import type { RecordedEvent } from '../event-store/event-store.js';
import { archived, contactRecorded, exited, opened, oriented, processingRestricted, processingRestrictionLifted, reopened, resumed, suspended } from '../parcours/domain/parcours.fixtures.js';
import { dayNumber, isoDate } from '../kernel/calendar.js';
import { opposedFromTo, recorded, recordedLater, restrictedFromTo } from './continuity.fixtures.js';
import { continuityEventsOf, parcoursHistoryOf, type ParcoursHistory } from './parcours-history.js';

describe('parcoursHistoryOf', () => {
  const events = recorded([
    opened(),
    contactRecorded({ contactedOn: '2026-03-02' }),
    // Recorded after the contact, dated before it.
    recordedLater(oriented({ decidedOn: '2026-02-08' }), '2026-03-05'),
    contactRecorded({ contactId: 'late', contactedOn: '2026-03-25' }),
  ]);

  it('orders by business date, not by recording order', () => {
    expect(parcoursHistoryOf(events, '2026-03-31').entries.map((entry) => entry.event.eventId)).toEqual(['e1', 'e3', 'e2', 'e4']);
  });

  it('leaves out the events dated after the audit date', () => {
    expect(parcoursHistoryOf(events, '2026-03-24').entries.map((entry) => entry.on)).toEqual(['2026-01-05', '2026-02-08', '2026-03-02']);
    expect(parcoursHistoryOf(events, '2026-01-04').entries).toEqual([]);
  });

  it('keeps the recording order within a day', () => {
    const sameDay = recorded([opened(), contactRecorded({ contactId: 'a', contactedOn: '2026-02-01' }), contactRecorded({ contactId: 'b', contactedOn: '2026-02-01' })]);
    const reversed = [...sameDay].reverse();
    expect(parcoursHistoryOf(reversed, '2026-03-01').entries.map((entry) => entry.event.eventId)).toEqual(['e1', 'e2', 'e3']);
  });

  it('takes the territory of ParcoursOpened unless the caller names one', () => {
    expect(parcoursHistoryOf(events, '2026-03-31').territory).toBe('cc-thiers-dore-et-montagne');
    expect(parcoursHistoryOf(events, '2026-03-31', 'cc-billom-communaute').territory).toBe('cc-billom-communaute');
  });

  it('works out the suspension periods: resumed, ended by the exit, still running', () => {
    const stream = recorded([
      opened(),
      suspended({ suspendedOn: '2026-02-01' }),
      resumed('2026-02-11'),
      suspended({ suspendedOn: '2026-03-01' }),
      exited({ exitedOn: '2026-03-04', category: 'autre', reason: 'moved_out_of_territory' }),
      reopened({ reopenedOn: '2026-04-01' }),
      suspended({ suspendedOn: '2026-04-10' }),
    ]);
    const pauses = parcoursHistoryOf(stream, '2026-05-01').pauses;
    expect(pauses.map(({ fromDay, toDay }) => [fromDay, toDay])).toEqual([
      [dayNumber('2026-02-01'), dayNumber('2026-02-11')],
      [dayNumber('2026-03-01'), dayNumber('2026-03-04')],
      [dayNumber('2026-04-10'), Infinity],
    ]);
    expect(pauses[0].events.map((event) => event.eventId)).toEqual(['e2', 'e3']);
    // As of a date inside the first suspension, it has not ended yet.
    expect(parcoursHistoryOf(stream, '2026-02-05').pauses.map(({ toDay }) => toDay)).toEqual([Infinity]);
  });

  it('refuses an audit date that is not a calendar date', () => {
    expect(() => parcoursHistoryOf(events, '20/03/2026')).toThrow(RangeError);
  });
});

/** The pauses as [first day, day after the last] pairs of ISO dates (null: still running). */
function pauseDates(timeline: ParcoursHistory): [string, string | null][] {
  return timeline.pauses.map(({ fromDay, toDay }) => [isoDate(fromDay), Number.isFinite(toDay) ? isoDate(toDay) : null]);
}

describe('the pauses of a restriction of processing (RGPD art. 18)', () => {
  it('run from the restriction to its lifting, or on while it is in force', () => {
    const stream = recorded([opened(), ...restrictedFromTo('2026-02-01', '2026-02-11'), processingRestricted({ restrictedOn: '2026-03-01' })]);
    const timeline = parcoursHistoryOf(stream, '2026-05-01');
    expect(pauseDates(timeline)).toEqual([
      ['2026-02-01', '2026-02-11'],
      ['2026-03-01', null],
    ]);
    expect(timeline.pauses.map((pause) => pause.events.map((event) => event.eventId))).toEqual([['e2', 'e3'], ['e4']]);
    // As of a date inside the first restriction, it has not been lifted yet.
    expect(pauseDates(parcoursHistoryOf(stream, '2026-02-05'))).toEqual([['2026-02-01', null]]);
  });

  it('pause nothing when lifted the day they were put in force: recording was possible that day', () => {
    expect(parcoursHistoryOf(recorded([opened(), ...restrictedFromTo('2026-02-01', '2026-02-01')]), '2026-05-01').pauses).toEqual([]);
  });

  it('outlive an exit, unlike a suspension: only the lifting ends them', () => {
    const stream = recorded([
      opened(),
      processingRestricted({ restrictedOn: '2026-02-01' }),
      exited({ exitedOn: '2026-02-10', category: 'autre', reason: 'moved_out_of_territory' }),
      processingRestrictionLifted({ liftedOn: '2026-02-20' }),
    ]);
    expect(pauseDates(parcoursHistoryOf(stream, '2026-05-01'))).toEqual([['2026-02-01', '2026-02-20']]);
  });

  it('are not an opposition’s: an opposition (art. 21) limits sharing, not recording, and pauses nothing', () => {
    expect(parcoursHistoryOf(recorded([opened(), ...opposedFromTo('2026-02-01', '2026-02-11')]), '2026-05-01').pauses).toEqual([]);
    expect(parcoursHistoryOf(recorded([opened(), processingRestricted({ right: 'opposition', ground: 'particular_situation', restrictedOn: '2026-02-01' })]), '2026-05-01').pauses).toEqual([]);
  });

  it('are not ended by the lifting of an opposition', () => {
    const stream = recorded([
      opened(),
      processingRestricted({ restrictedOn: '2026-02-01' }),
      ...opposedFromTo('2026-02-03', '2026-02-05'),
      processingRestrictionLifted({ liftedOn: '2026-02-11' }),
    ]);
    const timeline = parcoursHistoryOf(stream, '2026-05-01');
    expect(pauseDates(timeline)).toEqual([['2026-02-01', '2026-02-11']]);
    expect(timeline.pauses[0].events.map((event) => event.eventId)).toEqual(['e2', 'e5']);
  });
});

describe('a suspension and a restriction of processing', () => {
  const ids = (timeline: ParcoursHistory) => timeline.pauses.map((pause) => pause.events.map((event) => event.eventId).sort());

  it('overlapping, make one pause from the first start to the last end, citing the events of both', () => {
    const stream = recorded([
      opened(),
      suspended({ suspendedOn: '2026-03-01' }),
      processingRestricted({ restrictedOn: '2026-03-10' }),
      resumed('2026-03-16'),
      processingRestrictionLifted({ liftedOn: '2026-03-21' }),
    ]);
    const timeline = parcoursHistoryOf(stream, '2026-05-01');
    expect(pauseDates(timeline)).toEqual([['2026-03-01', '2026-03-21']]);
    expect(ids(timeline)).toEqual([['e2', 'e3', 'e4', 'e5']]);
  });

  it('touching (the restriction starts the day of the resumption), make one pause', () => {
    const stream = recorded([opened(), suspended({ suspendedOn: '2026-03-01' }), resumed('2026-03-10'), ...restrictedFromTo('2026-03-10', '2026-03-20')]);
    expect(pauseDates(parcoursHistoryOf(stream, '2026-05-01'))).toEqual([['2026-03-01', '2026-03-20']]);
  });

  it('one inside the other, make the outer one, whichever comes first', () => {
    const restrictionInside = recorded([opened(), suspended({ suspendedOn: '2026-03-01' }), ...restrictedFromTo('2026-03-10', '2026-03-20'), resumed('2026-03-31')]);
    expect(pauseDates(parcoursHistoryOf(restrictionInside, '2026-05-01'))).toEqual([['2026-03-01', '2026-03-31']]);
    const suspensionInside = recorded([opened(), processingRestricted({ restrictedOn: '2026-03-01' }), suspended({ suspendedOn: '2026-03-10' }), resumed('2026-03-20'), processingRestrictionLifted({ liftedOn: '2026-03-31' })]);
    expect(pauseDates(parcoursHistoryOf(suspensionInside, '2026-05-01'))).toEqual([['2026-03-01', '2026-03-31']]);
  });

  it('a suspension still running takes in a restriction that started during it', () => {
    const stream = recorded([opened(), suspended({ suspendedOn: '2026-03-01' }), ...restrictedFromTo('2026-03-10', '2026-03-20')]);
    const timeline = parcoursHistoryOf(stream, '2026-05-01');
    expect(pauseDates(timeline)).toEqual([['2026-03-01', null]]);
    expect(ids(timeline)).toEqual([['e2', 'e3', 'e4']]);
  });

  it('apart, stay two pauses, in chronological order', () => {
    const stream = recorded([opened(), ...restrictedFromTo('2026-03-10', '2026-03-20'), suspended({ suspendedOn: '2026-02-01' }), resumed('2026-02-05')]);
    expect(pauseDates(parcoursHistoryOf(stream, '2026-05-01'))).toEqual([
      ['2026-02-01', '2026-02-05'],
      ['2026-03-10', '2026-03-20'],
    ]);
  });
});

describe('the archive (R. 263-8 CASF)', () => {
  it('is the last entry: what is dated after it, or recorded after it on its day, is left out', () => {
    const stream = recorded([
      opened(),
      contactRecorded({ contactedOn: '2026-03-02' }),
      archived({ archivedOn: '2028-03-03', lastActivityOn: '2026-03-02' }),
      // The decider records only the person's rights and the erasure after the archive: none is a fact of the follow-up.
      contactRecorded({ contactId: 'same-day', contactedOn: '2028-03-03' }),
      reopened({ reopenedOn: '2028-04-01' }),
      processingRestricted({ restrictedOn: '2028-05-01' }),
    ]);
    const timeline = parcoursHistoryOf(stream, '2031-01-01');
    expect(timeline.entries.map((entry) => entry.event.eventId)).toEqual(['e1', 'e2', 'e3']);
    // The restriction after the archive pauses nothing either.
    expect(timeline.pauses).toEqual([]);
  });

  it('keeps a fact dated before it, even recorded after it', () => {
    const stream = recorded([opened(), archived({ archivedOn: '2028-03-03', lastActivityOn: '2026-03-02' }), recordedLater(contactRecorded({ contactedOn: '2026-03-02' }), '2028-04-01')]);
    expect(parcoursHistoryOf(stream, '2031-01-01').entries.map((entry) => entry.event.eventId)).toEqual(['e1', 'e3', 'e2']);
  });

  it('cuts nothing for an audit dated before it', () => {
    const stream = recorded([opened(), contactRecorded({ contactedOn: '2026-03-02' }), archived({ archivedOn: '2028-03-03', lastActivityOn: '2026-03-02' })]);
    expect(parcoursHistoryOf(stream, '2028-03-02').entries.map((entry) => entry.event.eventId)).toEqual(['e1', 'e2']);
  });
});

describe('continuityEventsOf', () => {
  it('keeps the parcours events of a store read and skips other types', () => {
    const base = { streamId: 'parcours-1', transactionId: '1', schemaVersion: 1, metadata: { actor: {}, correlationId: 'c', occurredAt: '2026-01-05' }, hash: 'h' };
    const records: RecordedEvent[] = [
      { ...base, eventId: 'a', streamVersion: 1, globalPosition: 1, type: 'ParcoursOpened', data: opened().data, recordedAt: '2026-01-05T10:00:00Z' },
      { ...base, eventId: 'b', streamVersion: 2, globalPosition: 2, type: 'SomethingElse', data: {}, recordedAt: '2026-01-06T10:00:00Z' },
    ];
    expect(continuityEventsOf(records).map((event) => event.eventId)).toEqual(['a']);
  });
});
