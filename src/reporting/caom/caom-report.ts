import { daysInMonth, isBusinessDate } from '../../kernel/business-date.js';
import { addMonths } from '../../kernel/calendar.js';
import type { CaomContractFact } from './caom-facts.js';
import { type CaomPolicy, PEC_ENVELOPES, type PecEnvelope } from './caom-policy.js';

/**
 * The `caom_funding` report of one year: a pure function of the contract facts and the policy.
 *
 * Rules chosen where the convention is silent (each one is tested):
 * - Money is integer euro cents. A prorated amount is computed exactly as a fraction and rounded
 *   once, per contract line, half up to the cent (24 h in ACI: 330 600 × 24 / 35 = 226 697,14…
 *   → 226 697 cents = 2 266,97 €).
 * - PEC: the amount committed in the year is the monthly contribution × the contract's months
 *   within the year, from `startsOn` to `plannedEndOn` or to `endedOn` if earlier (a contract going
 *   on past its planned end is not funded beyond it: that would need a new agreement). Full
 *   calendar months count 1, a partial month counts its days / the days of that month. A contract
 *   running over two years is weighed against each year's envelope for its months in that year;
 *   as envelopes are served in order of `startsOn`, contracts carried over from the previous year
 *   come first.
 * - PEC envelopes and the EI ceiling are served first come, first served (`startsOn`, then
 *   `recordedOrder`; for EI the premium's due date first). A contract is funded whole or not at all:
 *   one that does not fit in what remains is refused (`envelope_exhausted`) or not funded
 *   (`ceiling_reached`), and what remains still serves later, smaller contracts, as a funder
 *   deciding each contract on arrival would.
 * - One reason per refused line, the first that applies in this order: not RSA socle, hours below
 *   the minimum (or, for EI, ending before the premium month), then the envelope or ceiling.
 *   Ineligible contracts consume nothing.
 * - ACI: counted in the year of `startsOn`, whatever the contract's later length; prorated by
 *   weekly hours / full time, capped at one full-time equivalent.
 * - EI: the premium is due on start + (premiumFromMonth − 1) months (a day missing in the target
 *   month gives its last day: 31 August + 6 months = 28 February), in the year of that date, if
 *   the contract's last known day (`endedOn`, else `plannedEndOn`) is not before it. A running
 *   contract is taken to last until its planned end; recording an early end later removes the
 *   premium from the recomputed report. One premium per contract.
 * - EBE: the participation is a fixed annual figure; the lines are the CDI_EBE hires of the year
 *   (`startsOn` in the year), and `activeContractsCount` counts the EBE contracts running at some
 *   point of the year.
 * - `territory` narrows the lines and the counts and amounts derived from them, but envelopes and
 *   ceilings are départemental: they are always consumed by every contract of the département, so
 *   a territory sees the same funding decisions as the whole report, and the same `remainingCents`.
 */

export type CaomVolet = 'pec' | 'aci' | 'ei' | 'ebe';
export type PecRefusalReason = 'not_rsa_socle' | 'hours_below_minimum' | 'envelope_exhausted';
export type AciRefusalReason = 'not_rsa_socle';
export type EiRefusalReason = 'not_rsa_socle' | 'ends_before_premium_month';
export type EiNotFundedReason = 'ceiling_reached';
export type CaomReason = PecRefusalReason | AciRefusalReason | EiRefusalReason | EiNotFundedReason;

interface CaomLineBase {
  readonly parcoursId: string;
  readonly contractId: string;
  readonly territory: string;
  readonly employerPartnerId: string | null;
  readonly employerSiret: string | null;
  readonly startsOn: string;
  /** The contract's last known day: `endedOn`, else `plannedEndOn`; null while open-ended. */
  readonly endsOn: string | null;
  readonly weeklyHours: number;
  readonly rsaSocleAtStart: boolean;
}

export interface PecLine extends CaomLineBase {
  readonly volet: 'pec';
  readonly envelope: PecEnvelope;
  /** The part of the funded period that falls in the year. */
  readonly periodInYear: { readonly from: string; readonly to: string };
  /** For display only (two decimals); amounts come from the exact fraction. */
  readonly monthsInYear: number;
  /** What the contract would commit in the year if funded. */
  readonly requestedCents: number;
  readonly committedCents: number;
  readonly status: 'funded' | 'refused';
  readonly reason: PecRefusalReason | null;
}

export interface AciLine extends CaomLineBase {
  readonly volet: 'aci';
  /** Exact: weekly hours / full-time hours, capped at 1 (24 h → 0.6857142857142857); rounded for display only. */
  readonly fullTimeEquivalent: number;
  readonly requestedCents: number;
  readonly committedCents: number;
  readonly status: 'funded' | 'refused';
  readonly reason: AciRefusalReason | null;
}

export interface EiLine extends CaomLineBase {
  readonly volet: 'ei';
  readonly premiumDueOn: string;
  readonly requestedCents: number;
  readonly committedCents: number;
  readonly status: 'funded' | 'refused' | 'not_funded';
  readonly reason: EiRefusalReason | EiNotFundedReason | null;
}

export interface EbeLine extends CaomLineBase {
  readonly volet: 'ebe';
  readonly status: 'hired';
  readonly reason: null;
}

export type CaomLine = PecLine | AciLine | EiLine | EbeLine;

export interface PecEnvelopeSummary {
  readonly envelope: PecEnvelope;
  readonly amountCents: number;
  readonly monthlyContributionCents: number;
  /** Counts and amounts of the lines in scope (the territory, when one is asked). */
  readonly fundedCount: number;
  readonly committedCents: number;
  readonly refusedCount: number;
  readonly refusedByReason: Readonly<Record<PecRefusalReason, number>>;
  /** Consumed by the whole département; `amountCents − envelopeCommittedCents = remainingCents`. */
  readonly envelopeCommittedCents: number;
  readonly remainingCents: number;
}

export interface CaomReport {
  readonly year: number;
  /** How the report rounds, stated with the figures so that a funder can recompute them. */
  readonly rounding: { readonly money: string; readonly fullTimeEquivalents: string };
  readonly territory: string | null;
  readonly policy: {
    readonly version: string;
    readonly departement: string;
    readonly label: string;
    readonly validFrom: string;
    readonly validTo: string | null;
  };
  readonly pec: {
    readonly minimumWeeklyHours: number;
    readonly envelopes: Readonly<Record<PecEnvelope, PecEnvelopeSummary>>;
    readonly fundedCount: number;
    readonly committedCents: number;
    readonly refusedCount: number;
    readonly lines: readonly PecLine[];
  };
  readonly aci: {
    readonly amountPerFullTimeEquivalentCents: number;
    readonly fullTimeWeeklyHours: number;
    readonly fundedCount: number;
    /** Exact sum of the funded lines' equivalents (81 h / 35 = 2.3142857142857145, not 2.31); round for display only. */
    readonly fullTimeEquivalents: number;
    readonly committedCents: number;
    readonly refusedCount: number;
    readonly lines: readonly AciLine[];
  };
  readonly ei: {
    readonly premiumCents: number;
    readonly premiumFromMonth: number;
    readonly ceilingCents: number;
    readonly fundedCount: number;
    readonly committedCents: number;
    readonly refusedCount: number;
    readonly notFundedCount: number;
    /** Consumed by the whole département; `ceilingCents − ceilingCommittedCents = remainingCents`. */
    readonly ceilingCommittedCents: number;
    readonly remainingCents: number;
    readonly lines: readonly EiLine[];
  };
  readonly ebe: {
    readonly participationCents: number;
    readonly recipient: string;
    readonly hiresCount: number;
    readonly activeContractsCount: number;
    readonly lines: readonly EbeLine[];
  };
}

export interface CaomReportOptions {
  readonly territory?: string;
}

export function computeCaomReport(
  facts: readonly CaomContractFact[],
  policy: CaomPolicy,
  year: number,
  options: CaomReportOptions = {},
): CaomReport {
  const yearStart = `${year}-01-01`;
  const yearEnd = `${year}-12-31`;
  if (!Number.isInteger(year) || year < 1000 || year > 9999) throw new RangeError(`year must be a four-digit integer, got ${year}`);
  if (policy.validFrom > yearEnd || (policy.validTo !== null && policy.validTo < yearStart)) {
    throw new RangeError(`CAOM policy ${policy.version} (${policy.source}) is not in force in ${year}`);
  }
  facts.forEach(checkFact);
  const ordered = [...facts].sort(firstComeFirstServed);
  const inScope = (line: { territory: string }): boolean => options.territory === undefined || line.territory === options.territory;

  const pec = pecVolet(ordered, policy, yearStart, yearEnd);
  const pecLines = pec.lines.filter(inScope);
  const aciLines = aciVolet(ordered, policy, yearStart, yearEnd).filter(inScope);
  const ei = eiVolet(ordered, policy, yearStart, yearEnd);
  const eiLines = ei.lines.filter(inScope);
  const ebeFacts = ordered.filter((fact) => fact.kind === 'CDI_EBE' && inScope(fact));
  const ebeLines = ebeFacts
    .filter((fact) => yearStart <= fact.startsOn && fact.startsOn <= yearEnd)
    .map((fact): EbeLine => ({ ...lineBase(fact), volet: 'ebe', status: 'hired', reason: null }));

  const envelopes = Object.fromEntries(
    PEC_ENVELOPES.map((envelope) => {
      const lines = pecLines.filter((line) => line.envelope === envelope);
      const refused = lines.filter((line) => line.status === 'refused');
      const { amountCents, monthlyContributionCents } = policy.volets.pec.envelopes[envelope];
      const summary: PecEnvelopeSummary = {
        envelope,
        amountCents,
        monthlyContributionCents,
        fundedCount: lines.length - refused.length,
        committedCents: sum(lines.map((line) => line.committedCents)),
        refusedCount: refused.length,
        refusedByReason: {
          not_rsa_socle: refused.filter((line) => line.reason === 'not_rsa_socle').length,
          hours_below_minimum: refused.filter((line) => line.reason === 'hours_below_minimum').length,
          envelope_exhausted: refused.filter((line) => line.reason === 'envelope_exhausted').length,
        },
        envelopeCommittedCents: pec.committed[envelope],
        remainingCents: amountCents - pec.committed[envelope],
      };
      return [envelope, summary];
    }),
  ) as Record<PecEnvelope, PecEnvelopeSummary>;

  const { aci: aciPolicy, ei: eiPolicy, ebe: ebePolicy } = policy.volets;
  const fundedAci = aciLines.filter((line) => line.status === 'funded');
  const fundedAciHundredths = sum(fundedAci.map((line) => cappedHundredths(line.weeklyHours, aciPolicy.fullTimeWeeklyHours)));
  return {
    year,
    rounding: CAOM_ROUNDING,
    territory: options.territory ?? null,
    policy: {
      version: policy.version,
      departement: policy.departement,
      label: policy.label,
      validFrom: policy.validFrom,
      validTo: policy.validTo,
    },
    pec: {
      minimumWeeklyHours: policy.volets.pec.minimumWeeklyHours,
      envelopes,
      fundedCount: count(pecLines, 'funded'),
      committedCents: sum(pecLines.map((line) => line.committedCents)),
      refusedCount: count(pecLines, 'refused'),
      lines: pecLines,
    },
    aci: {
      amountPerFullTimeEquivalentCents: aciPolicy.amountPerFullTimeEquivalentCents,
      fullTimeWeeklyHours: aciPolicy.fullTimeWeeklyHours,
      fundedCount: fundedAci.length,
      fullTimeEquivalents: fundedAciHundredths / hundredths(aciPolicy.fullTimeWeeklyHours),
      committedCents: sum(aciLines.map((line) => line.committedCents)),
      refusedCount: count(aciLines, 'refused'),
      lines: aciLines,
    },
    ei: {
      premiumCents: eiPolicy.premiumCents,
      premiumFromMonth: eiPolicy.premiumFromMonth,
      ceilingCents: eiPolicy.ceilingCents,
      fundedCount: count(eiLines, 'funded'),
      committedCents: sum(eiLines.map((line) => line.committedCents)),
      refusedCount: count(eiLines, 'refused'),
      notFundedCount: count(eiLines, 'not_funded'),
      ceilingCommittedCents: ei.committed,
      remainingCents: eiPolicy.ceilingCents - ei.committed,
      lines: eiLines,
    },
    ebe: {
      participationCents: ebePolicy.participationCents,
      recipient: ebePolicy.recipient,
      hiresCount: ebeLines.length,
      activeContractsCount: ebeFacts.filter((fact) => fact.startsOn <= yearEnd && (lastKnownDay(fact) ?? yearEnd) >= yearStart).length,
      lines: ebeLines,
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Volets

function pecVolet(
  ordered: readonly CaomContractFact[],
  policy: CaomPolicy,
  yearStart: string,
  yearEnd: string,
): { lines: PecLine[]; committed: Record<PecEnvelope, number> } {
  const pec = policy.volets.pec;
  const committed: Record<PecEnvelope, number> = { jeunes: 0, hors_jeunes: 0 };
  const lines: PecLine[] = [];
  for (const fact of ordered) {
    if (fact.kind !== 'PEC') continue;
    // The funding stops at the planned end even if the contract went on (see the module comment).
    const fundedUntil = earliest(fact.plannedEndOn, fact.endedOn) ?? yearEnd;
    const from = fact.startsOn > yearStart ? fact.startsOn : yearStart;
    const to = fundedUntil < yearEnd ? fundedUntil : yearEnd;
    if (from > to) continue;
    const months = monthsBetween(from, to);
    const envelope: PecEnvelope = fact.beneficiaryUnder26AtStart ? 'jeunes' : 'hors_jeunes';
    const { amountCents, monthlyContributionCents } = pec.envelopes[envelope];
    const requestedCents = divideRoundHalfUp(BigInt(monthlyContributionCents) * months.numerator, months.denominator);
    let reason: PecRefusalReason | null = null;
    if (pec.rsaSocleRequired && !fact.rsaSocleAtStart) reason = 'not_rsa_socle';
    else if (hundredths(fact.weeklyHours) < hundredths(pec.minimumWeeklyHours)) reason = 'hours_below_minimum';
    else if (requestedCents > amountCents - committed[envelope]) reason = 'envelope_exhausted';
    if (reason === null) committed[envelope] += requestedCents;
    lines.push({
      ...lineBase(fact),
      volet: 'pec',
      envelope,
      periodInYear: { from, to },
      monthsInYear: divideRoundHalfUp(months.numerator * 100n, months.denominator) / 100,
      requestedCents,
      committedCents: reason === null ? requestedCents : 0,
      status: reason === null ? 'funded' : 'refused',
      reason,
    });
  }
  return { lines, committed };
}

function aciVolet(ordered: readonly CaomContractFact[], policy: CaomPolicy, yearStart: string, yearEnd: string): AciLine[] {
  const aci = policy.volets.aci;
  const fullTime = BigInt(hundredths(aci.fullTimeWeeklyHours));
  return ordered
    .filter((fact) => fact.kind === 'CDDI' && fact.structureKind === 'ACI' && yearStart <= fact.startsOn && fact.startsOn <= yearEnd)
    .map((fact): AciLine => {
      const worked = BigInt(cappedHundredths(fact.weeklyHours, aci.fullTimeWeeklyHours));
      const requestedCents = divideRoundHalfUp(BigInt(aci.amountPerFullTimeEquivalentCents) * worked, fullTime);
      const reason: AciRefusalReason | null = aci.rsaSocleRequired && !fact.rsaSocleAtStart ? 'not_rsa_socle' : null;
      return {
        ...lineBase(fact),
        volet: 'aci',
        fullTimeEquivalent: Number(worked) / Number(fullTime),
        requestedCents,
        committedCents: reason === null ? requestedCents : 0,
        status: reason === null ? 'funded' : 'refused',
        reason,
      };
    });
}

function eiVolet(
  ordered: readonly CaomContractFact[],
  policy: CaomPolicy,
  yearStart: string,
  yearEnd: string,
): { lines: EiLine[]; committed: number } {
  const ei = policy.volets.ei;
  const due = ordered
    .filter((fact) => fact.kind === 'CDDI' && fact.structureKind === 'EI')
    .map((fact) => ({ fact, premiumDueOn: addMonths(fact.startsOn, ei.premiumFromMonth - 1) }))
    .filter(({ premiumDueOn }) => yearStart <= premiumDueOn && premiumDueOn <= yearEnd)
    // Stable sort: same due date keeps the first-come-first-served order of `ordered`.
    .sort((a, b) => compareStrings(a.premiumDueOn, b.premiumDueOn));
  let committed = 0;
  const lines = due.map(({ fact, premiumDueOn }): EiLine => {
    const lastDay = lastKnownDay(fact);
    let status: EiLine['status'] = 'funded';
    let reason: EiLine['reason'] = null;
    if (ei.rsaSocleRequired && !fact.rsaSocleAtStart) [status, reason] = ['refused', 'not_rsa_socle'];
    else if (lastDay !== null && lastDay < premiumDueOn) [status, reason] = ['refused', 'ends_before_premium_month'];
    else if (ei.premiumCents > ei.ceilingCents - committed) [status, reason] = ['not_funded', 'ceiling_reached'];
    if (status === 'funded') committed += ei.premiumCents;
    return {
      ...lineBase(fact),
      volet: 'ei',
      premiumDueOn,
      requestedCents: ei.premiumCents,
      committedCents: status === 'funded' ? ei.premiumCents : 0,
      status,
      reason,
    };
  });
  return { lines, committed };
}

function lineBase(fact: CaomContractFact): CaomLineBase {
  return {
    parcoursId: fact.parcoursId,
    contractId: fact.contractId,
    territory: fact.territory,
    employerPartnerId: fact.employerPartnerId,
    employerSiret: fact.employerSiret,
    startsOn: fact.startsOn,
    endsOn: lastKnownDay(fact),
    weeklyHours: fact.weeklyHours,
    rsaSocleAtStart: fact.rsaSocleAtStart,
  };
}

// ---------------------------------------------------------------------------------------------
// Facts, order, arithmetic

function checkFact(fact: CaomContractFact): void {
  const problems: string[] = [];
  if (!isBusinessDate(fact.startsOn)) problems.push(`startsOn "${fact.startsOn}"`);
  if (fact.plannedEndOn !== null && !isBusinessDate(fact.plannedEndOn)) problems.push(`plannedEndOn "${fact.plannedEndOn}"`);
  if (fact.endedOn !== null && !isBusinessDate(fact.endedOn)) problems.push(`endedOn "${fact.endedOn}"`);
  if (!Number.isFinite(fact.weeklyHours) || fact.weeklyHours < 0) problems.push(`weeklyHours ${fact.weeklyHours}`);
  // A malformed fact is a projection bug: a funding report silently missing a contract is worse.
  if (problems.length > 0) throw new RangeError(`CAOM fact ${fact.parcoursId}/${fact.contractId} is malformed: ${problems.join(', ')}`);
}

function firstComeFirstServed(a: CaomContractFact, b: CaomContractFact): number {
  return (
    compareStrings(a.startsOn, b.startsOn) ||
    a.recordedOrder - b.recordedOrder ||
    compareStrings(a.parcoursId, b.parcoursId) ||
    compareStrings(a.contractId, b.contractId)
  );
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function lastKnownDay(fact: CaomContractFact): string | null {
  return fact.endedOn ?? fact.plannedEndOn;
}

function earliest(a: string | null, b: string | null): string | null {
  if (a === null) return b;
  if (b === null) return a;
  return a < b ? a : b;
}

function count(lines: readonly { status: string }[], status: string): number {
  return lines.filter((line) => line.status === status).length;
}

function sum(values: readonly number[]): number {
  return values.reduce((total, value) => total + value, 0);
}

/** The rounding rules, as the report states them (module comment). */
export const CAOM_ROUNDING = {
  money:
    'Integer euro cents. A prorated amount (ACI: amount per FTE × weekly hours / full-time hours; PEC: monthly contribution × months in the year) is computed exactly and rounded once per contract line, half up to the cent; totals and remainders are sums and differences of those rounded lines, never rounded again.',
  fullTimeEquivalents: 'Exact (weekly hours / full-time hours, capped at 1 per line; the total is the exact sum); rounded only where displayed, to two decimals.',
} as const;

/** Hours counted in hundredths, so that 17,5 h prorates without floating point. */
function hundredths(hours: number): number {
  return Math.round(hours * 100);
}

function cappedHundredths(hours: number, fullTime: number): number {
  return Math.min(hundredths(hours), hundredths(fullTime));
}

/** Half up, for non-negative operands; BigInt so that no intermediate product loses a cent. */
function divideRoundHalfUp(numerator: bigint, denominator: bigint): number {
  return Number((2n * numerator + denominator) / (2n * denominator));
}

interface Fraction {
  readonly numerator: bigint;
  readonly denominator: bigint;
}

/** Calendar months from `from` to `to` (same year, both included), a partial month by its days. */
function monthsBetween(from: string, to: string): Fraction {
  const [year, firstMonth, firstDay] = dateParts(from);
  const [, lastMonth, lastDay] = dateParts(to);
  let result: Fraction = { numerator: 0n, denominator: 1n };
  for (let month = firstMonth; month <= lastMonth; month++) {
    const days = daysInMonth(year, month);
    const covered = (month === lastMonth ? lastDay : days) - (month === firstMonth ? firstDay : 1) + 1;
    result = add(result, { numerator: BigInt(covered), denominator: BigInt(days) });
  }
  return result;
}

function add(a: Fraction, b: Fraction): Fraction {
  const numerator = a.numerator * b.denominator + b.numerator * a.denominator;
  const denominator = a.denominator * b.denominator;
  const divisor = gcd(numerator, denominator);
  return { numerator: numerator / divisor, denominator: denominator / divisor };
}

function gcd(a: bigint, b: bigint): bigint {
  return b === 0n ? a : gcd(b, a % b);
}

function dateParts(date: string): [number, number, number] {
  return [Number(date.slice(0, 4)), Number(date.slice(5, 7)), Number(date.slice(8, 10))];
}
