import { archived, exited, opened, reopened } from '../parcours/domain/parcours.fixtures.js';
import { recorded } from './continuity.fixtures.js';
import { openOnTransitionDay, regimeOn } from './regime-of-parcours.js';

describe('the regime of a parcours on a date, from its events', () => {
  const in2024 = opened({ entryOn: '2024-06-03' });

  it('given a parcours entered in 2024 and still open, then 2021 rules in 2024, the transition in 2025 and 2026, the new law from 2027', () => {
    const events = recorded([in2024]);
    expect(['2024-12-31', '2025-01-01', '2026-12-31', '2027-01-01'].map((day) => regimeOn(events, day))).toEqual(['spie_2021', 'transition', 'transition', 'plein_emploi']);
  });

  it('given a day before the entry, then no regime', () => {
    expect(regimeOn(recorded([in2024]), '2024-06-02')).toBeNull();
  });

  it('given an exit in 2024, then not in the transition; reopened in 2024, then in it; exited on 1 January 2025, not in it', () => {
    const exitedIn2024 = exited({ exitedOn: '2024-11-29', category: 'autre', reason: 'rsa_rights_closed' });
    expect(openOnTransitionDay(recorded([in2024, exitedIn2024]))).toBe(false);
    expect(regimeOn(recorded([in2024, exitedIn2024, reopened({ reopenedOn: '2025-03-03' })]), '2025-06-01')).toBe('plein_emploi');
    expect(openOnTransitionDay(recorded([in2024, exitedIn2024, reopened({ reopenedOn: '2024-12-15' })]))).toBe(true);
    expect(openOnTransitionDay(recorded([in2024, exited({ exitedOn: '2025-01-01', category: 'autre', reason: 'other' })]))).toBe(false);
  });

  it('given an archive by 1 January 2025, then not in the transition', () => {
    expect(openOnTransitionDay(recorded([opened({ entryOn: '2022-01-03' }), archived({ archivedOn: '2024-10-01', lastActivityOn: '2022-09-30' })]))).toBe(false);
  });

  it('given an entry in 2025, then the new law at once', () => {
    expect(regimeOn(recorded([opened({ entryOn: '2025-01-01' })]), '2025-01-01')).toBe('plein_emploi');
  });
});
