import {
  aParcoursFollowedByClaire,
  aParcoursSuspendedSince5March,
  appointmentRecorded,
  archived,
  CONSEIL_DEPARTEMENTAL,
  exited,
  FRANCE_TRAVAIL_THIERS,
  opened,
  oriented,
  processingRestricted,
  processingRestrictionLifted,
  reopened,
  reorientationAccepted,
  reorientationRejected,
  reorientationRequested,
  resumed,
  suspended,
} from '../../parcours/domain/parcours.fixtures.js';
import { evidenceTypes, opposedFromTo, recorded, restrictedFromTo, summary } from '../continuity.fixtures.js';
import { DEFAULT_POLICY } from '../policy.js';
import { orientationWithoutFirstAccompaniment } from './r3-orientation-without-first-accompaniment.js';

const r3 = (events: Parameters<typeof orientationWithoutFirstAccompaniment>[0], asOf: string) =>
  orientationWithoutFirstAccompaniment(events, asOf, DEFAULT_POLICY);

// Oriented on 8 February 2026: day 30 is 10 March, day 31 the 11th.
describe('R3 — orientation without a first accompaniment appointment attended', () => {
  const orientedOn8February = [opened(), oriented()] as const;

  it('a first accompaniment attended on day 30 leaves nothing', () => {
    expect(r3(recorded([...orientedOn8February, appointmentRecorded({ scheduledOn: '2026-03-10' })]), '2026-06-30')).toEqual([]);
  });

  it('a first accompaniment attended on day 31 is a closed one-day breach', () => {
    const seenOnDay31 = recorded([...orientedOn8February, appointmentRecorded({ scheduledOn: '2026-03-11' })]);
    const [finding] = r3(seenOnDay31, '2026-06-30');
    expect(summary(finding)).toEqual({ ruleId: 'R3', severity: 'breach', status: 'closed', dueOn: '2026-03-10', observedOn: '2026-03-11', endedOn: '2026-03-11', durationDays: 1 });
    expect(evidenceTypes(finding, seenOnDay31)).toEqual(['OrientationDecided', 'AppointmentRecorded']);
  });

  it('a beneficiary never seen is in breach from day 31', () => {
    expect(r3(recorded(orientedOn8February), '2026-03-10')).toEqual([]);
    expect(r3(recorded(orientedOn8February), '2026-03-11').map(summary)).toEqual([
      { ruleId: 'R3', severity: 'breach', status: 'open', dueOn: '2026-03-10', observedOn: '2026-03-11', endedOn: null, durationDays: 1 },
    ]);
  });

  it('a no-show, an excused absence or an orientation appointment is not a first accompaniment', () => {
    const notSeen = recorded([
      ...orientedOn8February,
      appointmentRecorded({ appointmentId: 'a1', scheduledOn: '2026-02-17', outcome: 'no_show' }),
      appointmentRecorded({ appointmentId: 'a2', scheduledOn: '2026-02-24', outcome: 'excused' }),
      appointmentRecorded({ appointmentId: 'a3', scheduledOn: '2026-02-25', kind: 'orientation', outcome: 'seen' }),
    ]);
    expect(r3(notSeen, '2026-03-11').map((finding) => finding.severity)).toEqual(['breach']);
  });

  it('an appointment attended on the day of the orientation counts even when recorded before it', () => {
    expect(r3(recorded([opened(), appointmentRecorded({ scheduledOn: '2026-02-08' }), oriented()]), '2026-06-30')).toEqual([]);
  });

  describe('suspension', () => {
    it('from 1 to 16 March pushes the first appointment 15 days later', () => {
      const suspendedInMarch = recorded([...orientedOn8February, suspended({ suspendedOn: '2026-03-01', reason: 'appointment_missed' }), resumed('2026-03-16')]);
      expect(r3(suspendedInMarch, '2026-03-25')).toEqual([]);
      expect(r3(suspendedInMarch, '2026-03-26').map((finding) => [finding.dueOn, finding.observedOn, finding.status])).toEqual([['2026-03-25', '2026-03-26', 'open']]);
    });

    it('still running: a suspended parcours does not accrue R3', () => {
      expect(r3(recorded(aParcoursSuspendedSince5March), '2026-12-31')).toEqual([]);
    });
  });

  describe('a reorientation', () => {
    // The fixture's beneficiary was seen by the Conseil départemental on 17 February.
    const seenThenReorientedTowardsFranceTravailOn12March = recorded([
      ...aParcoursFollowedByClaire,
      appointmentRecorded({ scheduledOn: '2026-02-17', partnerId: CONSEIL_DEPARTEMENTAL }),
      reorientationRequested(),
      reorientationAccepted({ organismeReferentId: FRANCE_TRAVAIL_THIERS, decidedOn: '2026-03-12' }),
    ]);

    it('towards another organisme référent needs a first appointment again within 30 days', () => {
      expect(r3(seenThenReorientedTowardsFranceTravailOn12March, '2026-04-11')).toEqual([]);
      const [finding] = r3(seenThenReorientedTowardsFranceTravailOn12March, '2026-04-12');
      expect(summary(finding)).toEqual({ ruleId: 'R3', severity: 'breach', status: 'open', dueOn: '2026-04-11', observedOn: '2026-04-12', endedOn: null, durationDays: 1 });
      expect(evidenceTypes(finding, seenThenReorientedTowardsFranceTravailOn12March)).toEqual(['ReorientationDecided']);
    });

    it('rejected, or towards the same organisme, does not', () => {
      const rejected = recorded([...aParcoursFollowedByClaire, appointmentRecorded(), reorientationRequested(), reorientationRejected('2026-03-12')]);
      expect(r3(rejected, '2026-06-30')).toEqual([]);
      const sameOrganisme = recorded([
        ...aParcoursFollowedByClaire,
        appointmentRecorded(),
        reorientationRequested(),
        reorientationAccepted({ parcoursType: 'social', organismeReferentId: CONSEIL_DEPARTEMENTAL }),
      ]);
      expect(r3(sameOrganisme, '2026-06-30')).toEqual([]);
    });
  });

  it('an exit ends the wait; a reopening before any appointment starts it again', () => {
    const exitedOn20FebruaryReopenedOn1April = recorded([
      ...orientedOn8February,
      exited({ exitedOn: '2026-02-20', category: 'autre', reason: 'no_longer_reachable' }),
      reopened({ reopenedOn: '2026-04-01', reason: 'beneficiary_request' }),
    ]);
    expect(r3(exitedOn20FebruaryReopenedOn1April, '2026-05-01')).toEqual([]);
    const [finding] = r3(exitedOn20FebruaryReopenedOn1April, '2026-05-02');
    expect(summary(finding)).toEqual({ ruleId: 'R3', severity: 'breach', status: 'open', dueOn: '2026-05-01', observedOn: '2026-05-02', endedOn: null, durationDays: 1 });
    expect(evidenceTypes(finding, exitedOn20FebruaryReopenedOn1April)).toEqual(['ParcoursReopened', 'OrientationDecided']);
  });

  it('an exit after the breach closes it on the exit date', () => {
    const exitedOn15March = recorded([...orientedOn8February, exited({ exitedOn: '2026-03-15', category: 'autre', reason: 'no_longer_reachable' })]);
    expect(r3(exitedOn15March, '2026-06-30').map(summary)).toEqual([
      { ruleId: 'R3', severity: 'breach', status: 'closed', dueOn: '2026-03-10', observedOn: '2026-03-11', endedOn: '2026-03-15', durationDays: 5 },
    ]);
  });

  describe('restriction of processing (RGPD art. 18)', () => {
    it('from 1 to 16 March pushes the first appointment 15 days later, as a suspension does, and is cited', () => {
      const restrictedInMarch = recorded([...orientedOn8February, ...restrictedFromTo('2026-03-01', '2026-03-16')]);
      expect(r3(restrictedInMarch, '2026-03-25')).toEqual([]);
      const [finding] = r3(restrictedInMarch, '2026-03-26');
      expect(summary(finding)).toEqual({ ruleId: 'R3', severity: 'breach', status: 'open', dueOn: '2026-03-25', observedOn: '2026-03-26', endedOn: null, durationDays: 1 });
      expect(evidenceTypes(finding, restrictedInMarch)).toEqual(['OrientationDecided', 'ProcessingRestricted', 'ProcessingRestrictionLifted']);
    });

    it('still in force: no appointment can be recorded, so no R3 accrues', () => {
      expect(r3(recorded([...orientedOn8February, restrictedFromTo('2026-03-01', '2026-03-16')[0]]), '2026-12-31')).toEqual([]);
    });

    it('overlapping a suspension, counts the days paused by either once: suspended 1–16 March, restricted 10–21 March, 20 days', () => {
      const suspendedThenRestricted = recorded([
        ...orientedOn8February,
        suspended({ suspendedOn: '2026-03-01', reason: 'appointment_missed' }),
        processingRestricted({ restrictedOn: '2026-03-10' }),
        resumed('2026-03-16'),
        processingRestrictionLifted({ liftedOn: '2026-03-21' }),
      ]);
      // Adding the 15 suspended days to the 11 restricted ones would put the breach on 6 April.
      expect(r3(suspendedThenRestricted, '2026-03-30')).toEqual([]);
      const [finding] = r3(suspendedThenRestricted, '2026-03-31');
      expect(summary(finding)).toEqual({ ruleId: 'R3', severity: 'breach', status: 'open', dueOn: '2026-03-30', observedOn: '2026-03-31', endedOn: null, durationDays: 1 });
      expect(evidenceTypes(finding, suspendedThenRestricted).sort()).toEqual(
        ['OrientationDecided', 'ParcoursResumed', 'ParcoursSuspended', 'ProcessingRestricted', 'ProcessingRestrictionLifted'].sort(),
      );
    });

    it('an opposition (art. 21) limits sharing, not recording: the breach stays on 11 March', () => {
      const opposedInMarch = recorded([...orientedOn8February, ...opposedFromTo('2026-03-01', '2026-03-16')]);
      const [finding] = r3(opposedInMarch, '2026-03-11');
      expect(summary(finding)).toEqual({ ruleId: 'R3', severity: 'breach', status: 'open', dueOn: '2026-03-10', observedOn: '2026-03-11', endedOn: null, durationDays: 1 });
      expect(evidenceTypes(finding, opposedInMarch)).toEqual(['OrientationDecided']);
    });
  });

  describe('archive (R. 263-8 CASF)', () => {
    it('before the breach, stops the clock for good', () => {
      expect(r3(recorded([...orientedOn8February, archived({ archivedOn: '2026-03-01', lastActivityOn: '2026-02-08' })]), '2026-12-31')).toEqual([]);
    });

    it('after the breach, closes it on the archive date; an appointment dated after it does not count', () => {
      const archivedOn15March = recorded([
        ...orientedOn8February,
        archived({ archivedOn: '2026-03-15', lastActivityOn: '2026-02-08' }),
        appointmentRecorded({ scheduledOn: '2026-03-20' }),
      ]);
      const [finding, ...others] = r3(archivedOn15March, '2026-06-30');
      expect(others).toEqual([]);
      expect(summary(finding)).toEqual({ ruleId: 'R3', severity: 'breach', status: 'closed', dueOn: '2026-03-10', observedOn: '2026-03-11', endedOn: '2026-03-15', durationDays: 5 });
      expect(evidenceTypes(finding, archivedOn15March)).toEqual(['OrientationDecided', 'ParcoursArchived']);
    });
  });
});
