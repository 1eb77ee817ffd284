import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isBusinessDate } from '../../kernel/business-date.js';
import caom2021PuyDeDome from './policies/caom-2021-puy-de-dome.json' with { type: 'json' };

/**
 * The figures of a CAOM (convention annuelle d'objectifs et de moyens) as data: another year or
 * another département is a new file under `policies/`, never a code change. Amounts are integer
 * euro cents so that no computation ever rounds money through floating point.
 */

/** The PEC envelopes: by age at the start of the contract (DESIGN §7). */
export const PEC_ENVELOPES = ['jeunes', 'hors_jeunes'] as const;
export type PecEnvelope = (typeof PEC_ENVELOPES)[number];

export interface PecEnvelopePolicy {
  readonly amountCents: number;
  /** The Département's contribution per contract and per month of contract. */
  readonly monthlyContributionCents: number;
}

export interface PecPolicy {
  readonly minimumWeeklyHours: number;
  readonly rsaSocleRequired: boolean;
  readonly envelopes: Readonly<Record<PecEnvelope, PecEnvelopePolicy>>;
}

export interface AciPolicy {
  readonly amountPerFullTimeEquivalentCents: number;
  readonly fullTimeWeeklyHours: number;
  readonly rsaSocleRequired: boolean;
}

export interface EiPolicy {
  readonly premiumCents: number;
  /** 7: the premium is due when the contract enters its 7th month, i.e. on start + 6 months. */
  readonly premiumFromMonth: number;
  readonly ceilingCents: number;
  readonly rsaSocleRequired: boolean;
}

export interface EbePolicy {
  readonly participationCents: number;
  readonly recipient: string;
}

export interface CaomPolicy {
  readonly version: string;
  /** INSEE code of the département: "63", "2A", "971". */
  readonly departement: string;
  readonly label: string;
  /** Always a 1 January: envelopes and ceilings are annual. */
  readonly validFrom: string;
  /** A 31 December, or null while no later convention is known. */
  readonly validTo: string | null;
  /** Where the policy was read from, for error messages and the report's provenance. */
  readonly source: string;
  readonly volets: {
    readonly pec: PecPolicy;
    readonly aci: AciPolicy;
    readonly ei: EiPolicy;
    readonly ebe: EbePolicy;
  };
}

export class InvalidCaomPolicyError extends Error {
  readonly code = 'invalid_caom_policy';

  constructor(readonly source: string, readonly problems: readonly string[]) {
    super(`invalid CAOM policy ${source}: ${problems.join('; ')}`);
    this.name = 'InvalidCaomPolicyError';
  }
}

export class CaomPolicyNotFoundError extends Error {
  readonly code = 'caom_policy_not_found';

  constructor(readonly year: number, readonly departement: string | null, detail: string) {
    super(`no CAOM policy for ${year}${departement === null ? '' : ` in département ${departement}`}: ${detail}`);
    this.name = 'CaomPolicyNotFoundError';
  }
}

// ---------------------------------------------------------------------------------------------
// Validation: a tiny combinator set rather than a schema library, so that every problem of a file
// is reported at once with its path, and the parsed value is typed without a cast per field.

/** `undefined` means a missing key; a check reports its own problems and returns undefined then. */
type Check<T> = (value: unknown, path: string, problems: string[]) => T | undefined;

function show(value: unknown): string {
  if (value === undefined) return 'nothing';
  return JSON.stringify(value) ?? String(value);
}

function required<T>(check: (value: unknown) => value is T, expected: string): Check<T> {
  return (value, path, problems) => {
    if (check(value)) return value;
    problems.push(value === undefined ? `${path} is required (${expected})` : `${path} must be ${expected}, got ${show(value)}`);
    return undefined;
  };
}

const cents = required(
  (value): value is number => Number.isSafeInteger(value) && (value as number) >= 0,
  'a non-negative integer number of euro cents',
);

/** Hours with at most two decimals, because the computation counts them in hundredths. */
function hours(min: number, max: number): Check<number> {
  return required(
    (value): value is number =>
      typeof value === 'number' && value >= min && value <= max && Math.abs(value * 100 - Math.round(value * 100)) < 1e-9,
    `a number of hours between ${min} and ${max} with at most two decimals`,
  );
}

const flag = required((value): value is boolean => typeof value === 'boolean', 'true or false');

const text = required((value): value is string => typeof value === 'string' && value.trim().length > 0, 'a non-empty string');

const departement = required(
  (value): value is string => typeof value === 'string' && /^(0[1-9]|[1-8]\d|9[0-5]|2A|2B|97[1-6])$/.test(value),
  'an INSEE département code such as "63", "2A" or "971"',
);

function dayOfYear(monthDay: string, name: string): Check<string> {
  return required(
    (value): value is string => typeof value === 'string' && isBusinessDate(value) && value.slice(5) === monthDay,
    `a calendar date YYYY-${monthDay} (${name}: CAOM envelopes are annual)`,
  );
}

const month = required(
  (value): value is number => Number.isInteger(value) && (value as number) >= 1 && (value as number) <= 120,
  'a month rank between 1 and 120',
);

function optional<T>(check: Check<T>): Check<T | null> {
  return (value, path, problems) => (value === undefined || value === null ? null : check(value, path, problems));
}

type Shape<T> = { readonly [K in keyof T]-?: Check<T[K]> };

/** A JSON object with exactly these keys; `description` is allowed anywhere as documentation. */
function object<T>(shape: Shape<T>): Check<T> {
  return (value, path, problems) => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      problems.push(value === undefined ? `${path} is required (an object)` : `${path} must be an object, got ${show(value)}`);
      return undefined;
    }
    const input = value as Record<string, unknown>;
    const known = new Set<string>(Object.keys(shape));
    for (const key of Object.keys(input)) {
      if (key === 'description') {
        if (typeof input[key] !== 'string') problems.push(`${path}.description must be a string`);
      } else if (!known.has(key)) {
        problems.push(`${path}.${key} is not a known field (expected ${[...known].join(', ')})`);
      }
    }
    const result: Record<string, unknown> = {};
    let complete = true;
    for (const key of known) {
      const check = (shape as Record<string, Check<unknown>>)[key]!;
      const raw = Object.hasOwn(input, key) ? input[key] : undefined;
      const before = problems.length;
      const parsed = check(raw, `${path}.${key}`, problems);
      if (problems.length > before) complete = false;
      result[key] = parsed;
    }
    return complete ? (result as T) : undefined;
  };
}

type PolicyFile = Omit<CaomPolicy, 'source'>;

const POLICY_FILE: Check<PolicyFile> = object<PolicyFile>({
  version: text,
  departement,
  label: text,
  validFrom: dayOfYear('01-01', 'validFrom'),
  validTo: optional(dayOfYear('12-31', 'validTo')),
  volets: object<CaomPolicy['volets']>({
    pec: object<PecPolicy>({
      minimumWeeklyHours: hours(0, 48),
      rsaSocleRequired: flag,
      envelopes: object<Record<PecEnvelope, PecEnvelopePolicy>>({
        jeunes: object<PecEnvelopePolicy>({ amountCents: cents, monthlyContributionCents: cents }),
        hors_jeunes: object<PecEnvelopePolicy>({ amountCents: cents, monthlyContributionCents: cents }),
      }),
    }),
    aci: object<AciPolicy>({
      amountPerFullTimeEquivalentCents: cents,
      // Zero would divide by zero when prorating.
      fullTimeWeeklyHours: hours(0.01, 48),
      rsaSocleRequired: flag,
    }),
    ei: object<EiPolicy>({ premiumCents: cents, premiumFromMonth: month, ceilingCents: cents, rsaSocleRequired: flag }),
    ebe: object<EbePolicy>({ participationCents: cents, recipient: text }),
  }),
});

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

/** Validates a parsed JSON policy; throws InvalidCaomPolicyError listing every problem found. */
export function parseCaomPolicy(content: unknown, source: string): CaomPolicy {
  const problems: string[] = [];
  const parsed = POLICY_FILE(content, '$', problems);
  if (parsed !== undefined && parsed.validTo !== null && parsed.validTo < parsed.validFrom) {
    problems.push(`$.validTo ${parsed.validTo} is before $.validFrom ${parsed.validFrom}`);
  }
  if (parsed === undefined || problems.length > 0) throw new InvalidCaomPolicyError(source, problems);
  return deepFreeze({ ...parsed, source });
}

/** For a policy file read from disk or a configuration store. */
export function parseCaomPolicyJson(json: string, source: string): CaomPolicy {
  let content: unknown;
  try {
    content = JSON.parse(json);
  } catch (error) {
    throw new InvalidCaomPolicyError(source, [`not valid JSON (${error instanceof Error ? error.message : String(error)})`]);
  }
  return parseCaomPolicy(content, source);
}

/**
 * Validates a set of policies together: two policies of one département starting the same year
 * would make the choice of figures arbitrary, so the set is refused.
 */
export function parseCaomPolicies(files: readonly { source: string; content: unknown }[]): readonly CaomPolicy[] {
  const policies = files.map((file) => parseCaomPolicy(file.content, file.source));
  const seen = new Map<string, CaomPolicy>();
  for (const policy of policies) {
    const key = `${policy.departement}|${policy.validFrom}`;
    const other = seen.get(key);
    if (other !== undefined) {
      throw new InvalidCaomPolicyError(policy.source, [
        `$.validFrom ${policy.validFrom} is also the start of ${other.source} for département ${policy.departement}`,
      ]);
    }
    seen.set(key, policy);
  }
  return Object.freeze(policies);
}

let shipped: readonly CaomPolicy[] | undefined;

/** The policies shipped with the project; a malformed file fails at the first call (boot). */
export function shippedCaomPolicies(): readonly CaomPolicy[] {
  shipped ??= parseCaomPolicies([{ source: 'policies/caom-2021-puy-de-dome.json', content: caom2021PuyDeDome }]);
  return shipped;
}

/**
 * The policy whose validity covers the year. Among several (an open-ended convention and a later
 * one), the latest `validFrom` wins: a new convention supersedes the previous one. With policies
 * of several départements, name the département.
 */
export function policyForYear(policies: readonly CaomPolicy[], year: number, departementCode?: string): CaomPolicy {
  if (!Number.isInteger(year) || year < 1000 || year > 9999) throw new RangeError(`year must be a four-digit integer, got ${year}`);
  const scoped = departementCode === undefined ? policies : policies.filter((policy) => policy.departement === departementCode);
  const departements = new Set(scoped.map((policy) => policy.departement));
  if (departements.size > 1) {
    throw new CaomPolicyNotFoundError(year, null, `policies of several départements (${[...departements].sort().join(', ')}): name one`);
  }
  const start = `${year}-01-01`;
  const end = `${year}-12-31`;
  const covering = scoped
    .filter((policy) => policy.validFrom <= end && (policy.validTo === null || policy.validTo >= start))
    .sort((a, b) => (a.validFrom < b.validFrom ? 1 : a.validFrom > b.validFrom ? -1 : 0));
  const [latest, next] = covering;
  if (latest === undefined) {
    const policiesGiven = `${scoped.length} polic${scoped.length === 1 ? 'y' : 'ies'}`;
    throw new CaomPolicyNotFoundError(year, departementCode ?? null, `none of ${policiesGiven} covers ${year}`);
  }
  if (next !== undefined && next.validFrom === latest.validFrom) {
    const detail = `${latest.source} and ${next.source} both start on ${latest.validFrom}`;
    throw new CaomPolicyNotFoundError(year, departementCode ?? null, detail);
  }
  return latest;
}

/**
 * The policies in force: the shipped ones, or every `*.json` of `directory` (CAOM_POLICY_DIR) in
 * their place — another département, another convention, new figures, without a code change.
 * Read and validated together at start: a malformed file stops the service, naming the file.
 */
export function caomPoliciesFrom(directory: string | undefined): readonly CaomPolicy[] {
  if (directory === undefined) return shippedCaomPolicies();
  const names = readdirSync(directory).filter((name) => name.endsWith('.json')).sort();
  if (names.length === 0) throw new InvalidCaomPolicyError(directory, ['no *.json policy file in this folder']);
  return parseCaomPolicies(
    names.map((name) => {
      const source = join(directory, name);
      const json = readFileSync(source, 'utf8');
      try {
        return { source, content: JSON.parse(json) as unknown };
      } catch (error) {
        throw new InvalidCaomPolicyError(source, [`not valid JSON (${error instanceof Error ? error.message : String(error)})`]);
      }
    }),
  );
}
