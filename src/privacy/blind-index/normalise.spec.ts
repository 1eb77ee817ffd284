import { normaliseAllocataire, normaliseNameAndBirthDate, normaliseNir } from './normalise.js';

describe('blind index normal forms', () => {
  it('reads a NIR as people write it', () => {
    expect(normaliseNir('2 84 05 2a 123 456 78')).toBe('284052A12345678');
    expect(normaliseNir('1.84.05.63.113.001-42')).toBe('184056311300142');
  });

  it('reads an allocataire number without padding or spaces, per organism and household role', () => {
    expect(normaliseAllocataire('caf', '0012 345', 'demandeur')).toBe('CAF|12345|demandeur');
    expect(normaliseAllocataire('caf', '12345', 'demandeur')).toBe(normaliseAllocataire('caf', '0012345', 'demandeur'));
    expect(normaliseAllocataire('msa', '12345', 'demandeur')).not.toBe(normaliseAllocataire('caf', '12345', 'demandeur'));
    expect(normaliseAllocataire('caf', '12345', 'conjoint')).not.toBe(normaliseAllocataire('caf', '12345', 'demandeur'));
    expect(normaliseAllocataire('caf', '0', 'demandeur')).toBe('CAF|0|demandeur');
  });

  it('ignores accents, ligatures, case, hyphens, apostrophes, spaces and the order of first names', () => {
    const reference = normaliseNameAndBirthDate("D'ÉPINAY-LŒUVRE", 'Marie-Anne Élise', '1990-03-04');
    expect(normaliseNameAndBirthDate('d epinay loeuvre', 'élise marie anne', '1990-03-04')).toBe(reference);
    expect(normaliseNameAndBirthDate('Depinay Lœuvre', 'ANNE, Marie  Elise', '1990-03-04')).toBe(reference);
    expect(reference).toBe('DEPINAYLOEUVRE|ANNE ELISE MARIE|1990-03-04');
  });

  it('still tells different people apart', () => {
    const reference = normaliseNameAndBirthDate('Martin', 'Paul', '1990-03-04');
    expect(normaliseNameAndBirthDate('Martin', 'Paule', '1990-03-04')).not.toBe(reference);
    expect(normaliseNameAndBirthDate('Martin', 'Paul', '1990-03-05')).not.toBe(reference);
    expect(normaliseNameAndBirthDate('Martine', 'Paul', '1990-03-04')).not.toBe(reference);
    // Two first names are not one first name that spells both.
    expect(normaliseNameAndBirthDate('Martin', 'Jean Paul', '1990-03-04')).not.toBe(normaliseNameAndBirthDate('Martin', 'Jeanpaul', '1990-03-04'));
  });
});
