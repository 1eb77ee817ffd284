import fc from 'fast-check';
import { addDays, addMonths, assertBusinessDate, daysBetween, dayNumber, isoDate } from './calendar.js';

describe('calendar', () => {
  it('numbers days from 1970-01-01, as UTC midnights would', () => {
    expect(dayNumber('1970-01-01')).toBe(0);
    expect(dayNumber('2026-01-05')).toBe(Date.UTC(2026, 0, 5) / 86_400_000);
    expect(isoDate(dayNumber('2024-02-29'))).toBe('2024-02-29');
  });

  it('agrees with the Gregorian calendar of Date.UTC on any day from 1900 to 2200', () => {
    fc.assert(
      fc.property(fc.integer({ min: dayNumber('1900-01-01'), max: dayNumber('2200-12-31') }), (day) => {
        const expected = new Date(day * 86_400_000).toISOString().slice(0, 10);
        expect(isoDate(day)).toBe(expected);
        expect(dayNumber(expected)).toBe(day);
      }),
    );
  });

  it('adds calendar days across months, years and leap days', () => {
    expect(addDays('2026-01-05', 42)).toBe('2026-02-16');
    expect(addDays('2024-02-28', 1)).toBe('2024-02-29');
    expect(addDays('2025-02-28', 1)).toBe('2025-03-01');
    expect(addDays('2025-12-31', 1)).toBe('2026-01-01');
    expect(addDays('2026-03-01', -1)).toBe('2026-02-28');
  });

  it('adds calendar months, clamped to the end of a shorter month', () => {
    expect(addMonths('2025-01-31', 1)).toBe('2025-02-28');
    expect(addMonths('2024-01-31', 1)).toBe('2024-02-29');
    expect(addMonths('2025-03-31', 1)).toBe('2025-04-30');
    expect(addMonths('2024-12-02', 2)).toBe('2025-02-02');
    expect(addMonths('2025-08-31', 6)).toBe('2026-02-28');
    expect(addMonths('2026-02-08', 12)).toBe('2027-02-08');
    expect(addMonths('2026-02-28', 1)).toBe('2026-03-28');
  });

  it('counts the calendar days between two dates, with no daylight-saving hour lost (Paris switches on 29 March 2026)', () => {
    expect(daysBetween('2026-03-28', '2026-03-30')).toBe(2);
    expect(daysBetween('2026-01-05', '2026-02-17')).toBe(43);
    expect(daysBetween('2026-02-17', '2026-01-05')).toBe(-43);
  });

  it('refuses an audit date that is not a calendar date', () => {
    expect(() => assertBusinessDate('2026-02-30', 'asOf')).toThrow(RangeError);
    expect(() => assertBusinessDate('2026-03-20T00:00:00Z', 'asOf')).toThrow('asOf must be a calendar date');
    expect(() => assertBusinessDate('2026-03-20', 'asOf')).not.toThrow();
  });
});
