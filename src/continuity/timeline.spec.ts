import type { RecordedEvent } from '../event-store/event-store.js';
import { contactRecorded, exited, opened, oriented, reopened, resumed, suspended } from '../parcours/domain/parcours.fixtures.js';
import { dayNumber } from './calendar.js';
import { recorded, recordedLater } from './continuity.fixtures.js';
import { continuityEventsOf, timelineOf } from './timeline.js';

describe('timelineOf', () => {
  const events = recorded([
    opened(),
    contactRecorded({ contactedOn: '2026-03-02' }),
    // Recorded after the contact, dated before it.
    recordedLater(oriented({ decidedOn: '2026-02-08' }), '2026-03-05'),
    contactRecorded({ contactId: 'late', contactedOn: '2026-03-25' }),
  ]);

  it('orders by business date, not by recording order', () => {
    expect(timelineOf(events, '2026-03-31').entries.map((entry) => entry.event.eventId)).toEqual(['e1', 'e3', 'e2', 'e4']);
  });

  it('leaves out the events dated after the audit date', () => {
    expect(timelineOf(events, '2026-03-24').entries.map((entry) => entry.on)).toEqual(['2026-01-05', '2026-02-08', '2026-03-02']);
    expect(timelineOf(events, '2026-01-04').entries).toEqual([]);
  });

  it('keeps the recording order within a day', () => {
    const sameDay = recorded([opened(), contactRecorded({ contactId: 'a', contactedOn: '2026-02-01' }), contactRecorded({ contactId: 'b', contactedOn: '2026-02-01' })]);
    const reversed = [...sameDay].reverse();
    expect(timelineOf(reversed, '2026-03-01').entries.map((entry) => entry.event.eventId)).toEqual(['e1', 'e2', 'e3']);
  });

  it('takes the territory of ParcoursOpened unless the caller names one', () => {
    expect(timelineOf(events, '2026-03-31').territory).toBe('cc-thiers-dore-et-montagne');
    expect(timelineOf(events, '2026-03-31', 'cc-billom-communaute').territory).toBe('cc-billom-communaute');
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
    const pauses = timelineOf(stream, '2026-05-01').pauses;
    expect(pauses.map(({ fromDay, toDay }) => [fromDay, toDay])).toEqual([
      [dayNumber('2026-02-01'), dayNumber('2026-02-11')],
      [dayNumber('2026-03-01'), dayNumber('2026-03-04')],
      [dayNumber('2026-04-10'), Infinity],
    ]);
    expect(pauses[0].events.map((event) => event.eventId)).toEqual(['e2', 'e3']);
    // As of a date inside the first suspension, it has not ended yet.
    expect(timelineOf(stream, '2026-02-05').pauses.map(({ toDay }) => toDay)).toEqual([Infinity]);
  });

  it('refuses an audit date that is not a calendar date', () => {
    expect(() => timelineOf(events, '20/03/2026')).toThrow(RangeError);
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
