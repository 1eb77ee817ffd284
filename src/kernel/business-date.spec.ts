import { daysInMonth, isBusinessDate } from './business-date.js';

describe('isBusinessDate', () => {
  it.each(['2026-03-10', '2024-02-29', '2000-02-29', '1999-12-31'])('accepts the calendar date %s', (date) => {
    expect(isBusinessDate(date)).toBe(true);
  });

  it.each([
    ['2025-02-29', 'February 29th of a common year'],
    ['1900-02-29', 'February 29th of a century that is not a leap year'],
    ['2026-04-31', 'a 31st in a 30-day month'],
    ['2026-13-01', 'a 13th month'],
    ['2026-00-10', 'month zero'],
    ['2026-01-00', 'day zero'],
    ['2026-3-10', 'a month without its leading zero'],
    ['2026-03-10T00:00:00Z', 'an instant'],
    ['10/03/2026', 'a French-formatted date'],
    ['', 'nothing'],
  ])('refuses %s (%s)', (date) => {
    expect(isBusinessDate(date)).toBe(false);
  });
});

describe('daysInMonth', () => {
  it('knows leap years, including the century rules', () => {
    expect(daysInMonth(2024, 2)).toBe(29);
    expect(daysInMonth(2026, 2)).toBe(28);
    expect(daysInMonth(2000, 2)).toBe(29);
    expect(daysInMonth(2100, 2)).toBe(28);
    expect(daysInMonth(2026, 4)).toBe(30);
    expect(daysInMonth(2026, 12)).toBe(31);
  });
});
