import {
  CLAIRE_AT_CD,
  CONSEIL_DEPARTEMENTAL,
  KARIM_AT_FRANCE_TRAVAIL,
  aParcoursExitedOn15March,
  aParcoursFollowedByClaire,
  archived,
  exited,
  opened,
  oriented,
  referentAssigned,
  referentReleased,
  reopened,
  suspended,
} from '../../parcours/domain/parcours.fixtures.js';
import { evidenceTypes, recorded, restrictedFromTo, summary } from '../continuity.fixtures.js';
import { DEFAULT_POLICY } from '../policy.js';
import { orientedWithoutReferent } from './r4-oriented-without-referent.js';

const r4 = (events: Parameters<typeof orientedWithoutReferent>[0], asOf: string) => orientedWithoutReferent(events, asOf, DEFAULT_POLICY);

// Oriented on 8 February 2026: day 15 is the 23rd, day 16 the 24th.
describe('R4 — open parcours without an active référent', () => {
  const orientedOn8February = [opened(), oriented()] as const;

  it('a référent assigned on day 15 leaves nothing', () => {
    expect(r4(recorded([...orientedOn8February, referentAssigned(undefined, undefined, '2026-02-23')]), '2026-06-30')).toEqual([]);
  });

  it('a référent assigned on day 16 is a closed one-day breach', () => {
    const assignedOnDay16 = recorded([...orientedOn8February, referentAssigned(undefined, undefined, '2026-02-24')]);
    const [finding] = r4(assignedOnDay16, '2026-06-30');
    expect(summary(finding)).toEqual({ ruleId: 'R4', severity: 'breach', status: 'closed', dueOn: '2026-02-23', observedOn: '2026-02-24', endedOn: '2026-02-24', durationDays: 1 });
    expect(evidenceTypes(finding, assignedOnDay16)).toEqual(['OrientationDecided', 'ReferentAssigned']);
    expect(finding.policy.thresholds).toEqual({ warningAfterDays: null, breachAfterDays: 15 });
  });

  it('an oriented parcours nobody was named for is in breach from day 16', () => {
    expect(r4(recorded(orientedOn8February), '2026-02-23')).toEqual([]);
    expect(r4(recorded(orientedOn8February), '2026-02-24').map((finding) => [finding.severity, finding.status, finding.observedOn])).toEqual([['breach', 'open', '2026-02-24']]);
  });

  it('counts from the orientation, not from entry: the weeks before the orientation are R1’s', () => {
    expect(r4(recorded([opened()]), '2026-03-20')).toEqual([]);
  });

  it('keeps running through a suspension: the remobilisation needs a référent', () => {
    expect(r4(recorded([...orientedOn8February, suspended({ suspendedOn: '2026-02-10' })]), '2026-02-24').map((finding) => finding.severity)).toEqual(['breach']);
  });

  describe('every period without a référent, not only the first (DESIGN §6)', () => {
    // Issue 14: released on 1 June, replaced on 20 June: 19 days without a référent.
    it('given a release on 1 June, when the next référent is assigned on 20 June, then a closed breach observed on day 16 (17 June) and ended on the 20th', () => {
      const lateReassignment = recorded([
        ...aParcoursFollowedByClaire,
        referentReleased({ releasedOn: '2026-06-01' }),
        referentAssigned(CLAIRE_AT_CD, CONSEIL_DEPARTEMENTAL, '2026-06-20'),
      ]);
      const [finding, ...others] = r4(lateReassignment, '2026-12-31');
      expect(others).toEqual([]);
      expect(summary(finding)).toEqual({ ruleId: 'R4', severity: 'breach', status: 'closed', dueOn: '2026-06-16', observedOn: '2026-06-17', endedOn: '2026-06-20', durationDays: 4 });
      expect(evidenceTypes(finding, lateReassignment)).toEqual(['ReferentReleased', 'ReferentAssigned']);
    });

    it('given a release on 1 June, when the next référent is assigned on day 15 (16 June), then nothing', () => {
      expect(
        r4(recorded([...aParcoursFollowedByClaire, referentReleased({ releasedOn: '2026-06-01' }), referentAssigned(CLAIRE_AT_CD, CONSEIL_DEPARTEMENTAL, '2026-06-16')]), '2026-12-31'),
      ).toEqual([]);
    });

    it('given a release on 1 June and nobody named since, then 213 days later an open breach of 198 days', () => {
      const neverReplaced = recorded([...aParcoursFollowedByClaire, referentReleased({ releasedOn: '2026-06-01' })]);
      expect(r4(neverReplaced, '2026-06-16')).toEqual([]);
      expect(r4(neverReplaced, '2026-12-31').map(summary)).toEqual([
        { ruleId: 'R4', severity: 'breach', status: 'open', dueOn: '2026-06-16', observedOn: '2026-06-17', endedOn: null, durationDays: 198 },
      ]);
    });

    it('given the same-day handover the decider writes (release then assign), then nothing', () => {
      expect(
        r4(recorded([...aParcoursFollowedByClaire, referentReleased({ releasedOn: '2026-03-01', reason: 'handover' }), referentAssigned(KARIM_AT_FRANCE_TRAVAIL, CONSEIL_DEPARTEMENTAL, '2026-03-01')]), '2026-12-31'),
      ).toEqual([]);
    });

    it('given the release the exit writes, then no clock: nobody is due after an exit', () => {
      expect(r4(recorded(aParcoursExitedOn15March), '2026-12-31')).toEqual([]);
    });

    it('given a release before 2025 (2021 SPIE regime), then the breach quotes the 2021 entry of the policy', () => {
      const in2024 = recorded([
        opened({ entryOn: '2024-03-01' }),
        oriented({ decidedOn: '2024-03-20', notifiedOn: '2024-03-22' }),
        referentAssigned(CLAIRE_AT_CD, CONSEIL_DEPARTEMENTAL, '2024-03-25'),
        referentReleased({ releasedOn: '2024-12-20' }),
      ]);
      const [finding] = r4(in2024, '2025-01-10');
      expect(summary(finding)).toMatchObject({ severity: 'breach', observedOn: '2025-01-05', status: 'open' });
      expect(finding.policy.effectiveFrom).toBe('2021-01-01');
      const after = recorded([...in2024.slice(0, 3).map(({ type, data }) => ({ type, data }) as never), referentReleased({ releasedOn: '2025-02-01' })]);
      expect(r4(after, '2025-03-01')[0].policy.effectiveFrom).toBe('2025-01-01');
    });
  });

  it('an exit closes the break on the exit date', () => {
    const exitedOn1March = recorded([...orientedOn8February, exited({ exitedOn: '2026-03-01', category: 'autre', reason: 'rsa_rights_closed' })]);
    expect(r4(exitedOn1March, '2026-06-30').map(summary)).toEqual([
      { ruleId: 'R4', severity: 'breach', status: 'closed', dueOn: '2026-02-23', observedOn: '2026-02-24', endedOn: '2026-03-01', durationDays: 6 },
    ]);
  });

  it('a parcours reopened on 1 April (its référent released at the exit) needs one by 16 April', () => {
    const reopenedOn1April = recorded([...aParcoursExitedOn15March, reopened({ reopenedOn: '2026-04-01' })]);
    expect(r4(reopenedOn1April, '2026-04-16')).toEqual([]);
    const [finding] = r4(reopenedOn1April, '2026-04-17');
    expect(summary(finding)).toEqual({ ruleId: 'R4', severity: 'breach', status: 'open', dueOn: '2026-04-16', observedOn: '2026-04-17', endedOn: null, durationDays: 1 });
    expect(evidenceTypes(finding, reopenedOn1April)).toEqual(['ParcoursReopened', 'OrientationDecided']);
  });

  describe('restriction of processing (RGPD art. 18) and archive (R. 263-8 CASF)', () => {
    it('keeps running through a restriction of processing: naming a référent is the institution’s duty', () => {
      const restricted = recorded([...orientedOn8February, ...restrictedFromTo('2026-02-10', '2026-02-20')]);
      expect(r4(restricted, '2026-02-24').map(summary)).toEqual([
        { ruleId: 'R4', severity: 'breach', status: 'open', dueOn: '2026-02-23', observedOn: '2026-02-24', endedOn: null, durationDays: 1 },
      ]);
    });

    it('an archive before the threshold stops the clock: what would have been a breach never is', () => {
      expect(r4(recorded(orientedOn8February), '2026-06-30').map((finding) => finding.severity)).toEqual(['breach']);
      expect(r4(recorded([...orientedOn8February, archived({ archivedOn: '2026-02-20', lastActivityOn: '2026-02-08' })]), '2026-06-30')).toEqual([]);
    });

    it('an archive after the breach closes it on the archive date, and a reopening dated after it starts nothing', () => {
      const archivedOn1MarchThenReopened = recorded([
        ...orientedOn8February,
        archived({ archivedOn: '2026-03-01', lastActivityOn: '2026-02-08' }),
        reopened({ reopenedOn: '2026-04-01' }),
      ]);
      const findings = r4(archivedOn1MarchThenReopened, '2026-06-30');
      expect(findings.map(summary)).toEqual([
        { ruleId: 'R4', severity: 'breach', status: 'closed', dueOn: '2026-02-23', observedOn: '2026-02-24', endedOn: '2026-03-01', durationDays: 6 },
      ]);
      expect(evidenceTypes(findings[0], archivedOn1MarchThenReopened)).toEqual(['OrientationDecided', 'ParcoursArchived']);
    });
  });
});
