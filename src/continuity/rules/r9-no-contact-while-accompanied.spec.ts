import {
  aParcoursExitedOn15March,
  aParcoursFollowedByClaire,
  aParcoursOrientedTowardsSocioProfessionnel40DaysAgo,
  aParcoursSuspendedSince5March,
  appointmentRecorded,
  archived,
  CONSEIL_DEPARTEMENTAL,
  contactRecorded,
  exited,
  FRANCE_TRAVAIL_THIERS,
  KARIM_AT_FRANCE_TRAVAIL,
  opened,
  processingRestricted,
  processingRestrictionLifted,
  referentAssigned,
  referentReleased,
  resumed,
  suspended,
} from '../../parcours/domain/parcours.fixtures.js';
import { evidenceTypes, knownBy, opposedFromTo, recorded, recordedLater, restrictedFromTo, summary } from '../continuity.fixtures.js';
import { DEFAULT_POLICY } from '../policy.js';
import { noContactWhileAccompanied } from './r9-no-contact-while-accompanied.js';

const r9 = (events: Parameters<typeof noContactWhileAccompanied>[0], asOf: string) => noContactWhileAccompanied(events, asOf, DEFAULT_POLICY);

// Claire is the référent since 12 February 2026: day 90 is 13 May, day 91 the 14th.
describe('R9 — no contact while accompanied', () => {
  it('a beneficiary followed by Claire since 12 February and never contacted drops out on day 91', () => {
    expect(r9(recorded(aParcoursFollowedByClaire), '2026-05-13')).toEqual([]);
    const [finding] = r9(recorded(aParcoursFollowedByClaire), '2026-05-14');
    expect(summary(finding)).toEqual({ ruleId: 'R9', severity: 'breach', status: 'open', dueOn: '2026-05-13', observedOn: '2026-05-14', endedOn: null, durationDays: 1 });
    expect(evidenceTypes(finding, recorded(aParcoursFollowedByClaire))).toEqual(['ReferentAssigned']);
  });

  it('counts from the last contact: a phone call on 2 March moves the breach to 1 June', () => {
    const calledOn2March = recorded([...aParcoursFollowedByClaire, contactRecorded({ contactedOn: '2026-03-02' })]);
    expect(r9(calledOn2March, '2026-05-31')).toEqual([]);
    const [finding] = r9(calledOn2March, '2026-06-01');
    expect(summary(finding)).toEqual({ ruleId: 'R9', severity: 'breach', status: 'open', dueOn: '2026-05-31', observedOn: '2026-06-01', endedOn: null, durationDays: 1 });
    expect(evidenceTypes(finding, calledOn2March)).toEqual(['ContactRecorded']);
  });

  it('a call of 10 May recorded on 20 May counts from its business date, also for audit dates before it was recorded', () => {
    const calledOn10MayRecordedOn20May = recorded([...aParcoursFollowedByClaire, recordedLater(contactRecorded({ contactedOn: '2026-05-10' }), '2026-05-20')]);
    expect(r9(calledOn10MayRecordedOn20May, '2026-05-20')).toEqual([]);
    expect(r9(calledOn10MayRecordedOn20May, '2026-05-14')).toEqual([]);
    // What the alert screen showed on 14 May, before the call was recorded.
    expect(r9(knownBy(calledOn10MayRecordedOn20May, '2026-05-14'), '2026-05-14').map((finding) => finding.observedOn)).toEqual(['2026-05-14']);
  });

  it('an attended appointment is a contact, a no-show is not', () => {
    expect(r9(recorded([...aParcoursFollowedByClaire, appointmentRecorded({ scheduledOn: '2026-03-02' })]), '2026-05-31')).toEqual([]);
    expect(r9(recorded([...aParcoursFollowedByClaire, appointmentRecorded({ scheduledOn: '2026-03-02', outcome: 'no_show' })]), '2026-05-14').map((finding) => finding.observedOn)).toEqual([
      '2026-05-14',
    ]);
  });

  it('a contact on day 91 closes a one-day breach and restarts the clock', () => {
    const calledAgainOn1June = recorded([...aParcoursFollowedByClaire, contactRecorded({ contactedOn: '2026-03-02' }), contactRecorded({ contactId: 'c2', contactedOn: '2026-06-01' })]);
    const findings = r9(calledAgainOn1June, '2026-08-29');
    expect(findings.map(summary)).toEqual([
      { ruleId: 'R9', severity: 'breach', status: 'closed', dueOn: '2026-05-31', observedOn: '2026-06-01', endedOn: '2026-06-01', durationDays: 1 },
    ]);
    expect(evidenceTypes(findings[0], calledAgainOn1June)).toEqual(['ContactRecorded', 'ContactRecorded']);
  });

  it('a handover on 1 April (released and assigned the same day) neither stops nor restarts the clock', () => {
    const handedOverOn1April = recorded([
      ...aParcoursFollowedByClaire,
      contactRecorded({ contactedOn: '2026-03-02' }),
      referentReleased({ reason: 'handover', releasedOn: '2026-04-01' }),
      referentAssigned(KARIM_AT_FRANCE_TRAVAIL, FRANCE_TRAVAIL_THIERS, '2026-04-01'),
    ]);
    expect(r9(handedOverOn1April, '2026-05-31')).toEqual([]);
    const [finding] = r9(handedOverOn1April, '2026-06-01');
    expect(finding.observedOn).toBe('2026-06-01');
    expect(evidenceTypes(finding, handedOverOn1April)).toEqual(['ContactRecorded']);
  });

  it('stops when the accompaniment ends: a parcours without a référent is R4’s and R10’s', () => {
    expect(r9(recorded([...aParcoursFollowedByClaire, referentReleased({ releasedOn: '2026-04-01' })]), '2026-12-31')).toEqual([]);
    const releasedAfterTheBreach = recorded([...aParcoursFollowedByClaire, referentReleased({ releasedOn: '2026-06-01' })]);
    expect(r9(releasedAfterTheBreach, '2026-12-31').map(summary)).toEqual([
      { ruleId: 'R9', severity: 'breach', status: 'closed', dueOn: '2026-05-13', observedOn: '2026-05-14', endedOn: '2026-06-01', durationDays: 19 },
    ]);
  });

  it('does not run before anyone accompanies the beneficiary, and a contact before the assignment does not count', () => {
    expect(r9(recorded(aParcoursOrientedTowardsSocioProfessionnel40DaysAgo), '2026-12-31')).toEqual([]);
    const calledBeforeAssignment = recorded([opened(), contactRecorded({ contactedOn: '2026-01-20', partnerId: CONSEIL_DEPARTEMENTAL }), ...aParcoursFollowedByClaire.slice(1)]);
    expect(r9(calledBeforeAssignment, '2026-05-14').map((finding) => finding.observedOn)).toEqual(['2026-05-14']);
  });

  describe('suspension', () => {
    it('a parcours suspended since 5 March does not accrue R9', () => {
      expect(r9(recorded(aParcoursSuspendedSince5March), '2026-12-31')).toEqual([]);
    });

    it('also stops the clock restarted by a contact: called on 2 March, suspended in April, the breach moves from 1 June to 1 July', () => {
      const calledThenSuspendedInApril = recorded([
        ...aParcoursFollowedByClaire,
        contactRecorded({ contactedOn: '2026-03-02' }),
        suspended({ suspendedOn: '2026-04-01', reason: 'appointment_missed' }),
        resumed('2026-05-01'),
      ]);
      expect(r9(calledThenSuspendedInApril, '2026-06-30')).toEqual([]);
      expect(r9(calledThenSuspendedInApril, '2026-07-01').map((finding) => [finding.dueOn, finding.observedOn])).toEqual([['2026-06-30', '2026-07-01']]);
    });

    it('resumed on 4 April, the 30 suspended days push the breach to 13 June', () => {
      const resumedOn4April = recorded([...aParcoursSuspendedSince5March, resumed('2026-04-04')]);
      expect(r9(resumedOn4April, '2026-06-12')).toEqual([]);
      const [finding] = r9(resumedOn4April, '2026-06-13');
      expect(summary(finding)).toEqual({ ruleId: 'R9', severity: 'breach', status: 'open', dueOn: '2026-06-12', observedOn: '2026-06-13', endedOn: null, durationDays: 1 });
      expect(evidenceTypes(finding, resumedOn4April)).toEqual(['ReferentAssigned', 'ParcoursSuspended', 'ParcoursResumed']);
    });
  });

  it('the exit ends it: nothing after 15 March for an exited parcours, a closed breach for one that exits late', () => {
    expect(r9(recorded(aParcoursExitedOn15March), '2026-12-31')).toEqual([]);
    const exitedOn1June = recorded([
      ...aParcoursFollowedByClaire,
      referentReleased({ reason: 'parcours_exited', releasedOn: '2026-06-01' }),
      exited({ exitedOn: '2026-06-01', category: 'autre', reason: 'no_longer_reachable' }),
    ]);
    expect(r9(exitedOn1June, '2026-12-31').map((finding) => [finding.status, finding.endedOn])).toEqual([['closed', '2026-06-01']]);
  });

  describe('restriction of processing (RGPD art. 18) and opposition (art. 21)', () => {
    const calledOn2March = [...aParcoursFollowedByClaire, contactRecorded({ contactedOn: '2026-03-02' })];

    it('restricted for 20 days: the deadline moves by 20 days, from 1 to 21 June', () => {
      const restrictedFrom1To21April = recorded([...calledOn2March, ...restrictedFromTo('2026-04-01', '2026-04-21')]);
      expect(r9(restrictedFrom1To21April, '2026-06-20')).toEqual([]);
      const [finding] = r9(restrictedFrom1To21April, '2026-06-21');
      expect(summary(finding)).toEqual({ ruleId: 'R9', severity: 'breach', status: 'open', dueOn: '2026-06-20', observedOn: '2026-06-21', endedOn: null, durationDays: 1 });
      expect(evidenceTypes(finding, restrictedFrom1To21April)).toEqual(['ContactRecorded', 'ProcessingRestricted', 'ProcessingRestrictionLifted']);
    });

    it('restricted since 1 April and never lifted: nobody can record a contact, so no R9 accrues', () => {
      expect(r9(recorded([...calledOn2March, restrictedFromTo('2026-04-01', '2026-04-21')[0]]), '2026-12-31')).toEqual([]);
    });

    it('an opposition limits sharing, not recording: the breach stays on 1 June', () => {
      const opposedFrom1To21April = recorded([...calledOn2March, ...opposedFromTo('2026-04-01', '2026-04-21')]);
      expect(r9(opposedFrom1To21April, '2026-06-01').map((finding) => [finding.dueOn, finding.observedOn])).toEqual([['2026-05-31', '2026-06-01']]);
    });
  });

  describe('archive (R. 263-8 CASF)', () => {
    // Last contact on 2 March 2026, archived two years later on 3 March 2028.
    const archivedOn3March2028 = recorded([...aParcoursFollowedByClaire, contactRecorded({ contactedOn: '2026-03-02' }), archived()]);

    it('archived while R9 was breached: the rupture closes on the archive date', () => {
      expect(r9(archivedOn3March2028, '2028-03-02').map((finding) => finding.status)).toEqual(['open']);
      const [finding] = r9(archivedOn3March2028, '2028-03-03');
      expect(summary(finding)).toEqual({ ruleId: 'R9', severity: 'breach', status: 'closed', dueOn: '2026-05-31', observedOn: '2026-06-01', endedOn: '2028-03-03', durationDays: 642 });
      expect(evidenceTypes(finding, archivedOn3March2028)).toEqual(['ContactRecorded', 'ParcoursArchived']);
    });

    it('stays closed however late the audit: no clock runs after the archive', () => {
      expect(r9(archivedOn3March2028, '2031-01-01')).toEqual(r9(archivedOn3March2028, '2028-03-03'));
    });
  });

  describe('a restriction of processing overlapping a suspension', () => {
    const calledOn2March = [...aParcoursFollowedByClaire, contactRecorded({ contactedOn: '2026-03-02' })];

    it('counts the days paused by either once: suspended 1–21 April, restricted 11 April – 1 May, the deadline moves by 30 days', () => {
      const suspendedThenRestricted = recorded([
        ...calledOn2March,
        suspended({ suspendedOn: '2026-04-01', reason: 'appointment_missed' }),
        processingRestricted({ restrictedOn: '2026-04-11' }),
        resumed('2026-04-21'),
        processingRestrictionLifted({ liftedOn: '2026-05-01' }),
      ]);
      // Adding the 20 suspended days to the 20 restricted ones would put the breach on 11 July.
      expect(r9(suspendedThenRestricted, '2026-06-30')).toEqual([]);
      const [finding] = r9(suspendedThenRestricted, '2026-07-01');
      expect(summary(finding)).toEqual({ ruleId: 'R9', severity: 'breach', status: 'open', dueOn: '2026-06-30', observedOn: '2026-07-01', endedOn: null, durationDays: 1 });
      expect(evidenceTypes(finding, suspendedThenRestricted).sort()).toEqual(
        ['ContactRecorded', 'ParcoursResumed', 'ParcoursSuspended', 'ProcessingRestricted', 'ProcessingRestrictionLifted'].sort(),
      );
    });

    it('an opposition next to a suspension adds nothing to it', () => {
      const suspendedAndOpposed = recorded([...calledOn2March, suspended({ suspendedOn: '2026-04-01' }), resumed('2026-04-21'), ...opposedFromTo('2026-04-11', '2026-05-01')]);
      expect(r9(suspendedAndOpposed, '2026-06-21').map((finding) => [finding.dueOn, finding.observedOn])).toEqual([['2026-06-20', '2026-06-21']]);
    });
  });
});
