import { parisDate } from './clock.js';

describe('parisDate', () => {
  it('gives the calendar day in Europe/Paris, at the minute the day changes there, in winter and in summer time', () => {
    const cases: Array<[string, string]> = [
      ['2026-01-15T22:59:59.999Z', '2026-01-15'],
      ['2026-01-15T23:00:00.000Z', '2026-01-16'],
      // Asked again for an instant of the same minute as an earlier one: the same day.
      ['2026-01-15T23:00:59.999Z', '2026-01-16'],
      ['2026-01-15T22:59:00.000Z', '2026-01-15'],
      ['2026-07-01T21:59:59.999Z', '2026-07-01'],
      ['2026-07-01T22:00:00.000Z', '2026-07-02'],
      // The night summer time begins (02:00 → 03:00 on 29 March 2026) and the one it ends.
      ['2026-03-28T22:59:59.000Z', '2026-03-28'],
      ['2026-03-28T23:00:00.000Z', '2026-03-29'],
      ['2026-10-24T21:59:59.000Z', '2026-10-24'],
      ['2026-10-24T22:00:00.000Z', '2026-10-25'],
    ];
    expect(cases.map(([at]) => parisDate(new Date(at)))).toEqual(cases.map(([, day]) => day));
  });

  it('refuses an invalid date rather than answering the last one', () => {
    parisDate(new Date('2026-01-15T12:00:00Z'));
    expect(() => parisDate(new Date('not a date'))).toThrow(RangeError);
  });
});
