import {
  aParcoursExitedOn15March,
  aParcoursFollowedByClaire,
  archived,
  exited,
  FRANCE_TRAVAIL_THIERS,
  KARIM_AT_FRANCE_TRAVAIL,
  referentAssigned,
  referentReleased,
  suspended,
} from '../../parcours/domain/parcours.fixtures.js';
import { evidenceTypes, recorded, restrictedFromTo, summary } from '../continuity.fixtures.js';
import { DEFAULT_POLICY } from '../policy.js';
import { referentHandoverGap } from './r10-referent-handover-gap.js';

const r10 = (events: Parameters<typeof referentHandoverGap>[0], asOf: string) => referentHandoverGap(events, asOf, DEFAULT_POLICY);

const karimAssignedOn = (assignedOn: string) => referentAssigned(KARIM_AT_FRANCE_TRAVAIL, FRANCE_TRAVAIL_THIERS, assignedOn);

// Claire, référent since 12 February 2026, is released on 1 March: 7 days later is the 8th.
describe('R10 — référent handover gap', () => {
  const claireReleasedOn1March = [...aParcoursFollowedByClaire, referentReleased({ releasedOn: '2026-03-01' })];

  it('referent released on 1 March, next assigned on 20 March: a closed breach of 12 days', () => {
    const assignedOn20March = recorded([...claireReleasedOn1March, karimAssignedOn('2026-03-20')]);
    const [finding] = r10(assignedOn20March, '2026-03-31');
    expect(summary(finding)).toEqual({ ruleId: 'R10', severity: 'breach', status: 'closed', dueOn: '2026-03-08', observedOn: '2026-03-09', endedOn: '2026-03-20', durationDays: 12 });
    expect(evidenceTypes(finding, assignedOn20March)).toEqual(['ReferentReleased', 'ReferentAssigned']);
    expect(finding.policy.thresholds).toEqual({ warningAfterDays: null, breachAfterDays: 7 });
  });

  it('the next one assigned 7 days later is in time; 8 days later is a one-day breach', () => {
    expect(r10(recorded([...claireReleasedOn1March, karimAssignedOn('2026-03-08')]), '2026-03-31')).toEqual([]);
    expect(r10(recorded([...claireReleasedOn1March, karimAssignedOn('2026-03-09')]), '2026-03-31').map((finding) => finding.durationDays)).toEqual([1]);
  });

  it('nobody assigned since 1 March: open from the 9th', () => {
    expect(r10(recorded(claireReleasedOn1March), '2026-03-08')).toEqual([]);
    expect(r10(recorded(claireReleasedOn1March), '2026-03-09').map((finding) => [finding.status, finding.observedOn])).toEqual([['open', '2026-03-09']]);
  });

  it('a same-day handover (released and assigned on 1 March) is no gap', () => {
    const handover = recorded([...aParcoursFollowedByClaire, referentReleased({ reason: 'handover', releasedOn: '2026-03-01' }), karimAssignedOn('2026-03-01')]);
    expect(r10(handover, '2026-12-31')).toEqual([]);
  });

  it('the release of an exiting parcours starts nothing', () => {
    expect(r10(recorded(aParcoursExitedOn15March), '2026-12-31')).toEqual([]);
  });

  it('keeps running through a suspension: the remobilisation needs a référent', () => {
    expect(r10(recorded([...claireReleasedOn1March, suspended({ suspendedOn: '2026-03-02' })]), '2026-03-09').map((finding) => finding.severity)).toEqual(['breach']);
  });

  it('an exit after the release closes the gap on the exit date', () => {
    const exitedOn15March = recorded([...claireReleasedOn1March, exited({ exitedOn: '2026-03-15', category: 'autre', reason: 'moved_out_of_territory' })]);
    expect(r10(exitedOn15March, '2026-12-31').map((finding) => [finding.status, finding.endedOn, finding.durationDays])).toEqual([['closed', '2026-03-15', 7]]);
  });

  it('keeps running through a restriction of processing: the gap is the institution’s to close', () => {
    expect(r10(recorded([...claireReleasedOn1March, ...restrictedFromTo('2026-03-02', '2026-03-08')]), '2026-03-09').map(summary)).toEqual([
      { ruleId: 'R10', severity: 'breach', status: 'open', dueOn: '2026-03-08', observedOn: '2026-03-09', endedOn: null, durationDays: 1 },
    ]);
  });

  it('an archive after the release closes the gap on the archive date; before the threshold, leaves nothing', () => {
    const archivedOn15March = recorded([...claireReleasedOn1March, archived({ archivedOn: '2026-03-15', lastActivityOn: '2026-03-01' })]);
    const [finding] = r10(archivedOn15March, '2026-12-31');
    expect(summary(finding)).toEqual({ ruleId: 'R10', severity: 'breach', status: 'closed', dueOn: '2026-03-08', observedOn: '2026-03-09', endedOn: '2026-03-15', durationDays: 7 });
    expect(evidenceTypes(finding, archivedOn15March)).toEqual(['ReferentReleased', 'ParcoursArchived']);
    expect(r10(recorded([...claireReleasedOn1March, archived({ archivedOn: '2026-03-05', lastActivityOn: '2026-03-01' })]), '2026-12-31')).toEqual([]);
  });
});
