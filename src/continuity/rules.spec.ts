import {
  anOpenParcours,
  aParcoursExitedOn15March,
  aParcoursFollowedByClaire,
  aParcoursWhosePersonalDataWereErased,
  aParcoursWithACerRunning,
  appointmentRecorded,
  contactRecorded,
  diagnosed,
  engagementContractSigned,
  exited,
  joined,
  CONSEIL_DEPARTEMENTAL,
  opened,
  oriented,
  referentAssigned,
  TODAY,
} from '../parcours/domain/parcours.fixtures.js';
import { recorded, summary } from './continuity.fixtures.js';
import { DEFAULT_POLICY, RULE_IDS } from './policy.js';
import { evaluateContinuity, RULES } from './rules.js';

describe('evaluateContinuity', () => {
  // Oriented on 30 January (day 25), Claire named on 3 February, seen on the 10th, a CER from the 20th, a call on 2 March.
  const followedWithoutRupture = recorded([
    opened(),
    diagnosed(),
    oriented({ decidedOn: '2026-01-30', notifiedOn: '2026-02-02' }),
    joined(CONSEIL_DEPARTEMENTAL, '2026-01-30'),
    referentAssigned(undefined, undefined, '2026-02-03'),
    appointmentRecorded({ scheduledOn: '2026-02-10' }),
    engagementContractSigned(),
    contactRecorded(),
  ]);

  // Entered on 5 January, oriented and notified only on 19 February (day 45), then left alone.
  const neglectedEvents = [opened(), diagnosed(), oriented({ decidedOn: '2026-02-19', notifiedOn: '2026-02-19' }), joined(CONSEIL_DEPARTEMENTAL, '2026-02-19')];
  const neglected = recorded(neglectedEvents);

  it('finds nothing in a parcours followed without rupture', () => {
    expect(evaluateContinuity(followedWithoutRupture, TODAY, DEFAULT_POLICY)).toEqual([]);
  });

  it('keeps the trace of a near miss: the fixture parcours, oriented on day 34, leaves a closed R1 warning', () => {
    const orientedOnDay34 = recorded([...aParcoursWithACerRunning, appointmentRecorded(), contactRecorded()]);
    expect(evaluateContinuity(orientedOnDay34, TODAY, DEFAULT_POLICY).map(summary)).toEqual([
      { ruleId: 'R1', severity: 'warning', status: 'closed', dueOn: '2026-02-16', observedOn: '2026-02-05', endedOn: '2026-02-08', durationDays: 4 },
    ]);
  });

  it('finds every rupture of a neglected parcours, in rule order, each judged by the policy in force', () => {
    const findings = evaluateContinuity(neglected, TODAY, DEFAULT_POLICY);
    expect(findings.map(summary)).toEqual([
      { ruleId: 'R1', severity: 'breach', status: 'closed', dueOn: '2026-02-16', observedOn: '2026-02-17', endedOn: '2026-02-19', durationDays: 3 },
      { ruleId: 'R2', severity: 'breach', status: 'open', dueOn: '2026-03-19', observedOn: '2026-03-20', endedOn: null, durationDays: 1 },
      { ruleId: 'R4', severity: 'breach', status: 'open', dueOn: '2026-03-06', observedOn: '2026-03-07', endedOn: null, durationDays: 14 },
    ]);
    for (const finding of findings) expect(finding.policy.version).toBe(DEFAULT_POLICY.version);
  });

  it('gives each rule, on its own, exactly its share of the findings', () => {
    for (const events of [followedWithoutRupture, neglected, recorded(aParcoursFollowedByClaire), recorded(anOpenParcours)]) {
      for (const asOf of ['2026-02-20', TODAY, '2026-09-30']) {
        const all = evaluateContinuity(events, asOf, DEFAULT_POLICY);
        for (const ruleId of RULE_IDS) {
          expect(RULES[ruleId](events, asOf, DEFAULT_POLICY)).toEqual(all.filter((finding) => finding.ruleId === ruleId));
        }
      }
    }
  });

  it('leaves no open rupture after an exit, however late the audit', () => {
    const neglectedThenExited = recorded([...neglectedEvents, exited({ exitedOn: '2026-04-01', category: 'autre', reason: 'no_longer_reachable' })]);
    const findings = evaluateContinuity(neglectedThenExited, '2027-12-31', DEFAULT_POLICY);
    expect(findings.length).toBeGreaterThan(0);
    for (const finding of findings) {
      expect(finding.status).toBe('closed');
      expect((finding.endedOn ?? 'never') <= '2026-04-01').toBe(true);
    }
    expect(evaluateContinuity(recorded(aParcoursExitedOn15March), '2027-12-31', DEFAULT_POLICY).filter((finding) => finding.status === 'open')).toEqual([]);
  });

  it('is not affected by the erasure of the personal data: statistics survive', () => {
    const erased = recorded(aParcoursWhosePersonalDataWereErased);
    const notErased = recorded(aParcoursFollowedByClaire);
    expect(evaluateContinuity(erased, '2026-09-30', DEFAULT_POLICY).map(summary)).toEqual(evaluateContinuity(notErased, '2026-09-30', DEFAULT_POLICY).map(summary));
  });

  it('returns nothing for no events, and for an audit date before the entry', () => {
    expect(evaluateContinuity([], TODAY, DEFAULT_POLICY)).toEqual([]);
    expect(evaluateContinuity(neglected, '2025-12-31', DEFAULT_POLICY)).toEqual([]);
  });

  it('does not depend on the order the events are given in', () => {
    const shuffled = [...neglected].reverse();
    expect(evaluateContinuity(shuffled, TODAY, DEFAULT_POLICY)).toEqual(evaluateContinuity(neglected, TODAY, DEFAULT_POLICY));
  });
});
