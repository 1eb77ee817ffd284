import {
  aParcoursWithAReorientationTowardsEmploiRequested,
  archived,
  exited,
  reorientationAccepted,
  reorientationRejected,
  suspended,
} from '../../parcours/domain/parcours.fixtures.js';
import { evidenceTypes, recorded, restrictedFromTo, summary } from '../continuity.fixtures.js';
import { DEFAULT_POLICY } from '../policy.js';
import { reorientationRequestUndecided } from './r7-reorientation-request-undecided.js';

const r7 = (events: Parameters<typeof reorientationRequestUndecided>[0], asOf: string) => reorientationRequestUndecided(events, asOf, DEFAULT_POLICY);

// Requested on 10 March 2026: day 30 is 9 April, day 31 the 10th.
describe('R7 — reorientation request undecided', () => {
  const requestedOn10March = aParcoursWithAReorientationTowardsEmploiRequested;

  it('an undecided request is in breach from day 31', () => {
    expect(r7(recorded(requestedOn10March), '2026-04-09')).toEqual([]);
    const [finding] = r7(recorded(requestedOn10March), '2026-04-10');
    expect(summary(finding)).toEqual({ ruleId: 'R7', severity: 'breach', status: 'open', dueOn: '2026-04-09', observedOn: '2026-04-10', endedOn: null, durationDays: 1 });
    expect(evidenceTypes(finding, recorded(requestedOn10March))).toEqual(['ReorientationRequested']);
  });

  it('a decision on day 30 leaves nothing, accepted or not', () => {
    expect(r7(recorded([...requestedOn10March, reorientationAccepted({ decidedOn: '2026-04-09' })]), '2026-06-30')).toEqual([]);
    expect(r7(recorded([...requestedOn10March, reorientationRejected('2026-04-09')]), '2026-06-30')).toEqual([]);
  });

  it('a decision on day 31 is a closed one-day breach, proven by the request and the decision', () => {
    const decidedOnDay31 = recorded([...requestedOn10March, reorientationRejected('2026-04-10')]);
    const [finding] = r7(decidedOnDay31, '2026-06-30');
    expect(summary(finding)).toEqual({ ruleId: 'R7', severity: 'breach', status: 'closed', dueOn: '2026-04-09', observedOn: '2026-04-10', endedOn: '2026-04-10', durationDays: 1 });
    expect(evidenceTypes(finding, decidedOnDay31)).toEqual(['ReorientationRequested', 'ReorientationDecided']);
  });

  it('keeps running through a suspension: deciding is the institution’s duty', () => {
    expect(r7(recorded([...requestedOn10March, suspended({ suspendedOn: '2026-03-15' })]), '2026-04-10').map((finding) => finding.severity)).toEqual(['breach']);
  });

  it('an exit makes the request moot: the break closes on the exit date', () => {
    const exitedOn20April = recorded([...requestedOn10March, exited({ exitedOn: '2026-04-20', category: 'sortie_positive', reason: 'qualifying_training' })]);
    expect(r7(exitedOn20April, '2026-12-31').map((finding) => [finding.status, finding.endedOn, finding.durationDays])).toEqual([['closed', '2026-04-20', 11]]);
  });

  it('keeps running through a restriction of processing: deciding is the institution’s duty', () => {
    expect(r7(recorded([...requestedOn10March, ...restrictedFromTo('2026-03-15', '2026-04-05')]), '2026-04-10').map(summary)).toEqual([
      { ruleId: 'R7', severity: 'breach', status: 'open', dueOn: '2026-04-09', observedOn: '2026-04-10', endedOn: null, durationDays: 1 },
    ]);
  });

  it('an archive closes the break on the archive date, and a decision dated after it changes nothing', () => {
    const archivedOn20April = recorded([...requestedOn10March, archived({ archivedOn: '2026-04-20', lastActivityOn: '2026-03-10' }), reorientationRejected('2026-04-25')]);
    const [finding, ...others] = r7(archivedOn20April, '2026-12-31');
    expect(others).toEqual([]);
    expect(summary(finding)).toEqual({ ruleId: 'R7', severity: 'breach', status: 'closed', dueOn: '2026-04-09', observedOn: '2026-04-10', endedOn: '2026-04-20', durationDays: 11 });
    expect(evidenceTypes(finding, archivedOn20April)).toEqual(['ReorientationRequested', 'ParcoursArchived']);
  });
});
