/**
 * The dated continuity policy (DESIGN §6): the thresholds of rules R1–R11, each rule's thresholds
 * listed with the date they took effect, so that an audit applies the rule in force when the facts
 * happened — the 2021 SPIE rules before 2025-01-01, the *loi pour le plein emploi* ones after —
 * and never judges a 2024 orientation by a 2025 law.
 *
 * File format (`policies/default-policy.json`):
 *
 *   {
 *     "version": "…",                      // quoted in every finding: which policy file judged it
 *     "description": "…",                  // optional
 *     "rules": {                           // all eleven rules, each a non-empty list
 *       "R1": [ { "effectiveFrom": "2021-01-01", "regime": "spie_2021", "source": "…", "thresholds": { … } },
 *               { "effectiveFrom": "2025-01-01", "regime": "plein_emploi", "source": "décret n° 2024-1244…", "thresholds": { … } } ],
 *       …
 *     },
 *     "overrides": {                       // per territory code (ParcoursOpened.territory), any rules
 *       "cc-thiers-dore-et-montagne": { "R3": [ { "effectiveFrom": "2026-01-01", "source": "…", "thresholds": { … } } ] }
 *     }
 *   }
 *
 * Which entry applies to a fact dated D: among the rule's entries and the territory's override
 * entries, the one with the latest `effectiveFrom` ≤ D, an override winning a tie. So a national
 * change (a law) supersedes an older local override, and a territory that wants to keep its own
 * threshold re-asserts it with an entry dated on or after the change: the file then says so
 * explicitly. A fact older than every entry falls under the rule's earliest entry, so an audit
 * never lacks a threshold.
 *
 * `regime` (optional) must be the regime in force on `effectiveFrom` (regimes.ts): the shipped file
 * gives every rule one entry per regime, each with its source, so that a report can say which law
 * judged a finding.
 *
 * Day thresholds count calendar days after the fact that starts a rule's clock: "breachAfterDays:
 * 42" lets the expected fact happen up to day 42 and makes day 43 a breach. Month thresholds are
 * calendar months with end-of-month clamping.
 */
import { PARCOURS_TYPES, type ParcoursType } from '../parcours/domain/events.js';
import defaultPolicyFile from './policies/default-policy.json' with { type: 'json' };
import { isBusinessDate } from '../kernel/business-date.js';
import { regimeOfDate } from '../parcours/domain/regimes.js';
import { readFileSync } from 'node:fs';
import type { AppConfig } from '../config/app-config.js';

export const RULE_IDS = ['R1', 'R2', 'R3', 'R4', 'R5', 'R6', 'R7', 'R8', 'R9', 'R10', 'R11'] as const;
export type RuleId = (typeof RULE_IDS)[number];

/** A clock counted from the fact that starts it: warning from day `warningAfterDays + 1`, breach from day `breachAfterDays + 1`. */
export interface DayThresholds {
  warningAfterDays: number | null;
  breachAfterDays: number;
}

/** R2: the engagement contract is due within calendar months of the notification, per orientation. */
export interface ContractAfterOrientationThresholds {
  breachAfterMonths: Record<ParcoursType, number>;
}

/** R5: warns `warningBeforeDays` before the contract's last day; breach `breachAfterDays` after it. */
export interface ContractExpiryThresholds {
  warningBeforeDays: number | null;
  breachAfterDays: number;
}

/** R6: calendar months between re-examinations of a social parcours. */
export interface ReexaminationThresholds {
  breachAfterMonths: number;
  /** When the latest diagnostic documents vulnerabilities (L. 262-31: up to 12 months). */
  breachAfterMonthsWithVulnerabilities: number;
}

/**
 * R11: the weekly activity hours a contrat d'engagement states (L. 5411-6-1 code du travail, from
 * 2025: at least 15 hours, lowered or waived by the person's situation with a coded reason). `null`:
 * no activity duty in that regime (the 2021 CER and PPAE had none), so the rule holds nothing.
 */
export interface ActivityDutyThresholds {
  minimumWeeklyHours: number | null;
}

export interface RuleThresholds {
  R1: DayThresholds;
  R2: ContractAfterOrientationThresholds;
  R3: DayThresholds;
  R4: DayThresholds;
  R5: ContractExpiryThresholds;
  R6: ReexaminationThresholds;
  R7: DayThresholds;
  R8: DayThresholds;
  R9: DayThresholds;
  R10: DayThresholds;
  R11: ActivityDutyThresholds;
}

export interface DatedThresholds<Thresholds> {
  effectiveFrom: string;
  /**
   * The regime the entry belongs to, derived from `effectiveFrom` (regimes.ts) and checked against
   * it when the file is loaded: an entry dated 2025 or later is the plein-emploi law's, an older
   * one the 2021 SPIE rules'. A file may omit it; the loader fills it in.
   */
  regime: 'spie_2021' | 'plein_emploi';
  /** The legal or local source, shown in audit reports. */
  source: string | null;
  thresholds: Thresholds;
}

export type RuleSchedules = { readonly [R in RuleId]: readonly DatedThresholds<RuleThresholds[R]>[] };

export interface ContinuityPolicy {
  version: string;
  description: string | null;
  rules: RuleSchedules;
  /** Keyed by territory code; read through `Object.hasOwn`. */
  overrides: Readonly<Record<string, Partial<RuleSchedules>>>;
}

/** The thresholds a finding was judged by, and where they come from. */
export interface AppliedPolicy<R extends RuleId = RuleId> {
  version: string;
  effectiveFrom: string;
  /** The regime of the entry that applied (see `DatedThresholds.regime`). */
  regime: 'spie_2021' | 'plein_emploi';
  /** The territory whose override applied, or null for the policy's own rule. */
  territory: string | null;
  source: string | null;
  thresholds: RuleThresholds[R];
}

export function resolveThresholds<R extends RuleId>(
  policy: ContinuityPolicy,
  ruleId: R,
  factDate: string,
  territory?: string | null,
): AppliedPolicy<R> {
  const schedule: readonly DatedThresholds<RuleThresholds[R]>[] = policy.rules[ruleId];
  let chosen = inForce(schedule, factDate);
  let fromTerritory: string | null = null;
  if (territory !== undefined && territory !== null && Object.hasOwn(policy.overrides, territory)) {
    const local: readonly DatedThresholds<RuleThresholds[R]>[] | undefined = policy.overrides[territory][ruleId];
    const override = local === undefined ? null : inForce(local, factDate);
    if (override !== null && (chosen === null || override.effectiveFrom >= chosen.effectiveFrom)) {
      chosen = override;
      fromTerritory = territory;
    }
  }
  // parsePolicy refuses an empty schedule, so the earliest entry always exists.
  const entry = chosen ?? earliest(schedule);
  return { version: policy.version, effectiveFrom: entry.effectiveFrom, regime: entry.regime, territory: fromTerritory, source: entry.source, thresholds: entry.thresholds };
}

/** The entry with the latest `effectiveFrom` not after `factDate`; a linear scan, the lists are a few entries long. */
function inForce<T>(schedule: readonly DatedThresholds<T>[], factDate: string): DatedThresholds<T> | null {
  let found: DatedThresholds<T> | null = null;
  for (const entry of schedule) {
    if (entry.effectiveFrom <= factDate && (found === null || entry.effectiveFrom > found.effectiveFrom)) found = entry;
  }
  return found;
}

function earliest<T>(schedule: readonly DatedThresholds<T>[]): DatedThresholds<T> {
  let found = schedule[0];
  for (const entry of schedule) if (entry.effectiveFrom < found.effectiveFrom) found = entry;
  return found;
}

// ---------------------------------------------------------------------------------------------
// Loading: a policy file is checked once, when it is loaded, so that the rules can trust it.

export class InvalidPolicyError extends Error {
  readonly code = 'invalid_continuity_policy';

  constructor(message: string) {
    super(message);
    this.name = 'InvalidPolicyError';
  }
}

type ThresholdsParser<T> = (value: unknown, path: string) => T;

const THRESHOLDS_PARSERS: { [R in RuleId]: ThresholdsParser<RuleThresholds[R]> } = {
  R1: parseDayThresholds,
  R2: parseContractAfterOrientation,
  R3: parseDayThresholds,
  R4: parseDayThresholds,
  R5: parseContractExpiry,
  R6: parseReexamination,
  R7: parseDayThresholds,
  R8: parseDayThresholds,
  R9: parseDayThresholds,
  R10: parseDayThresholds,
  R11: parseActivityDuty,
};

/** Validates a policy document (parsed JSON) and returns it typed; throws `InvalidPolicyError` naming the faulty path. */
export function parsePolicy(document: unknown): ContinuityPolicy {
  const root = record(document, 'policy');
  knownKeys(root, ['version', 'description', 'rules', 'overrides'], 'policy');
  const version = root.version;
  if (typeof version !== 'string' || version.trim() === '') throw invalid('policy.version', 'a non-empty string');
  const description = root.description === undefined || root.description === null ? null : text(root.description, 'policy.description');
  const rulesDocument = record(root.rules, 'policy.rules');
  knownKeys(rulesDocument, RULE_IDS, 'policy.rules');
  const rules = {} as { -readonly [R in RuleId]: readonly DatedThresholds<RuleThresholds[R]>[] };
  for (const ruleId of RULE_IDS) assignSchedule(rules, ruleId, rulesDocument[ruleId], `policy.rules.${ruleId}`, true);

  const overrides: Record<string, Partial<RuleSchedules>> = {};
  if (root.overrides !== undefined) {
    const overridesDocument = record(root.overrides, 'policy.overrides');
    for (const territory of Object.keys(overridesDocument)) {
      if (territory.trim() === '') throw invalid('policy.overrides', 'territory codes, not an empty key');
      const local = record(overridesDocument[territory], `policy.overrides.${territory}`);
      knownKeys(local, RULE_IDS, `policy.overrides.${territory}`);
      const schedules: { -readonly [R in RuleId]?: readonly DatedThresholds<RuleThresholds[R]>[] } = {};
      for (const ruleId of RULE_IDS) {
        if (local[ruleId] !== undefined) assignSchedule(schedules, ruleId, local[ruleId], `policy.overrides.${territory}.${ruleId}`, false);
      }
      // A computed key defines an own property, even for "__proto__".
      Object.defineProperty(overrides, territory, { value: schedules, enumerable: true, writable: false, configurable: false });
    }
  }
  return { version, description, rules, overrides };
}

/** The policy shipped with the project (`policies/default-policy.json`). */
export const DEFAULT_POLICY: ContinuityPolicy = parsePolicy(defaultPolicyFile);

function assignSchedule<R extends RuleId>(
  target: { -readonly [K in RuleId]?: readonly DatedThresholds<RuleThresholds[K]>[] },
  ruleId: R,
  value: unknown,
  path: string,
  required: boolean,
): void {
  if (!Array.isArray(value) || (required && value.length === 0)) throw invalid(path, required ? 'a non-empty list of dated thresholds' : 'a list of dated thresholds');
  const parse: ThresholdsParser<RuleThresholds[R]> = THRESHOLDS_PARSERS[ruleId];
  const seen = new Set<string>();
  const entries = value.map((item: unknown, index): DatedThresholds<RuleThresholds[R]> => {
    const entryPath = `${path}[${index}]`;
    const entry = record(item, entryPath);
    knownKeys(entry, ['effectiveFrom', 'regime', 'source', 'thresholds'], entryPath);
    const effectiveFrom = entry.effectiveFrom;
    if (typeof effectiveFrom !== 'string' || !isBusinessDate(effectiveFrom)) throw invalid(`${entryPath}.effectiveFrom`, 'a calendar date YYYY-MM-DD');
    // The regime is a consequence of the date: a file cannot file a 2025 threshold under the 2021 rules.
    const regime = regimeOfDate(effectiveFrom);
    if (entry.regime !== undefined && entry.regime !== regime) throw invalid(`${entryPath}.regime`, `"${regime}", the regime in force on ${effectiveFrom}`);
    if (seen.has(effectiveFrom)) throw invalid(`${entryPath}.effectiveFrom`, `one entry per date, ${effectiveFrom} is repeated`);
    seen.add(effectiveFrom);
    const source = entry.source === undefined || entry.source === null ? null : text(entry.source, `${entryPath}.source`);
    return { effectiveFrom, regime, source, thresholds: parse(entry.thresholds, `${entryPath}.thresholds`) };
  });
  entries.sort((a, b) => (a.effectiveFrom < b.effectiveFrom ? -1 : 1));
  (target as Record<R, readonly DatedThresholds<RuleThresholds[R]>[]>)[ruleId] = entries;
}

function parseDayThresholds(value: unknown, path: string): DayThresholds {
  const thresholds = record(value, path);
  knownKeys(thresholds, ['warningAfterDays', 'breachAfterDays'], path);
  const breachAfterDays = days(thresholds.breachAfterDays, `${path}.breachAfterDays`);
  const warningAfterDays = thresholds.warningAfterDays === undefined || thresholds.warningAfterDays === null ? null : days(thresholds.warningAfterDays, `${path}.warningAfterDays`);
  if (warningAfterDays !== null && warningAfterDays >= breachAfterDays) throw invalid(`${path}.warningAfterDays`, 'fewer days than breachAfterDays');
  return { warningAfterDays, breachAfterDays };
}

function parseActivityDuty(value: unknown, path: string): ActivityDutyThresholds {
  const thresholds = record(value, path);
  knownKeys(thresholds, ['minimumWeeklyHours'], path);
  const hours = thresholds.minimumWeeklyHours;
  if (hours === null) return { minimumWeeklyHours: null };
  if (typeof hours !== 'number' || !Number.isFinite(hours) || hours <= 0 || hours > 35) throw invalid(`${path}.minimumWeeklyHours`, 'a number of hours above 0 and at most 35, or null');
  return { minimumWeeklyHours: hours };
}

function parseContractAfterOrientation(value: unknown, path: string): ContractAfterOrientationThresholds {
  const thresholds = record(value, path);
  knownKeys(thresholds, ['breachAfterMonths'], path);
  const byType = record(thresholds.breachAfterMonths, `${path}.breachAfterMonths`);
  knownKeys(byType, PARCOURS_TYPES, `${path}.breachAfterMonths`);
  const breachAfterMonths = {} as Record<ParcoursType, number>;
  for (const parcoursType of PARCOURS_TYPES) breachAfterMonths[parcoursType] = months(byType[parcoursType], `${path}.breachAfterMonths.${parcoursType}`);
  return { breachAfterMonths };
}

function parseContractExpiry(value: unknown, path: string): ContractExpiryThresholds {
  const thresholds = record(value, path);
  knownKeys(thresholds, ['warningBeforeDays', 'breachAfterDays'], path);
  const warningBeforeDays = thresholds.warningBeforeDays === undefined || thresholds.warningBeforeDays === null ? null : days(thresholds.warningBeforeDays, `${path}.warningBeforeDays`);
  return { warningBeforeDays, breachAfterDays: days(thresholds.breachAfterDays, `${path}.breachAfterDays`) };
}

function parseReexamination(value: unknown, path: string): ReexaminationThresholds {
  const thresholds = record(value, path);
  knownKeys(thresholds, ['breachAfterMonths', 'breachAfterMonthsWithVulnerabilities'], path);
  return {
    breachAfterMonths: months(thresholds.breachAfterMonths, `${path}.breachAfterMonths`),
    breachAfterMonthsWithVulnerabilities: months(thresholds.breachAfterMonthsWithVulnerabilities, `${path}.breachAfterMonthsWithVulnerabilities`),
  };
}

function record(value: unknown, path: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalid(path, 'an object');
  return value as Record<string, unknown>;
}

/** A misspelt key would silently leave a default in force: refuse it. */
function knownKeys(value: Record<string, unknown>, allowed: readonly string[], path: string): void {
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) throw invalid(`${path}.${key}`, `absent (expected one of ${allowed.join(', ')})`);
  }
}

function days(value: unknown, path: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 3660) throw invalid(path, 'a whole number of days between 0 and 3660');
  return value;
}

function months(value: unknown, path: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 120) throw invalid(path, 'a whole number of months between 1 and 120');
  return value;
}

function text(value: unknown, path: string): string {
  if (typeof value !== 'string') throw invalid(path, 'a string');
  return value;
}

function invalid(path: string, expected: string): InvalidPolicyError {
  return new InvalidPolicyError(`${path} must be ${expected}`);
}

/** The continuity policy in force: the shipped default, or the file CONTINUITY_POLICY_FILE names. */
export function continuityPolicyOf(config: Pick<AppConfig, 'continuityPolicyFile'>): ContinuityPolicy {
  return config.continuityPolicyFile ? parsePolicy(JSON.parse(readFileSync(config.continuityPolicyFile, 'utf8'))) : DEFAULT_POLICY;
}
