import type { ParcoursEvent } from '../parcours/domain/events.js';
import {
  anOpenParcours,
  aParcoursExitedOn15March,
  aParcoursFollowedByClaire,
  aParcoursOrientedTowardsSocioProfessionnel40DaysAgo,
  aParcoursSuspendedSince5March,
  aParcoursWithACddiRunning,
  aParcoursWithACerPastItsTerm,
  aParcoursWithACerRunning,
  aParcoursWithAReorientationTowardsEmploiRequested,
  archived,
  diagnosed,
  employmentContractEnded,
  opened,
  oriented,
  processingRestricted,
  processingRestrictionLifted,
  referentReleased,
  resumed,
  suspended,
} from '../parcours/domain/parcours.fixtures.js';
import { addDays } from '../kernel/calendar.js';
import { opposedFromTo, recorded, restrictedFromTo } from './continuity.fixtures.js';
import { nextDeadlines, nextReevaluationOn } from './deadlines.js';
import { findingKey } from './findings.js';
import { DEFAULT_POLICY } from './policy.js';
import { evaluateContinuity } from './rules.js';
import { businessDateOf, type ContinuityEvent } from './parcours-history.js';

const deadlines = (events: readonly ParcoursEvent[], asOf: string) => nextDeadlines(recorded(events), asOf, DEFAULT_POLICY);

describe('nextDeadlines', () => {
  it('a parcours just entered on 5 January: R1 warns on 5 February and breaks on the 17th', () => {
    expect(deadlines(anOpenParcours, '2026-01-05')).toEqual([
      { ruleId: 'R1', severity: 'warning', dueOn: '2026-02-05' },
      { ruleId: 'R1', severity: 'breach', dueOn: '2026-02-17' },
    ]);
  });

  it('once the warning holds, only the breach is still ahead; once the breach holds, nothing', () => {
    expect(deadlines(anOpenParcours, '2026-02-05')).toEqual([{ ruleId: 'R1', severity: 'breach', dueOn: '2026-02-17' }]);
    expect(deadlines(anOpenParcours, '2026-02-17')).toEqual([]);
  });

  it('time passing: the same events, evaluated on the due date, show the finding that very day and not the day before', () => {
    const events = recorded(anOpenParcours);
    for (const { ruleId, severity, dueOn } of nextDeadlines(events, '2026-01-05', DEFAULT_POLICY)) {
      expect(evaluateContinuity(events, addDays(dueOn, -1), DEFAULT_POLICY).filter((finding) => finding.severity === severity)).toEqual([]);
      expect(evaluateContinuity(events, dueOn, DEFAULT_POLICY).map(({ ruleId, severity, status, observedOn }) => ({ ruleId, severity, status, observedOn }))).toEqual([
        { ruleId, severity, status: 'open', observedOn: dueOn },
      ]);
    }
  });

  it('a parcours oriented on 8 February: the référent, the engagement contract and the first appointment are due', () => {
    // Oriented on 8 February and notified on the 10th; nobody named, nobody seen, nothing signed.
    expect(deadlines(aParcoursOrientedTowardsSocioProfessionnel40DaysAgo, '2026-02-10')).toEqual([
      { ruleId: 'R4', severity: 'breach', dueOn: '2026-02-24' },
      { ruleId: 'R2', severity: 'breach', dueOn: '2026-03-11' },
      { ruleId: 'R3', severity: 'breach', dueOn: '2026-03-11' },
    ]);
  });

  it('a CER running until 19 August: the warning of 20 July and the breach of 20 August', () => {
    expect(deadlines(aParcoursWithACerRunning, '2026-07-01').filter((deadline) => deadline.ruleId === 'R5')).toEqual([
      { ruleId: 'R5', severity: 'warning', dueOn: '2026-07-20' },
      { ruleId: 'R5', severity: 'breach', dueOn: '2026-08-20' },
    ]);
    expect(deadlines(aParcoursWithACerRunning, '2026-07-25').filter((deadline) => deadline.ruleId === 'R5')).toEqual([{ ruleId: 'R5', severity: 'breach', dueOn: '2026-08-20' }]);
  });

  it('a suspended parcours has no deadline on the clocks the suspension stops; resumed, they come back, pushed back', () => {
    expect(deadlines(aParcoursSuspendedSince5March, '2026-03-20')).toEqual([]);
    expect(deadlines([...aParcoursSuspendedSince5March, resumed('2026-04-04')], '2026-04-04')).toEqual([
      { ruleId: 'R2', severity: 'breach', dueOn: '2026-04-10' },
      { ruleId: 'R3', severity: 'breach', dueOn: '2026-04-10' },
      { ruleId: 'R9', severity: 'breach', dueOn: '2026-06-13' },
    ]);
  });

  it('keeps the deadlines of the clocks a suspension does not stop', () => {
    const suspendedWithoutReferent = [...aParcoursSuspendedSince5March, referentReleased({ releasedOn: '2026-03-10' })];
    // R10 (handover, 7 days) and R4 (every period without a référent, 15 days) both watch the release.
    expect(deadlines(suspendedWithoutReferent, '2026-03-12')).toEqual([
      { ruleId: 'R10', severity: 'breach', dueOn: '2026-03-18' },
      { ruleId: 'R4', severity: 'breach', dueOn: '2026-03-26' },
    ]);
  });

  it('an exited parcours has none', () => {
    expect(deadlines(aParcoursExitedOn15March, '2026-03-20')).toEqual([]);
  });

  it('a parcours whose processing is restricted has no deadline on the clocks the restriction stops; lifted, they come back, pushed back', () => {
    // The same dates as the suspension's above: a restriction stops the same clocks.
    expect(deadlines([...aParcoursFollowedByClaire, processingRestricted({ restrictedOn: '2026-03-05' })], '2026-03-20')).toEqual([]);
    expect(deadlines([...aParcoursFollowedByClaire, ...restrictedFromTo('2026-03-05', '2026-04-04')], '2026-04-04')).toEqual([
      { ruleId: 'R2', severity: 'breach', dueOn: '2026-04-10' },
      { ruleId: 'R3', severity: 'breach', dueOn: '2026-04-10' },
      { ruleId: 'R9', severity: 'breach', dueOn: '2026-06-13' },
    ]);
  });

  it('keeps the deadlines of the clocks a restriction does not stop, and those of an opposition', () => {
    const restrictedWithoutReferent = [...aParcoursFollowedByClaire, processingRestricted({ restrictedOn: '2026-03-05' }), referentReleased({ releasedOn: '2026-03-10' })];
    expect(deadlines(restrictedWithoutReferent, '2026-03-12')).toEqual([
      { ruleId: 'R10', severity: 'breach', dueOn: '2026-03-18' },
      { ruleId: 'R4', severity: 'breach', dueOn: '2026-03-26' },
    ]);
    expect(deadlines([...aParcoursFollowedByClaire, ...opposedFromTo('2026-03-05', '2026-04-04')], '2026-03-06')).toEqual(deadlines(aParcoursFollowedByClaire, '2026-03-06'));
  });

  it('an archived parcours has none, however long after', () => {
    expect(deadlines(anOpenParcours, '2026-01-20')).not.toEqual([]);
    expect(deadlines([...anOpenParcours, archived({ archivedOn: '2026-01-20', lastActivityOn: '2026-01-05' })], '2026-01-20')).toEqual([]);
    expect(deadlines([...aParcoursFollowedByClaire, archived({ archivedOn: '2026-03-01', lastActivityOn: '2026-02-12' })], '2027-01-01')).toEqual([]);
  });

  it('nextReevaluationOn is the soonest deadline, or null', () => {
    expect(nextReevaluationOn(recorded(anOpenParcours), '2026-01-05', DEFAULT_POLICY)).toBe('2026-02-05');
    expect(nextReevaluationOn(recorded(aParcoursExitedOn15March), '2026-03-20', DEFAULT_POLICY)).toBeNull();
  });

  describe('announce every finding that time alone brings, on the day it appears', () => {
    const streams: Record<string, readonly ParcoursEvent[]> = {
      'an open parcours': anOpenParcours,
      'a parcours oriented 40 days ago': aParcoursOrientedTowardsSocioProfessionnel40DaysAgo,
      'a parcours followed by Claire': aParcoursFollowedByClaire,
      'a parcours with a CER running': aParcoursWithACerRunning,
      'a parcours with a CER past its term': aParcoursWithACerPastItsTerm,
      'a parcours whose CDDI ended on 16 March': [...aParcoursWithACddiRunning, employmentContractEnded()],
      'a parcours with a reorientation requested': aParcoursWithAReorientationTowardsEmploiRequested,
      'a parcours suspended on 5 March, resumed on 4 April': [...aParcoursSuspendedSince5March, resumed('2026-04-04')],
      'a social parcours with a strong health barrier': [opened(), diagnosed({ barriers: { ...diagnosed().data.barriers, health: 'strong' } }), oriented({ parcoursType: 'social' })],
      'a parcours whose référent left on 1 March': [...aParcoursFollowedByClaire, referentReleased()],
      'a parcours restricted on 5 March, lifted on 4 April': [...aParcoursFollowedByClaire, ...restrictedFromTo('2026-03-05', '2026-04-04')],
      'a parcours suspended on 1 March and restricted on 10 March, resumed on 16 March, lifted on 21 March': [
        ...aParcoursFollowedByClaire,
        suspended({ suspendedOn: '2026-03-01' }),
        processingRestricted({ restrictedOn: '2026-03-10' }),
        resumed('2026-03-16'),
        processingRestrictionLifted({ liftedOn: '2026-03-21' }),
      ],
      'a parcours under an opposition since 5 March': [...aParcoursFollowedByClaire, ...opposedFromTo('2026-03-05', '2026-04-04')],
      'a parcours archived on 1 April': [...aParcoursFollowedByClaire, archived({ archivedOn: '2026-04-01', lastActivityOn: '2026-02-12' })],
    };

    it.each(Object.entries(streams))('%s', (_, stream) => {
      const events = recorded(stream);
      for (const asOf of ['2026-01-05', '2026-02-10', '2026-03-20', '2026-04-04', '2026-06-01']) {
        // "If nothing happens": only the facts dated up to the audit date.
        const known = events.filter((event: ContinuityEvent) => businessDateOf(event) <= asOf);
        const announced = nextDeadlines(known, asOf, DEFAULT_POLICY);
        for (const { ruleId, severity, dueOn } of announced) {
          expect(dueOn > asOf).toBe(true);
          const appeared = evaluateContinuity(known, dueOn, DEFAULT_POLICY).find(
            (finding) => finding.ruleId === ruleId && finding.severity === severity && finding.observedOn === dueOn && finding.status === 'open',
          );
          expect(appeared).toBeDefined();
          const dayBefore = evaluateContinuity(known, addDays(dueOn, -1), DEFAULT_POLICY);
          expect(dayBefore.filter((finding) => appeared !== undefined && findingKey(finding) === findingKey(appeared) && finding.severity === severity)).toEqual([]);
        }
        // Conversely, every finding that appears later was announced.
        for (const finding of evaluateContinuity(known, addDays(asOf, 800), DEFAULT_POLICY)) {
          if (finding.observedOn <= asOf) continue;
          expect(announced).toContainEqual({ ruleId: finding.ruleId, severity: finding.severity, dueOn: finding.observedOn });
        }
      }
    });
  });
});
