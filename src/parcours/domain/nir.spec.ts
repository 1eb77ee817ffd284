import { isValidNir } from './nir.js';

describe('isValidNir', () => {
  it.each([
    ['1 84 12 76 451 089 46', 'a man born in December 1984 in Seine-Maritime, written with spaces'],
    ['294037512000591', 'a woman born in March 1994 in Paris, written without spaces'],
    ['2 69 05 2A 135 012 75', 'a woman born in Corse-du-Sud (2A counts as 19)'],
    ['1 92 03 2B 033 147 75', 'a man born in Haute-Corse (2B counts as 18)'],
    ['2 69 05 2a 135 012 75', 'a Corsican number typed in lower case'],
    ['1 80 05 99 350 123 80', 'a man born abroad (département 99)'],
    ['1 75 20 99 123 045 81', 'a birth month unknown to the civil status (20)'],
    ['1.65.12.42.100.001.97', 'the highest key, 97, written with dots'],
    ['7 85 05 99 123 456 95', 'a temporary number (NIA)'],
  ])('accepts %s (%s)', (nir) => {
    expect(isValidNir(nir)).toBe(true);
  });

  it.each([
    ['1 84 12 76 451 089 47', 'a key off by one'],
    ['2 94 03 75 120 005 19', 'swapped key digits'],
    ['1 84 12 76 451 098 46', 'two transposed digits of the order number'],
    ['2 69 05 2B 135 012 75', 'the key of 2A given for a 2B number'],
    ['1 84 12 76 451 089 00', 'a key of 00, which no number yields'],
    ['1 84 12 76 451 089 98', 'a key above 97'],
    ['1 84 13 76 451 089 46', 'month 13'],
    ['1 84 00 76 451 089 46', 'month 00'],
    ['5 84 12 76 451 089 46', 'a first digit that is no sex code'],
    ['1 84 12 2C 451 089 46', 'département 2C'],
    ['1 84 12 76 451 089 4', 'a key of one digit'],
    ['1 84 12 76 451 089 466', 'a 16th digit'],
    ['', 'nothing'],
  ])('refuses %s (%s)', (nir) => {
    expect(isValidNir(nir)).toBe(false);
  });

  it('computes the key of 2A as for 19 and of 2B as for 18', () => {
    // Same digits otherwise: Corrèze (19) shares the key of Corse-du-Sud, Charente (18) the one of Haute-Corse.
    expect(isValidNir('2 69 05 19 135 012 75')).toBe(true);
    expect(isValidNir('2 69 05 2A 135 012 75')).toBe(true);
    expect(isValidNir('2 69 05 18 135 012 05')).toBe(true);
    expect(isValidNir('2 69 05 2B 135 012 05')).toBe(true);
  });
});
