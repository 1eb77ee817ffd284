import {
  aParcoursExitedOn15March,
  aParcoursWithACerRunning,
  archived,
  engagementContractSigned,
  exited,
  opened,
  oriented,
  reopened,
  resumed,
  suspended,
} from '../../parcours/domain/parcours.fixtures.js';
import { evidenceTypes, opposedFromTo, recorded, restrictedFromTo, summary } from '../continuity.fixtures.js';
import { DEFAULT_POLICY } from '../policy.js';
import { orientationWithoutEngagementContract } from './r2-orientation-without-engagement-contract.js';

const r2 = (events: Parameters<typeof orientationWithoutEngagementContract>[0], asOf: string) =>
  orientationWithoutEngagementContract(events, asOf, DEFAULT_POLICY);

describe('R2 — orientation notified without an engagement contract', () => {
  describe('across the loi pour le plein emploi (2025-01-01)', () => {
    const socialOrientationNotifiedOn2December2024 = recorded([
      opened({ entryOn: '2024-11-04' }),
      oriented({ parcoursType: 'social', decidedOn: '2024-11-28', notifiedOn: '2024-12-02' }),
    ]);
    const socialOrientationNotifiedOn3February2025 = recorded([
      opened({ entryOn: '2025-01-06' }),
      oriented({ parcoursType: 'social', decidedOn: '2025-02-03', notifiedOn: '2025-02-03' }),
    ]);

    it('gives a social CER orientation of December 2024 two months, even though they end in 2025', () => {
      expect(r2(socialOrientationNotifiedOn2December2024, '2025-02-02')).toEqual([]);
      const [finding] = r2(socialOrientationNotifiedOn2December2024, '2025-02-03');
      expect(summary(finding)).toEqual({ ruleId: 'R2', severity: 'breach', status: 'open', dueOn: '2025-02-02', observedOn: '2025-02-03', endedOn: null, durationDays: 1 });
      expect(finding.policy).toMatchObject({ version: DEFAULT_POLICY.version, effectiveFrom: '2021-01-01', territory: null });
    });

    it('gives a social CE orientation of February 2025 one month', () => {
      expect(r2(socialOrientationNotifiedOn3February2025, '2025-03-03')).toEqual([]);
      const [finding] = r2(socialOrientationNotifiedOn3February2025, '2025-03-04');
      expect(summary(finding)).toEqual({ ruleId: 'R2', severity: 'breach', status: 'open', dueOn: '2025-03-03', observedOn: '2025-03-04', endedOn: null, durationDays: 1 });
      expect(finding).toMatchObject({ ruleId: 'R2', policy: { effectiveFrom: '2025-01-01', thresholds: { breachAfterMonths: { social: 1 } } } });
    });

    it('counts calendar months, clamped to the end of February', () => {
      const emploiNotifiedOn31January2025 = recorded([opened({ entryOn: '2025-01-06' }), oriented({ parcoursType: 'emploi', decidedOn: '2025-01-31', notifiedOn: '2025-01-31' })]);
      expect(r2(emploiNotifiedOn31January2025, '2025-02-28')).toEqual([]);
      expect(r2(emploiNotifiedOn31January2025, '2025-03-01').map((finding) => [finding.dueOn, finding.observedOn])).toEqual([['2025-02-28', '2025-03-01']]);

      const socioProNotifiedOn31December2024 = recorded([
        opened({ entryOn: '2024-11-04' }),
        oriented({ parcoursType: 'socio_professionnel', decidedOn: '2024-12-31', notifiedOn: '2024-12-31' }),
      ]);
      expect(r2(socioProNotifiedOn31December2024, '2025-03-01').map((finding) => [finding.dueOn, finding.observedOn])).toEqual([['2025-02-28', '2025-03-01']]);
    });
  });

  // Socio-professionnel orientation decided on 8 February 2026 and notified on the 10th: due by 10 March.
  it('a CER signed on 20 February, within the month, leaves nothing', () => {
    expect(r2(recorded(aParcoursWithACerRunning), '2026-09-30')).toEqual([]);
  });

  it('a CER signed on 13 March is a closed breach of 3 days, proven by the orientation and the signature', () => {
    const signedLate = recorded([opened(), oriented(), engagementContractSigned({ signedOn: '2026-03-13', startsOn: '2026-03-13', endsOn: '2026-09-12' })]);
    const [finding] = r2(signedLate, '2026-03-20');
    expect(summary(finding)).toEqual({ ruleId: 'R2', severity: 'breach', status: 'closed', dueOn: '2026-03-10', observedOn: '2026-03-11', endedOn: '2026-03-13', durationDays: 3 });
    expect(evidenceTypes(finding, signedLate)).toEqual(['OrientationDecided', 'EngagementContractSigned']);
  });

  it('starts only with the notification: an orientation never notified, or notified after the audit date, has no clock yet', () => {
    expect(r2(recorded([opened(), oriented({ notifiedOn: null })]), '2026-09-30')).toEqual([]);
    const notifiedOn20February = recorded([opened(), oriented({ decidedOn: '2026-02-08', notifiedOn: '2026-02-20' })]);
    expect(r2(notifiedOn20February, '2026-03-15')).toEqual([]);
    expect(r2(notifiedOn20February, '2026-03-21').map((finding) => finding.dueOn)).toEqual(['2026-03-20']);
  });

  it('a PPAE in force when the orientation is notified satisfies it', () => {
    const ppaeSignedAtRegistration = recorded([
      opened(),
      engagementContractSigned({ kind: 'PPAE', signedOn: '2026-01-20', startsOn: '2026-01-20', endsOn: '2026-07-19' }),
      oriented({ parcoursType: 'emploi' }),
    ]);
    expect(r2(ppaeSignedAtRegistration, '2026-06-30')).toEqual([]);
  });

  describe('a suspension-remobilisation for a refused contract', () => {
    it('stops the clock: suspended from 20 February to 2 March, the contract is due 10 days later', () => {
      const suspendedThenResumed = recorded([opened(), oriented(), suspended({ suspendedOn: '2026-02-20' }), resumed('2026-03-02')]);
      expect(r2(suspendedThenResumed, '2026-03-20')).toEqual([]);
      const [finding] = r2(suspendedThenResumed, '2026-03-21');
      expect(summary(finding)).toEqual({ ruleId: 'R2', severity: 'breach', status: 'open', dueOn: '2026-03-20', observedOn: '2026-03-21', endedOn: null, durationDays: 1 });
      expect(evidenceTypes(finding, suspendedThenResumed)).toEqual(['OrientationDecided', 'ParcoursSuspended', 'ParcoursResumed']);
    });

    it('holds it as long as the suspension lasts', () => {
      expect(r2(recorded([opened(), oriented(), suspended({ suspendedOn: '2026-02-20' })]), '2026-12-31')).toEqual([]);
    });

    it('leaves a breach observed before it open', () => {
      const suspendedAfterTheBreach = recorded([opened(), oriented(), suspended({ suspendedOn: '2026-03-15' })]);
      expect(r2(suspendedAfterTheBreach, '2026-03-20').map(summary)).toEqual([
        { ruleId: 'R2', severity: 'breach', status: 'open', dueOn: '2026-03-10', observedOn: '2026-03-11', endedOn: null, durationDays: 10 },
      ]);
    });
  });

  it('an exit ends the break on the exit date', () => {
    const exitedWithoutContract = recorded([opened(), oriented(), exited({ exitedOn: '2026-03-15', category: 'autre', reason: 'rsa_rights_closed' })]);
    expect(r2(exitedWithoutContract, '2026-06-30').map(summary)).toEqual([
      { ruleId: 'R2', severity: 'breach', status: 'closed', dueOn: '2026-03-10', observedOn: '2026-03-11', endedOn: '2026-03-15', durationDays: 5 },
    ]);
  });

  it('a parcours reopened on 1 April needs a new contract within a month of the reopening', () => {
    const reopenedOn1April = recorded([...aParcoursExitedOn15March, reopened({ reopenedOn: '2026-04-01' })]);
    expect(r2(reopenedOn1April, '2026-05-01')).toEqual([]);
    const [finding] = r2(reopenedOn1April, '2026-05-02');
    expect(summary(finding)).toEqual({ ruleId: 'R2', severity: 'breach', status: 'open', dueOn: '2026-05-01', observedOn: '2026-05-02', endedOn: null, durationDays: 1 });
    expect(evidenceTypes(finding, reopenedOn1April)).toEqual(['ParcoursReopened', 'OrientationDecided']);
  });

  describe('a restriction of processing (RGPD art. 18)', () => {
    it('stops the clock as a suspension does: restricted from 20 February to 2 March, the contract is due 10 days later', () => {
      const restrictedThenLifted = recorded([opened(), oriented(), ...restrictedFromTo('2026-02-20', '2026-03-02')]);
      expect(r2(restrictedThenLifted, '2026-03-20')).toEqual([]);
      const [finding] = r2(restrictedThenLifted, '2026-03-21');
      expect(summary(finding)).toEqual({ ruleId: 'R2', severity: 'breach', status: 'open', dueOn: '2026-03-20', observedOn: '2026-03-21', endedOn: null, durationDays: 1 });
      expect(evidenceTypes(finding, restrictedThenLifted)).toEqual(['OrientationDecided', 'ProcessingRestricted', 'ProcessingRestrictionLifted']);
    });

    it('holds it as long as it is in force', () => {
      expect(r2(recorded([opened(), oriented(), restrictedFromTo('2026-02-20', '2026-03-02')[0]]), '2026-12-31')).toEqual([]);
    });

    it('an opposition (art. 21) does not: the contract is due on 10 March all the same', () => {
      expect(r2(recorded([opened(), oriented(), ...opposedFromTo('2026-02-20', '2026-03-02')]), '2026-03-11').map((finding) => [finding.dueOn, finding.observedOn])).toEqual([
        ['2026-03-10', '2026-03-11'],
      ]);
    });
  });

  it('an archive before the due date stops the clock for good; after it, closes the break on the archive date', () => {
    expect(r2(recorded([opened(), oriented(), archived({ archivedOn: '2026-03-01', lastActivityOn: '2026-02-10' })]), '2026-12-31')).toEqual([]);
    const archivedOn15March = recorded([opened(), oriented(), archived({ archivedOn: '2026-03-15', lastActivityOn: '2026-02-10' })]);
    const [finding] = r2(archivedOn15March, '2026-12-31');
    expect(summary(finding)).toEqual({ ruleId: 'R2', severity: 'breach', status: 'closed', dueOn: '2026-03-10', observedOn: '2026-03-11', endedOn: '2026-03-15', durationDays: 5 });
    expect(evidenceTypes(finding, archivedOn15March)).toEqual(['OrientationDecided', 'ParcoursArchived']);
  });
});
