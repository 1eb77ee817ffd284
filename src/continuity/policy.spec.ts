import { EPCI } from '../parcours/domain/parcours.fixtures.js';
import { policyWith } from './continuity.fixtures.js';
import { DEFAULT_POLICY, InvalidPolicyError, parsePolicy, resolveThresholds, RULE_IDS } from './policy.js';
import defaultPolicyFile from './policies/default-policy.json' with { type: 'json' };

describe('the default policy file', () => {
  it('loads, with a version and a dated entry for each rule', () => {
    expect(DEFAULT_POLICY.version).toBe('spie-63-default-2026.1');
    for (const ruleId of RULE_IDS) expect(DEFAULT_POLICY.rules[ruleId].length).toBeGreaterThan(0);
  });

  it('holds the thresholds of DESIGN §6', () => {
    const at = (date: string) => ({
      R1: resolveThresholds(DEFAULT_POLICY, 'R1', date).thresholds,
      R3: resolveThresholds(DEFAULT_POLICY, 'R3', date).thresholds.breachAfterDays,
      R4: resolveThresholds(DEFAULT_POLICY, 'R4', date).thresholds.breachAfterDays,
      R5: resolveThresholds(DEFAULT_POLICY, 'R5', date).thresholds,
      R6: resolveThresholds(DEFAULT_POLICY, 'R6', date).thresholds,
      R7: resolveThresholds(DEFAULT_POLICY, 'R7', date).thresholds.breachAfterDays,
      R8: resolveThresholds(DEFAULT_POLICY, 'R8', date).thresholds.breachAfterDays,
      R9: resolveThresholds(DEFAULT_POLICY, 'R9', date).thresholds.breachAfterDays,
      R10: resolveThresholds(DEFAULT_POLICY, 'R10', date).thresholds.breachAfterDays,
    });
    expect(at('2026-03-20')).toEqual({
      R1: { warningAfterDays: 30, breachAfterDays: 42 },
      R3: 30,
      R4: 15,
      R5: { warningBeforeDays: 30, breachAfterDays: 0 },
      R6: { breachAfterMonths: 6, breachAfterMonthsWithVulnerabilities: 12 },
      R7: 30,
      R8: 30,
      R9: 90,
      R10: 7,
    });
  });
});

describe('regimes in the policy file', () => {
  it('gives every rule one entry for the 2021 SPIE regime and one for the plein-emploi law, each with its source', () => {
    for (const ruleId of RULE_IDS) {
      const schedule = DEFAULT_POLICY.rules[ruleId];
      expect(schedule.map((entry) => [entry.effectiveFrom, entry.regime])).toEqual([
        ['2021-01-01', 'spie_2021'],
        ['2025-01-01', 'plein_emploi'],
      ]);
      for (const entry of schedule) expect(entry.source).toEqual(expect.any(String));
    }
  });

  it('given a fact of 31 December 2024, then the 2021 entry; given 1 January 2025, then the plein-emploi entry', () => {
    for (const ruleId of RULE_IDS) {
      expect(resolveThresholds(DEFAULT_POLICY, ruleId, '2024-12-31').regime).toBe('spie_2021');
      expect(resolveThresholds(DEFAULT_POLICY, ruleId, '2025-01-01').regime).toBe('plein_emploi');
    }
  });

  it('cites the décrets: D. 5411-14-1 and décret 2024-1244 for R2 from 2025, the 15 hours for R11', () => {
    expect(resolveThresholds(DEFAULT_POLICY, 'R2', '2025-01-01').source).toContain('D. 5411-14-1');
    expect(resolveThresholds(DEFAULT_POLICY, 'R2', '2025-01-01').source).toContain('2024-1244');
    expect(resolveThresholds(DEFAULT_POLICY, 'R11', '2025-01-01').thresholds).toEqual({ minimumWeeklyHours: 15 });
    expect(resolveThresholds(DEFAULT_POLICY, 'R11', '2024-12-31').thresholds).toEqual({ minimumWeeklyHours: null });
  });

  it('refuses an entry filed under the wrong regime, and fills in the regime a file omits', () => {
    const withRegime = (regime: string) => () =>
      policyWith((document) => {
        document.overrides[EPCI] = { R3: [{ effectiveFrom: '2025-03-01', regime, source: null, thresholds: { warningAfterDays: null, breachAfterDays: 20 } }] };
      });
    expect(withRegime('spie_2021')).toThrow('policy.overrides.cc-thiers-dore-et-montagne.R3[0].regime must be "plein_emploi", the regime in force on 2025-03-01');
    const omitted = policyWith((document) => {
      document.overrides[EPCI] = { R3: [{ effectiveFrom: '2025-03-01', source: null, thresholds: { warningAfterDays: null, breachAfterDays: 20 } }] };
    });
    expect(resolveThresholds(omitted, 'R3', '2025-04-01', EPCI)).toMatchObject({ regime: 'plein_emploi', territory: EPCI });
  });
});

describe('resolveThresholds', () => {
  it('applies the 2021 SPIE rules to an R2 fact of 31 December 2024 and the plein emploi ones from 1 January 2025', () => {
    const before = resolveThresholds(DEFAULT_POLICY, 'R2', '2024-12-31');
    const from = resolveThresholds(DEFAULT_POLICY, 'R2', '2025-01-01');
    expect(before).toMatchObject({ version: DEFAULT_POLICY.version, effectiveFrom: '2021-01-01', territory: null });
    expect(before.thresholds.breachAfterMonths).toEqual({ emploi: 1, socio_professionnel: 2, social: 2 });
    expect(before.source).toContain('L. 262-36');
    expect(from).toMatchObject({ effectiveFrom: '2025-01-01', territory: null });
    expect(from.thresholds.breachAfterMonths).toEqual({ emploi: 1, socio_professionnel: 1, social: 1 });
  });

  it('falls back to the earliest entry for a fact older than every entry', () => {
    expect(resolveThresholds(DEFAULT_POLICY, 'R2', '2019-06-01')).toMatchObject({ effectiveFrom: '2021-01-01' });
  });

  describe('with a territory override', () => {
    const policy = policyWith((document) => {
      document.overrides[EPCI] = {
        R3: [{ effectiveFrom: '2023-01-01', source: 'Conseil départemental, délibération 2022-118', thresholds: { warningAfterDays: 10, breachAfterDays: 21 } }],
        R2: [{ effectiveFrom: '2022-01-01', source: 'local CER practice', thresholds: { breachAfterMonths: { emploi: 1, socio_professionnel: 1, social: 3 } } }],
      };
    });

    it("applies the territory's thresholds to its parcours from the override's date", () => {
      expect(resolveThresholds(policy, 'R3', '2024-02-08', EPCI)).toEqual({
        version: DEFAULT_POLICY.version,
        effectiveFrom: '2023-01-01',
        regime: 'spie_2021',
        territory: EPCI,
        source: 'Conseil départemental, délibération 2022-118',
        thresholds: { warningAfterDays: 10, breachAfterDays: 21 },
      });
      expect(resolveThresholds(policy, 'R3', '2022-12-31', EPCI)).toMatchObject({ territory: null, thresholds: { breachAfterDays: 30 } });
    });

    it('yields to the plein-emploi entry of 2025 like to any later national change: a territory re-asserts its threshold from 2025-01-01', () => {
      expect(resolveThresholds(policy, 'R3', '2026-02-08', EPCI)).toMatchObject({ territory: null, effectiveFrom: '2025-01-01', regime: 'plein_emploi' });
    });

    it('leaves other territories and other rules to the policy', () => {
      expect(resolveThresholds(policy, 'R3', '2026-02-08', 'cc-ambert-livradois-forez')).toMatchObject({ territory: null, thresholds: { breachAfterDays: 30 } });
      expect(resolveThresholds(policy, 'R1', '2026-02-08', EPCI)).toMatchObject({ territory: null });
    });

    it('yields to a later national change (a law), until the territory re-asserts its threshold', () => {
      expect(resolveThresholds(policy, 'R2', '2024-06-01', EPCI)).toMatchObject({ territory: EPCI, thresholds: { breachAfterMonths: { social: 3 } } });
      expect(resolveThresholds(policy, 'R2', '2025-02-01', EPCI)).toMatchObject({ territory: null, effectiveFrom: '2025-01-01' });

      const reasserted = policyWith((document) => {
        document.overrides[EPCI] = {
          R2: [{ effectiveFrom: '2025-01-01', source: null, thresholds: { breachAfterMonths: { emploi: 1, socio_professionnel: 1, social: 2 } } }],
        };
      });
      expect(resolveThresholds(reasserted, 'R2', '2025-02-01', EPCI)).toMatchObject({ territory: EPCI, thresholds: { breachAfterMonths: { social: 2 } } });
    });

    it('is never confused by a territory code that names an Object property', () => {
      expect(resolveThresholds(policy, 'R3', '2026-02-08', '__proto__')).toMatchObject({ territory: null });
      expect(resolveThresholds(policy, 'R3', '2026-02-08', 'toString')).toMatchObject({ territory: null });
    });
  });
});

describe('parsePolicy', () => {
  const broken = (edit: (document: Record<string, unknown>) => void) => () => {
    const document = structuredClone(defaultPolicyFile) as unknown as Record<string, unknown>;
    edit(document);
    return parsePolicy(document);
  };
  const rules = (document: Record<string, unknown>) => document.rules as Record<string, Record<string, unknown>[]>;

  it('refuses a rule without thresholds', () => {
    expect(broken((document) => delete rules(document).R7)).toThrow('policy.rules.R7 must be a non-empty list of dated thresholds');
    expect(broken((document) => (rules(document).R7 = []))).toThrow(InvalidPolicyError);
  });

  it('refuses a misspelt key rather than silently keeping a default', () => {
    expect(broken((document) => (rules(document).R1[0].thresholds = { warningAfterDays: 30, breachAfterDay: 42 }))).toThrow(
      'policy.rules.R1[0].thresholds.breachAfterDay must be absent',
    );
    expect(broken((document) => (rules(document).R12 = rules(document).R1))).toThrow('policy.rules.R12 must be absent');
  });

  it('refuses a warning that would come after the breach', () => {
    expect(broken((document) => (rules(document).R1[0].thresholds = { warningAfterDays: 42, breachAfterDays: 42 }))).toThrow(
      'warningAfterDays must be fewer days than breachAfterDays',
    );
  });

  it('refuses invalid dates, repeated dates, negative or fractional counts, a missing parcours type', () => {
    expect(broken((document) => (rules(document).R3[0].effectiveFrom = '2021-02-30'))).toThrow('effectiveFrom must be a calendar date');
    expect(broken((document) => rules(document).R3.push({ ...rules(document).R3[0] }))).toThrow('one entry per date');
    expect(broken((document) => (rules(document).R9[0].thresholds = { warningAfterDays: null, breachAfterDays: -1 }))).toThrow('a whole number of days');
    expect(broken((document) => (rules(document).R6[0].thresholds = { breachAfterMonths: 6.5, breachAfterMonthsWithVulnerabilities: 12 }))).toThrow(
      'a whole number of months',
    );
    expect(broken((document) => (rules(document).R2[0].thresholds = { breachAfterMonths: { emploi: 1, social: 2 } }))).toThrow(
      'breachAfterMonths.socio_professionnel must be a whole number of months',
    );
  });

  it('sorts dated entries, whatever their order in the file', () => {
    const policy = broken((document) => rules(document).R2.reverse())();
    expect(policy.rules.R2.map((entry) => entry.effectiveFrom)).toEqual(['2021-01-01', '2025-01-01']);
  });
});
