/**
 * Every rule on both sides of 1 January 2025, and across the transition (issue 14): the same
 * facts dated in 2024 are judged by the 2021 SPIE entry of the policy, dated in 2025 by the
 * plein-emploi entry; facts that straddle the change keep the entry in force on the day that
 * started the rule's clock.
 */
import type { ParcoursEvent } from '../parcours/domain/events.js';
import {
  CLAIRE_AT_CD,
  CONSEIL_DEPARTEMENTAL,
  employmentContractEnded,
  employmentContractStarted,
  engagementContractSigned,
  opened,
  oriented,
  referentAssigned,
  referentReleased,
  reorientationRequested,
} from '../parcours/domain/parcours.fixtures.js';
import { recorded, summary } from './continuity.fixtures.js';
import { DEFAULT_POLICY, type RuleId } from './policy.js';
import { evaluateContinuity } from './rules.js';

type Year = 2024 | 2025;
const contractKind = (year: Year) => (year === 2024 ? 'CER' : 'CE');

/** For each rule, facts of one year that break it, and an audit date of the same year. */
const SCENARIOS: Record<RuleId, (year: Year) => { events: ParcoursEvent[]; asOf: string }> = {
  R1: (y) => ({ events: [opened({ entryOn: `${y}-03-04` })], asOf: `${y}-06-30` }),
  R2: (y) => ({ events: [opened({ entryOn: `${y}-03-04` }), oriented({ decidedOn: `${y}-03-20`, notifiedOn: `${y}-03-22` })], asOf: `${y}-07-30` }),
  R3: (y) => ({ events: [opened({ entryOn: `${y}-03-04` }), oriented({ decidedOn: `${y}-03-20`, notifiedOn: `${y}-03-22` })], asOf: `${y}-07-30` }),
  R4: (y) => ({ events: [opened({ entryOn: `${y}-03-04` }), oriented({ decidedOn: `${y}-03-20`, notifiedOn: `${y}-03-22` })], asOf: `${y}-07-30` }),
  R5: (y) => ({
    events: [opened({ entryOn: `${y}-03-04` }), engagementContractSigned({ kind: contractKind(y), signedOn: `${y}-03-10`, startsOn: `${y}-03-10`, endsOn: `${y}-05-31` })],
    asOf: `${y}-07-30`,
  }),
  R6: (y) => ({ events: [opened({ entryOn: `${y}-01-06` }), oriented({ parcoursType: 'social', decidedOn: `${y}-01-20`, notifiedOn: `${y}-01-22` })], asOf: `${y}-12-31` }),
  R7: (y) => ({ events: [opened({ entryOn: `${y}-03-04` }), reorientationRequested({ requestedOn: `${y}-04-01` })], asOf: `${y}-07-30` }),
  R8: (y) => ({
    events: [opened({ entryOn: `${y}-03-04` }), employmentContractStarted({ startsOn: `${y}-04-01`, plannedEndOn: `${y}-09-30` }), employmentContractEnded({ endedOn: `${y}-04-30` })],
    asOf: `${y}-07-30`,
  }),
  R9: (y) => ({ events: [opened({ entryOn: `${y}-03-04` }), oriented({ decidedOn: `${y}-03-20`, notifiedOn: `${y}-03-22` }), referentAssigned(CLAIRE_AT_CD, CONSEIL_DEPARTEMENTAL, `${y}-03-25`)], asOf: `${y}-08-30` }),
  R10: (y) => ({
    events: [
      opened({ entryOn: `${y}-03-04` }),
      oriented({ decidedOn: `${y}-03-20`, notifiedOn: `${y}-03-22` }),
      referentAssigned(CLAIRE_AT_CD, CONSEIL_DEPARTEMENTAL, `${y}-03-25`),
      referentReleased({ releasedOn: `${y}-04-01` }),
    ],
    asOf: `${y}-06-30`,
  }),
  R11: (y) => ({ events: [opened({ entryOn: `${y}-03-04` }), engagementContractSigned({ kind: 'CE', signedOn: `${y}-04-01`, startsOn: `${y}-04-01`, endsOn: `${y}-09-30`, weeklyActivityHours: 6 })], asOf: `${y}-06-30` }),
};

const findingsOf = (ruleId: RuleId, year: Year) => {
  const { events, asOf } = SCENARIOS[ruleId](year);
  return evaluateContinuity(recorded(events), asOf, DEFAULT_POLICY).filter((finding) => finding.ruleId === ruleId);
};

describe('every rule on both sides of 1 January 2025', () => {
  for (const ruleId of Object.keys(SCENARIOS) as RuleId[]) {
    if (ruleId === 'R11') continue;
    it(`${ruleId}: given the facts in 2024, then a breach judged by the 2021 SPIE entry; given them in 2025, by the plein-emploi entry`, () => {
      const [in2024] = findingsOf(ruleId, 2024);
      const [in2025] = findingsOf(ruleId, 2025);
      expect([in2024?.severity, in2024?.policy.regime, in2024?.policy.effectiveFrom]).toEqual(['breach', 'spie_2021', '2021-01-01']);
      expect([in2025?.severity, in2025?.policy.regime, in2025?.policy.effectiveFrom]).toEqual(['breach', 'plein_emploi', '2025-01-01']);
      expect(in2025.policy.source).not.toEqual(in2024.policy.source);
    });
  }

  it('R11: given a contrat d’engagement of 6 hours without a reason in 2025, then a breach from its signature; the 2021 entry has no activity duty', () => {
    expect(findingsOf('R11', 2024)).toEqual([]);
    const [finding] = findingsOf('R11', 2025);
    expect(summary(finding)).toEqual({ ruleId: 'R11', severity: 'breach', status: 'open', dueOn: '2025-03-31', observedOn: '2025-04-01', endedOn: null, durationDays: 91 });
    expect(finding.policy).toMatchObject({ regime: 'plein_emploi', thresholds: { minimumWeeklyHours: 15 } });
  });

  it('R2: the month of 2025 against the two months of 2021 for a socio-professionnel orientation', () => {
    expect(findingsOf('R2', 2024)[0].dueOn).toBe('2024-05-22');
    expect(findingsOf('R2', 2025)[0].dueOn).toBe('2025-04-22');
  });
});

describe('across the transition (parcours open on 1 January 2025)', () => {
  const notifiedOn = (day: string) => [opened({ entryOn: '2024-10-07' }), oriented({ decidedOn: day, notifiedOn: day })];
  const ce = (signedOn: string) => engagementContractSigned({ kind: 'CE', signedOn, startsOn: signedOn, endsOn: '2025-12-31' });

  it('R2: an orientation notified on 10 December 2024 keeps the 2021 two months: a CE signed on 1 February 2025 is in time', () => {
    const findings = evaluateContinuity(recorded([...notifiedOn('2024-12-10'), ce('2025-02-01')]), '2025-06-30', DEFAULT_POLICY).filter((finding) => finding.ruleId === 'R2');
    expect(findings).toEqual([]);
  });

  it('R2: an orientation notified on 10 January 2025 has one month: the same CE on 20 February 2025 is 10 days late', () => {
    const [finding] = evaluateContinuity(recorded([...notifiedOn('2025-01-10'), ce('2025-02-20')]), '2025-06-30', DEFAULT_POLICY).filter((f) => f.ruleId === 'R2');
    expect(summary(finding)).toEqual({ ruleId: 'R2', severity: 'breach', status: 'closed', dueOn: '2025-02-10', observedOn: '2025-02-11', endedOn: '2025-02-20', durationDays: 10 });
    expect(finding.policy.regime).toBe('plein_emploi');
  });

  it('R5: a CER of 2024 "until 30 June 2027" lapses on 31 December 2026, the end of the two years, unless a contrat d’engagement replaced it', () => {
    const cer = engagementContractSigned({ kind: 'CER', signedOn: '2024-07-01', startsOn: '2024-07-01', endsOn: '2027-06-30' });
    const base = [opened({ entryOn: '2024-03-04' }), cer];
    const r5 = (events: ParcoursEvent[], asOf: string) => evaluateContinuity(recorded(events), asOf, DEFAULT_POLICY).filter((finding) => finding.ruleId === 'R5');
    expect(r5(base, '2026-12-31').map((finding) => finding.severity)).toEqual(['warning']);
    expect(r5(base, '2027-01-01').map(summary)).toEqual([
      { ruleId: 'R5', severity: 'breach', status: 'open', dueOn: '2026-12-31', observedOn: '2027-01-01', endedOn: null, durationDays: 1 },
    ]);
    const replaced = [...base, engagementContractSigned({ contractId: '0d1e2f30-4152-4637-8849-5a6b7c8d9e0f', kind: 'CE', signedOn: '2026-06-01', startsOn: '2026-06-01', endsOn: '2027-05-31' })];
    expect(r5(replaced, '2027-01-01')).toEqual([]);
  });
});
