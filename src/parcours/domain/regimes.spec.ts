import { contractKindAllowedOn, effectiveContractEnd, latestSanctionEnd, regimeOfDate, regimeOfParcours, registeredAutomatically } from './regimes.js';

describe('regimes, derived from dates', () => {
  it('a fact of 31 December 2024 falls under the 2021 SPIE rules, one of 1 January 2025 under the plein-emploi law', () => {
    expect(regimeOfDate('2024-12-31')).toBe('spie_2021');
    expect(regimeOfDate('2025-01-01')).toBe('plein_emploi');
  });

  it('a parcours open on 1 January 2025 is in the transition until 31 December 2026, under the new law from 1 January 2027', () => {
    expect(regimeOfParcours('2024-03-04', true, '2024-12-31')).toBe('spie_2021');
    expect(regimeOfParcours('2024-03-04', true, '2025-01-01')).toBe('transition');
    expect(regimeOfParcours('2024-03-04', true, '2026-12-31')).toBe('transition');
    expect(regimeOfParcours('2024-03-04', true, '2027-01-01')).toBe('plein_emploi');
  });

  it('a parcours that had exited before 1 January 2025, or entered from then on, is under the new law at once', () => {
    expect(regimeOfParcours('2024-03-04', false, '2025-02-01')).toBe('plein_emploi');
    expect(regimeOfParcours('2025-01-01', false, '2025-01-01')).toBe('plein_emploi');
  });

  it('CER and PPAE before 2025, CE from 2025, CEJ and PACEA always', () => {
    expect(['CER', 'PPAE', 'CE', 'CEJ', 'PACEA'].map((kind) => contractKindAllowedOn(kind as never, '2024-12-31'))).toEqual([true, true, false, true, true]);
    expect(['CER', 'PPAE', 'CE', 'CEJ', 'PACEA'].map((kind) => contractKindAllowedOn(kind as never, '2025-01-01'))).toEqual([false, false, true, true, true]);
  });

  it('a CER or a PPAE counts at most until 31 December 2026; other contracts until their own end', () => {
    expect(effectiveContractEnd('CER', '2027-06-30')).toBe('2026-12-31');
    expect(effectiveContractEnd('PPAE', '2026-06-30')).toBe('2026-06-30');
    expect(effectiveContractEnd('CE', '2027-06-30')).toBe('2027-06-30');
  });

  it('ends a suspension-remobilisation at most four calendar months on, clamped to the month’s end', () => {
    expect(latestSanctionEnd('2025-06-01')).toBe('2025-10-01');
    expect(latestSanctionEnd('2025-10-31')).toBe('2026-02-28');
  });

  it('registers automatically from 2025 only', () => {
    expect(registeredAutomatically('2024-12-31')).toBe(false);
    expect(registeredAutomatically('2025-01-01')).toBe(true);
  });
});
