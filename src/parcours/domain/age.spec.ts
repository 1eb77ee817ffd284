import { ageBandOn, ageOn, isUnder26On } from './age.js';

describe('ageOn', () => {
  it('counts whole years, the birthday included', () => {
    expect(ageOn('2000-03-10', '2026-03-09')).toBe(25);
    expect(ageOn('2000-03-10', '2026-03-10')).toBe(26);
    expect(ageOn('2000-03-10', '2026-12-31')).toBe(26);
  });

  it('is 0 on the day of birth and until the first birthday', () => {
    expect(ageOn('2025-06-15', '2025-06-15')).toBe(0);
    expect(ageOn('2025-06-15', '2026-06-14')).toBe(0);
  });

  it('makes someone born on 29 February a year older on 1 March of a common year', () => {
    expect(ageOn('2004-02-29', '2030-02-28')).toBe(25);
    expect(ageOn('2004-02-29', '2030-03-01')).toBe(26);
    expect(ageOn('2004-02-29', '2028-02-29')).toBe(24);
  });

  it('refuses a date before the birth and dates that are not calendar dates', () => {
    expect(() => ageOn('2000-03-10', '1999-12-31')).toThrow(RangeError);
    expect(() => ageOn('2000-02-30', '2026-03-10')).toThrow('birth date must be a calendar date');
    expect(() => ageOn('2000-03-10', '10/03/2026')).toThrow('date must be a calendar date');
  });
});

describe('isUnder26On', () => {
  it('turns false on the 26th birthday: born 2000-03-10, 26 on 2026-03-10', () => {
    expect(isUnder26On('2000-03-10', '2026-03-09')).toBe(true);
    expect(isUnder26On('2000-03-10', '2026-03-10')).toBe(false);
  });
});

describe('ageBandOn', () => {
  it.each([
    ['2000-03-10', '2026-03-09', 'under_26'],
    ['2000-03-10', '2026-03-10', '26_to_49'],
    ['1976-03-10', '2026-03-09', '26_to_49'],
    ['1976-03-10', '2026-03-10', '50_and_over'],
  ])('someone born %s is, on %s, in band %s', (birthDate, date, band) => {
    expect(ageBandOn(birthDate, date)).toBe(band);
  });
});
