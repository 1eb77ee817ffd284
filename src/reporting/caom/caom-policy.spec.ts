import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type CaomPolicy,
  caomPoliciesFrom,
  CaomPolicyNotFoundError,
  InvalidCaomPolicyError,
  parseCaomPolicies,
  parseCaomPolicy,
  parseCaomPolicyJson,
  policyForYear,
  shippedCaomPolicies,
} from './caom-policy.js';
import shippedFile from './policies/caom-2021-puy-de-dome.json' with { type: 'json' };

/** A deep copy of the shipped file to break in one place. */
function aPolicyFile(): Record<string, unknown> {
  return JSON.parse(JSON.stringify(shippedFile)) as Record<string, unknown>;
}

/** Sets (or, with undefined, deletes) the value at a dotted path of a parsed JSON file. */
function setAt(file: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split('.');
  const last = keys.pop()!;
  const parent = keys.reduce((node, key) => node[key] as Record<string, unknown>, file);
  if (value === undefined) delete parent[last];
  else parent[last] = value;
}

function problemsOf(content: unknown): readonly string[] {
  try {
    parseCaomPolicy(content, 'test.json');
  } catch (error) {
    if (error instanceof InvalidCaomPolicyError) return error.problems;
    throw error;
  }
  throw new Error('the policy was accepted');
}

function policy(overrides: Partial<CaomPolicy>): CaomPolicy {
  return { ...parseCaomPolicy(aPolicyFile(), 'base.json'), ...overrides };
}

describe('the shipped CAOM 2021 Puy-de-Dôme policy', () => {
  it('holds the reference figures of the convention, in cents', () => {
    const [caom2021] = shippedCaomPolicies();

    expect(caom2021).toMatchObject({
      version: '2021.1',
      departement: '63',
      validFrom: '2021-01-01',
      validTo: null,
      source: 'policies/caom-2021-puy-de-dome.json',
      volets: {
        pec: {
          minimumWeeklyHours: 26,
          rsaSocleRequired: true,
          envelopes: { jeunes: { amountCents: 10_500_000 }, hors_jeunes: { amountCents: 10_500_000 } },
        },
        aci: { amountPerFullTimeEquivalentCents: 330_600, fullTimeWeeklyHours: 35 },
        ei: { premiumCents: 100_000, premiumFromMonth: 7, ceilingCents: 1_000_000, rsaSocleRequired: true },
        ebe: { participationCents: 18_000_000 },
      },
    });
    expect(Object.isFrozen(caom2021?.volets.pec.envelopes.jeunes)).toBe(true);
  });
});

describe('parseCaomPolicy', () => {
  it('rejects a malformed file with every problem and its path', () => {
    const file = aPolicyFile();
    setAt(file, 'volets.pec.envelopes.jeunes.amountCents', 105000.5);
    setAt(file, 'volets.aci.amountPerFullTimeEquivalentCents', '3306');
    setAt(file, 'volets.ei.ceilingCents', undefined);
    setAt(file, 'volets.ebe.participation', 180000);
    setAt(file, 'validFrom', '2021-05-12');

    const problems = problemsOf(file);

    expect(problems).toEqual([
      '$.validFrom must be a calendar date YYYY-01-01 (validFrom: CAOM envelopes are annual), got "2021-05-12"',
      '$.volets.pec.envelopes.jeunes.amountCents must be a non-negative integer number of euro cents, got 105000.5',
      '$.volets.aci.amountPerFullTimeEquivalentCents must be a non-negative integer number of euro cents, got "3306"',
      '$.volets.ei.ceilingCents is required (a non-negative integer number of euro cents)',
      '$.volets.ebe.participation is not a known field (expected participationCents, recipient)',
    ]);
    expect(() => parseCaomPolicy(file, 'caom-2021-puy-de-dome.json')).toThrow(
      /^invalid CAOM policy caom-2021-puy-de-dome\.json: \$\.validFrom must be a calendar date YYYY-01-01/,
    );
  });

  it.each<[string, string, unknown, string]>([
    ['a missing envelope', 'volets.pec.envelopes.hors_jeunes', undefined, '$.volets.pec.envelopes.hors_jeunes is required (an object)'],
    [
      'negative hours',
      'volets.pec.minimumWeeklyHours',
      -1,
      '$.volets.pec.minimumWeeklyHours must be a number of hours between 0 and 48 with at most two decimals, got -1',
    ],
    [
      'hours with three decimals',
      'volets.pec.minimumWeeklyHours',
      25.999,
      '$.volets.pec.minimumWeeklyHours must be a number of hours between 0 and 48 with at most two decimals, got 25.999',
    ],
    [
      'a full time of zero hours',
      'volets.aci.fullTimeWeeklyHours',
      0,
      '$.volets.aci.fullTimeWeeklyHours must be a number of hours between 0.01 and 48 with at most two decimals, got 0',
    ],
    ['a premium month of zero', 'volets.ei.premiumFromMonth', 0, '$.volets.ei.premiumFromMonth must be a month rank between 1 and 120, got 0'],
    ['a yes/no given as a string', 'volets.ei.rsaSocleRequired', 'yes', '$.volets.ei.rsaSocleRequired must be true or false, got "yes"'],
    ['a negative ceiling', 'volets.ei.ceilingCents', -100, '$.volets.ei.ceilingCents must be a non-negative integer number of euro cents, got -100'],
    [
      'an unknown département',
      'departement',
      'Puy-de-Dôme',
      '$.departement must be an INSEE département code such as "63", "2A" or "971", got "Puy-de-Dôme"',
    ],
    [
      'a validTo that is not a 31 December',
      'validTo',
      '2021-06-30',
      '$.validTo must be a calendar date YYYY-12-31 (validTo: CAOM envelopes are annual), got "2021-06-30"',
    ],
    ['a validTo before validFrom', 'validTo', '2020-12-31', '$.validTo 2020-12-31 is before $.validFrom 2021-01-01'],
    [
      'a misspelt top-level key',
      'valid_to',
      '2021-12-31',
      '$.valid_to is not a known field (expected version, departement, label, validFrom, validTo, volets)',
    ],
    ['an empty label', 'label', ' ', '$.label must be a non-empty string, got " "'],
  ])('rejects %s', (_name, path, value, problem) => {
    const file = aPolicyFile();
    setAt(file, path, value);

    expect(problemsOf(file)).toEqual([problem]);
  });

  it('rejects something that is not an object at all', () => {
    expect(problemsOf([])).toEqual(['$ must be an object, got []']);
  });

  it('rejects a file that is not JSON, naming it', () => {
    expect(() => parseCaomPolicyJson('{ "version": ', 'policies/caom-2022-puy-de-dome.json')).toThrow(
      /^invalid CAOM policy policies\/caom-2022-puy-de-dome\.json: not valid JSON/,
    );
  });

  it('accepts an explicit end and documentation keys anywhere', () => {
    const file = { ...aPolicyFile(), validTo: '2021-12-31' };

    expect(parseCaomPolicy(file, 'closed.json')).toMatchObject({ validTo: '2021-12-31', source: 'closed.json' });
  });
});

describe('parseCaomPolicies', () => {
  it('refuses two policies of one département starting the same year', () => {
    expect(() =>
      parseCaomPolicies([
        { source: 'a.json', content: aPolicyFile() },
        { source: 'b.json', content: { ...aPolicyFile(), version: '2021.2' } },
      ]),
    ).toThrow('invalid CAOM policy b.json: $.validFrom 2021-01-01 is also the start of a.json for département 63');
  });
});

describe('policyForYear', () => {
  const caom2021 = policy({ version: '2021.1', validFrom: '2021-01-01', validTo: null });
  const caom2024 = policy({ version: '2024.1', validFrom: '2024-01-01', validTo: null });

  it('keeps an open-ended convention in force until a later one supersedes it', () => {
    expect(policyForYear([caom2024, caom2021], 2021).version).toBe('2021.1');
    expect(policyForYear([caom2024, caom2021], 2023).version).toBe('2021.1');
    expect(policyForYear([caom2024, caom2021], 2024).version).toBe('2024.1');
    expect(policyForYear([caom2024, caom2021], 2026).version).toBe('2024.1');
  });

  it('finds the shipped policy for 2021 and the following years', () => {
    expect(policyForYear(shippedCaomPolicies(), 2021).departement).toBe('63');
    expect(policyForYear(shippedCaomPolicies(), 2026).version).toBe('2021.1');
  });

  it('fails clearly for a year before any convention or after a closed one', () => {
    expect(() => policyForYear([caom2021], 2020)).toThrow(new CaomPolicyNotFoundError(2020, null, 'none of 1 policy covers 2020'));
    expect(() => policyForYear([policy({ validTo: '2021-12-31' })], 2022)).toThrow(/no CAOM policy for 2022: none of 1 policy covers 2022/);
  });

  it('asks for the département when policies of several are given', () => {
    const cantal = policy({ departement: '15', version: 'cantal-2021' });

    expect(() => policyForYear([caom2021, cantal], 2021)).toThrow(/policies of several départements \(15, 63\): name one/);
    expect(policyForYear([caom2021, cantal], 2021, '15').version).toBe('cantal-2021');
    expect(() => policyForYear([caom2021, cantal], 2021, '03')).toThrow(/no CAOM policy for 2021 in département 03/);
  });

  it('refuses to choose between two policies starting the same day', () => {
    expect(() => policyForYear([caom2021, policy({ version: 'other', source: 'other.json' })], 2021)).toThrow(/both start on 2021-01-01/);
  });
});

describe('caomPoliciesFrom (CAOM_POLICY_DIR)', () => {
  let folder: string;
  beforeEach(() => (folder = mkdtempSync(join(tmpdir(), 'spie-caom-'))));
  afterEach(() => rmSync(folder, { recursive: true, force: true }));

  it('ships the Puy-de-Dôme convention when no folder is set', () => {
    expect(caomPoliciesFrom(undefined)).toBe(shippedCaomPolicies());
  });

  it("uses the folder's policies instead: another convention changes the figures, not the code", () => {
    const file = aPolicyFile();
    setAt(file, 'version', '2027.1');
    setAt(file, 'validFrom', '2027-01-01');
    writeFileSync(join(folder, 'caom-2027.json'), JSON.stringify(file));
    writeFileSync(join(folder, 'README.txt'), 'not a policy');
    const policies = caomPoliciesFrom(folder);
    expect(policies.map((policy) => policy.version)).toEqual(['2027.1']);
    expect(policyForYear(policies, 2027).source).toBe(join(folder, 'caom-2027.json'));
    expect(() => policyForYear(policies, 2021)).toThrow(CaomPolicyNotFoundError);
  });

  it('refuses an empty folder and a malformed file, naming it', () => {
    expect(() => caomPoliciesFrom(folder)).toThrow(/no \*\.json policy file/);
    writeFileSync(join(folder, 'broken.json'), '{ "version": ');
    expect(() => caomPoliciesFrom(folder)).toThrow(InvalidCaomPolicyError);
    expect(() => caomPoliciesFrom(folder)).toThrow(/broken\.json/);
  });
});
