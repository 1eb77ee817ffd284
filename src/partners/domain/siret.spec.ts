import { isValidSiret } from './siret.js';

describe('isValidSiret', () => {
  it.each([
    ['73282932000074', true], // Luhn-valid establishment number
    ['35600000000001', true], // La Poste: digit sum 15, a multiple of 5
    ['73282932000075', false], // last digit changed
    ['35600000000002', false],
    ['7328293200007', false], // 13 digits
    ['7328293200007A', false],
    ['', false],
  ])('%s → %s', (siret, valid) => {
    expect(isValidSiret(siret)).toBe(valid);
  });
});
