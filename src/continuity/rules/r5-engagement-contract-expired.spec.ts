import {
  aParcoursExitedOn15March,
  aParcoursFollowedByClaire,
  aParcoursWithACerPastItsTerm,
  aParcoursWithACerRunning,
  archived,
  engagementContractEnded,
  engagementContractSigned,
  exited,
  processingRestricted,
  processingRestrictionLifted,
  resumed,
  suspended,
  TODAY,
} from '../../parcours/domain/parcours.fixtures.js';
import { evidenceTypes, opposedFromTo, recorded, restrictedFromTo, summary } from '../continuity.fixtures.js';
import { DEFAULT_POLICY } from '../policy.js';
import { engagementContractExpired } from './r5-engagement-contract-expired.js';

const r5 = (events: Parameters<typeof engagementContractExpired>[0], asOf: string) => engagementContractExpired(events, asOf, DEFAULT_POLICY);

// The running CER covers 20 February to 19 August 2026: the warning starts on 20 July.
describe('R5 — engagement contract expired, parcours still open, no new contract', () => {
  const cerRunning = recorded(aParcoursWithACerRunning);

  it('warns from 30 days before the last day of the contract', () => {
    expect(r5(cerRunning, '2026-07-19')).toEqual([]);
    const [finding] = r5(cerRunning, '2026-07-20');
    expect(summary(finding)).toEqual({ ruleId: 'R5', severity: 'warning', status: 'open', dueOn: '2026-08-19', observedOn: '2026-07-20', endedOn: null, durationDays: 1 });
    expect(evidenceTypes(finding, cerRunning)).toEqual(['EngagementContractSigned']);
    expect(finding.policy).toMatchObject({ effectiveFrom: '2025-01-01', regime: 'plein_emploi', thresholds: { warningBeforeDays: 30, breachAfterDays: 0 } });
  });

  it('is still a warning on the last day and a breach from the day after', () => {
    expect(r5(cerRunning, '2026-08-19').map(summary)).toEqual([
      { ruleId: 'R5', severity: 'warning', status: 'open', dueOn: '2026-08-19', observedOn: '2026-07-20', endedOn: null, durationDays: 31 },
    ]);
    expect(r5(cerRunning, '2026-08-20').map(summary)).toEqual([
      { ruleId: 'R5', severity: 'breach', status: 'open', dueOn: '2026-08-19', observedOn: '2026-08-20', endedOn: null, durationDays: 1 },
    ]);
  });

  it('a CER past its term since 1 March is an open breach on 20 March', () => {
    expect(r5(recorded(aParcoursWithACerPastItsTerm), TODAY).map(summary)).toEqual([
      { ruleId: 'R5', severity: 'breach', status: 'open', dueOn: '2026-03-01', observedOn: '2026-03-02', endedOn: null, durationDays: 19 },
    ]);
  });

  it('a contract renewed on 10 August, inside the warning window, leaves a closed warning', () => {
    const renewedOn10August = recorded([
      ...aParcoursWithACerRunning,
      engagementContractEnded({ endedOn: '2026-08-10', reason: 'replaced' }),
      engagementContractSigned({ contractId: 'ce-2', kind: 'CE', signedOn: '2026-08-10', startsOn: '2026-08-10', endsOn: '2027-02-09' }),
    ]);
    const [finding, ...others] = r5(renewedOn10August, '2026-09-30');
    expect(others).toEqual([]);
    expect(summary(finding)).toEqual({ ruleId: 'R5', severity: 'warning', status: 'closed', dueOn: '2026-08-10', observedOn: '2026-07-20', endedOn: '2026-08-10', durationDays: 22 });
    expect(evidenceTypes(finding, renewedOn10August)).toEqual(['EngagementContractSigned', 'EngagementContractEnded', 'EngagementContractSigned']);
  });

  it('a contract renewed the day after its term is a closed one-day breach', () => {
    const renewedOn20August = recorded([
      ...aParcoursWithACerRunning,
      // As the decider records the renewal of a lapsed contract: ended at its term, then the new one.
      engagementContractEnded({ endedOn: '2026-08-19', reason: 'term_reached' }),
      engagementContractSigned({ contractId: 'ce-2', kind: 'CE', signedOn: '2026-08-20', startsOn: '2026-08-20', endsOn: '2027-02-19' }),
    ]);
    expect(r5(renewedOn20August, '2026-09-30').map(summary)).toEqual([
      { ruleId: 'R5', severity: 'breach', status: 'closed', dueOn: '2026-08-19', observedOn: '2026-08-20', endedOn: '2026-08-20', durationDays: 1 },
    ]);
  });

  it('a contract ended early, before the warning window, is a breach from the day after its end, with no warning', () => {
    const endedOn10April = recorded([...aParcoursWithACerRunning, engagementContractEnded({ endedOn: '2026-04-10', reason: 'obligations_breached' })]);
    expect(r5(endedOn10April, '2026-04-10')).toEqual([]);
    const [finding] = r5(endedOn10April, '2026-04-11');
    expect(summary(finding)).toEqual({ ruleId: 'R5', severity: 'breach', status: 'open', dueOn: '2026-04-10', observedOn: '2026-04-11', endedOn: null, durationDays: 1 });
    expect(evidenceTypes(finding, endedOn10April)).toEqual(['EngagementContractSigned', 'EngagementContractEnded']);
  });

  it('a contract shorter than the warning window warns from its signature', () => {
    const threeWeeks = recorded([...aParcoursFollowedByClaire, engagementContractSigned({ signedOn: '2026-02-20', startsOn: '2026-02-20', endsOn: '2026-03-12' })]);
    expect(r5(threeWeeks, '2026-02-20').map((finding) => [finding.severity, finding.observedOn])).toEqual([['warning', '2026-02-20']]);
  });

  it('a suspension across the term pushes the breach back by the suspended days after the term, not the warning', () => {
    const pastItsTermSuspended = recorded([...aParcoursWithACerPastItsTerm, suspended({ suspendedOn: '2026-02-25' }), resumed('2026-03-10')]);
    // As of 9 March the suspension still runs: the breach waits for the resumption, its date unknown.
    expect(r5(pastItsTermSuspended, '2026-03-09').map(summary)).toEqual([
      { ruleId: 'R5', severity: 'warning', status: 'open', dueOn: null, observedOn: '2026-01-30', endedOn: null, durationDays: 39 },
    ]);
    // Resumed on 10 March: the 8 suspended days after the term (2 to 9 March) are added.
    expect(r5(pastItsTermSuspended, '2026-03-31').map((finding) => [finding.dueOn, finding.observedOn])).toEqual([['2026-03-09', '2026-03-10']]);
    const [finding] = r5(pastItsTermSuspended, '2026-03-10');
    expect(summary(finding)).toEqual({ ruleId: 'R5', severity: 'breach', status: 'open', dueOn: '2026-03-09', observedOn: '2026-03-10', endedOn: null, durationDays: 1 });
    expect(evidenceTypes(finding, pastItsTermSuspended)).toEqual(['EngagementContractSigned', 'ParcoursSuspended', 'ParcoursResumed']);
  });

  it('the exit ends the watch: nothing after a parcours exited on 15 March', () => {
    expect(r5(recorded(aParcoursExitedOn15March), '2026-12-31')).toEqual([]);
  });

  it('an exit inside the warning window closes the warning on the exit date', () => {
    const exitedOn1August = recorded([
      ...aParcoursWithACerRunning,
      engagementContractEnded({ endedOn: '2026-08-01', reason: 'parcours_exited' }),
      exited({ exitedOn: '2026-08-01', category: 'emploi_durable', reason: 'cdi' }),
    ]);
    expect(r5(exitedOn1August, '2026-12-31').map(summary)).toEqual([
      { ruleId: 'R5', severity: 'warning', status: 'closed', dueOn: '2026-08-01', observedOn: '2026-07-20', endedOn: '2026-08-01', durationDays: 13 },
    ]);
  });

  describe('restriction of processing (RGPD art. 18)', () => {
    it('across the term pushes the breach back by the restricted days after the term, not the warning', () => {
      const pastItsTermRestricted = recorded([...aParcoursWithACerPastItsTerm, ...restrictedFromTo('2026-02-25', '2026-03-10')]);
      // As of 9 March the restriction is in force: the breach waits for its lifting, its date unknown.
      expect(r5(pastItsTermRestricted, '2026-03-09').map(summary)).toEqual([
        { ruleId: 'R5', severity: 'warning', status: 'open', dueOn: null, observedOn: '2026-01-30', endedOn: null, durationDays: 39 },
      ]);
      // Lifted on 10 March: the 8 restricted days after the term (2 to 9 March) are added.
      const [finding] = r5(pastItsTermRestricted, '2026-03-10');
      expect(summary(finding)).toEqual({ ruleId: 'R5', severity: 'breach', status: 'open', dueOn: '2026-03-09', observedOn: '2026-03-10', endedOn: null, durationDays: 1 });
      expect(evidenceTypes(finding, pastItsTermRestricted)).toEqual(['EngagementContractSigned', 'ProcessingRestricted', 'ProcessingRestrictionLifted']);
    });

    it('overlapping a suspension, counts the days paused by either once', () => {
      // Suspended 25 February – 5 March, restricted 3 – 10 March: 2 to 9 March paused, 8 days, not 3 + 7.
      const pastItsTermSuspendedThenRestricted = recorded([
        ...aParcoursWithACerPastItsTerm,
        suspended({ suspendedOn: '2026-02-25' }),
        processingRestricted({ restrictedOn: '2026-03-03' }),
        resumed('2026-03-05'),
        processingRestrictionLifted({ liftedOn: '2026-03-10' }),
      ]);
      expect(r5(pastItsTermSuspendedThenRestricted, '2026-03-09').map((finding) => finding.severity)).toEqual(['warning']);
      expect(r5(pastItsTermSuspendedThenRestricted, '2026-03-31').map((finding) => [finding.dueOn, finding.observedOn])).toEqual([['2026-03-09', '2026-03-10']]);
    });

    it('an opposition (art. 21) moves nothing: the breach stays on the day after the term', () => {
      const pastItsTermOpposed = recorded([...aParcoursWithACerPastItsTerm, ...opposedFromTo('2026-02-25', '2026-03-10')]);
      expect(r5(pastItsTermOpposed, '2026-03-02').map(summary)).toEqual([
        { ruleId: 'R5', severity: 'breach', status: 'open', dueOn: '2026-03-01', observedOn: '2026-03-02', endedOn: null, durationDays: 1 },
      ]);
    });
  });

  describe('archive (R. 263-8 CASF)', () => {
    it('before the warning window ends the watch: the contract never expires in an audit', () => {
      expect(r5(cerRunning, '2026-12-31').map((finding) => finding.severity)).toEqual(['breach']);
      expect(r5(recorded([...aParcoursWithACerRunning, archived({ archivedOn: '2026-06-01', lastActivityOn: '2026-02-20' })]), '2026-12-31')).toEqual([]);
    });

    it('inside the warning window closes the warning on the archive date', () => {
      const archivedOn1August = recorded([...aParcoursWithACerRunning, archived({ archivedOn: '2026-08-01', lastActivityOn: '2026-02-20' })]);
      const [finding, ...others] = r5(archivedOn1August, '2026-12-31');
      expect(others).toEqual([]);
      expect(summary(finding)).toEqual({ ruleId: 'R5', severity: 'warning', status: 'closed', dueOn: '2026-08-19', observedOn: '2026-07-20', endedOn: '2026-08-01', durationDays: 13 });
      expect(evidenceTypes(finding, archivedOn1August)).toEqual(['EngagementContractSigned', 'ParcoursArchived']);
    });
  });
});
