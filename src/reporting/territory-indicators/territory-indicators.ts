import { dayNumber } from '../../kernel/calendar.js';
import { daysInMonth } from '../../kernel/business-date.js';
import {
  EMPLOYMENT_CONTRACT_KINDS,
  EXIT_CATEGORIES,
  PARCOURS_TYPES,
  type EmploymentContractKind,
  type ExitCategory,
  type ParcoursType,
} from '../../parcours/domain/events.js';
import { LEGACY_CONTRACT_VALID_UNTIL, PLEIN_EMPLOI_FROM, REGIMES, type Regime, regimeOfParcours } from '../../parcours/domain/regimes.js';
import { excelCsvText } from '../../kernel/csv.js';
import type { ExitFact, ParcoursFacts } from './territory-indicators.projection.js';

/**
 * The `territory_indicators` report: per EPCI and calendar month, how the SPIE is doing. A pure
 * function of the parcours documents, computed at query time.
 *
 * Definitions (each one is tested):
 * - A fact counts in the month of its business date: entries by `entryOn`, orientations by the
 *   first decision's `decidedOn` (reorientations are counted apart and are not orientations), first
 *   accompaniments by their date, employment contracts by `startsOn`, exits by `exitedOn`.
 * - Delays are calendar days. Entry→orientation: from `entryOn` to the first orientation, over the
 *   parcours oriented in the month. Orientation→first accompaniment: from the first orientation to
 *   the first accompaniment appointment attended (`seen`) on or after it, over the parcours whose
 *   first accompaniment fell in the month.
 * - Percentiles are nearest-rank: with the n delays sorted ascending, the p-th percentile is the
 *   value of rank ⌈p × n / 100⌉ (1-based). It is always an observed delay (whole days, no
 *   interpolation); the median is the 50th percentile, so for an even count it is the lower of the
 *   two middle values ([10, 20, 30, 40] → 20). With no delay, median and p90 are null.
 * - Open at month end: on the month's last day D, entered on or before D and not exited — an exit
 *   closes the parcours from `exitedOn` (included) until its reopening (`reopenedOn`, excluded). A
 *   parcours exited and reopened the same day is open; a suspended parcours is open (the
 *   suspension-remobilisation is part of the parcours, not an exit). An exit reopened with the
 *   reason `exit_recorded_in_error` never happened: it closes nothing and is not counted.
 * - With a référent at D: a référent assigned on or before D and not released on or before D (a
 *   same-day handover keeps the parcours accompanied).
 * - Valid engagement contract at D: one with `startsOn` ≤ D ≤ `endsOn`, not ended before D
 *   (`endedOn` is the last day covered, so a contract ended on D is still valid on D). A contract
 *   signed ahead of its start is not valid yet.
 * - Shares are among the parcours open at month end, rounded half up to 3 decimals; null when none
 *   is open. The numerators are given too, so that months and territories can be added up.
 * - Rows: every month of the range for each territory with at least one parcours (whatever its
 *   dates), months without activity included with zeros; sorted by territory, then month.
 * - By regime (regimes.ts, derived from the dates): the parcours open at month end D split by the
 *   regime they are under on D — `spie_2021` before 2025, `transition` for those open on
 *   1 January 2025 until 31 December 2026, `plein_emploi` otherwise — with their référent and valid
 *   contract counts.
 * - The transition: the parcours open on 1 January 2025 (entered before, not exited nor archived
 *   that day) count in the denominator whatever became of them; the numerator is those of them with
 *   a contrat d'engagement (kind CE) starting on or before D and on or before 31 December 2026 —
 *   "got a contrat d'engagement by the transition's end" is the figure of December 2026 and after.
 *   A CE's start stands for its signature (the read model keeps the period, not the signature day).
 */

export interface TerritoryIndicatorsQuery {
  /** First month, `YYYY-MM`. */
  readonly from: string;
  /** Last month, `YYYY-MM`, included. */
  readonly to: string;
  /** An EPCI code: only its parcours (and rows). */
  readonly territory?: string;
}

export interface DelayStatistics {
  readonly median: number | null;
  readonly p90: number | null;
  readonly count: number;
}

export interface TerritoryIndicatorRow {
  readonly territory: string;
  /** `YYYY-MM`. */
  readonly month: string;
  readonly entries: number;
  readonly orientationsByType: Readonly<Record<ParcoursType, number>>;
  /** Partner id → first orientations towards it; only partners with at least one. */
  readonly orientationsByOrganismeReferent: Readonly<Record<string, number>>;
  /** Accepted reorientations decided in the month. */
  readonly reorientations: number;
  readonly delayEntryToOrientationDays: DelayStatistics;
  readonly delayOrientationToFirstAccompanimentDays: DelayStatistics;
  readonly openAtMonthEnd: number;
  readonly withReferentAtMonthEnd: number;
  readonly withValidEngagementContractAtMonthEnd: number;
  /** 0..1, 3 decimals; null when no parcours is open at month end. */
  readonly shareWithReferent: number | null;
  readonly shareWithValidEngagementContract: number | null;
  readonly employmentContractsStartedByKind: Readonly<Record<EmploymentContractKind, number>>;
  readonly exitsByCategory: Readonly<Record<ExitCategory, number>>;
  /** The month-end counts by the regime each parcours is under that day (module comment). */
  readonly byRegimeAtMonthEnd: Readonly<Record<Regime, RegimeCounts>>;
  /** Parcours open on 1 January 2025 (the transition's population), and those of them with a contrat d'engagement by D (capped at the transition's end). */
  readonly transitionParcours: number;
  readonly transitionWithContratEngagement: number;
  /** 0..1, 3 decimals; null when the territory had no parcours open on 1 January 2025. */
  readonly shareTransitionWithContratEngagement: number | null;
}

export interface RegimeCounts {
  readonly open: number;
  readonly withReferent: number;
  readonly withValidEngagementContract: number;
}

/** A guard against a range that would make one request compute for minutes: 20 years of months. */
export const MAX_MONTHS = 240;

/** Nearest-rank percentile of values sorted ascending (see the module comment); null when empty. */
export function nearestRank(sorted: readonly number[], percentile: number): number | null {
  if (!(percentile > 0 && percentile <= 100)) throw new RangeError(`percentile must be in ]0, 100], got ${percentile}`);
  if (sorted.length === 0) return null;
  // p × n is an integer for integer p, so the division is exact or at least 1/100 away from one.
  const rank = Math.max(1, Math.ceil((percentile * sorted.length) / 100));
  return sorted[rank - 1] ?? null;
}

export function computeTerritoryIndicators(docs: readonly ParcoursFacts[], query: TerritoryIndicatorsQuery): TerritoryIndicatorRow[] {
  const first = monthIndexOf(query.from, 'from');
  const last = monthIndexOf(query.to, 'to');
  if (last < first) throw new RangeError(`to (${query.to}) is before from (${query.from})`);
  const months = last - first + 1;
  if (months > MAX_MONTHS) throw new RangeError(`at most ${MAX_MONTHS} months per report, asked ${months}`);
  const monthEnds = Array.from({ length: months }, (_, offset) => lastDayOfMonth(first + offset));

  const byTerritory = new Map<string, MonthTally[]>();
  for (const doc of docs) {
    if (query.territory !== undefined && doc.territory !== query.territory) continue;
    let tallies = byTerritory.get(doc.territory);
    if (tallies === undefined) {
      tallies = Array.from({ length: months }, newTally);
      byTerritory.set(doc.territory, tallies);
    }
    tallyDoc(doc, tallies, first, monthEnds);
  }

  const rows: TerritoryIndicatorRow[] = [];
  for (const territory of [...byTerritory.keys()].sort(compareStrings)) {
    const tallies = byTerritory.get(territory) ?? [];
    tallies.forEach((tally, offset) => rows.push(rowOf(territory, monthLabel(first + offset), tally)));
  }
  return rows;
}

// ---------------------------------------------------------------------------------------------
// One pass per document

interface MonthTally {
  entries: number;
  orientationsByType: Record<ParcoursType, number>;
  /** A Map: partner ids are caller-given and one could be "__proto__". */
  orientationsByOrganismeReferent: Map<string, number>;
  reorientations: number;
  entryToOrientation: number[];
  orientationToFirstAccompaniment: number[];
  open: number;
  withReferent: number;
  withValidEngagementContract: number;
  employmentContractsStartedByKind: Record<EmploymentContractKind, number>;
  exitsByCategory: Record<ExitCategory, number>;
  byRegime: Record<Regime, { open: number; withReferent: number; withValidEngagementContract: number }>;
  transitionParcours: number;
  transitionWithContratEngagement: number;
}

function newTally(): MonthTally {
  return {
    entries: 0,
    orientationsByType: zeros(PARCOURS_TYPES),
    orientationsByOrganismeReferent: new Map(),
    reorientations: 0,
    entryToOrientation: [],
    orientationToFirstAccompaniment: [],
    open: 0,
    withReferent: 0,
    withValidEngagementContract: 0,
    employmentContractsStartedByKind: zeros(EMPLOYMENT_CONTRACT_KINDS),
    exitsByCategory: zeros(EXIT_CATEGORIES),
    byRegime: {
      spie_2021: { open: 0, withReferent: 0, withValidEngagementContract: 0 },
      transition: { open: 0, withReferent: 0, withValidEngagementContract: 0 },
      plein_emploi: { open: 0, withReferent: 0, withValidEngagementContract: 0 },
    },
    transitionParcours: 0,
    transitionWithContratEngagement: 0,
  };
}

function tallyDoc(doc: ParcoursFacts, tallies: readonly MonthTally[], first: number, monthEnds: readonly string[]): void {
  const at = (date: string): MonthTally | undefined => tallies[monthIndex(date) - first];

  const entered = at(doc.entryOn);
  if (entered !== undefined) entered.entries += 1;

  const orientation = doc.orientation;
  if (orientation !== null) {
    const oriented = at(orientation.decidedOn);
    if (oriented !== undefined) {
      oriented.orientationsByType[orientation.parcoursType] += 1;
      const towards = orientation.organismeReferentId;
      oriented.orientationsByOrganismeReferent.set(towards, (oriented.orientationsByOrganismeReferent.get(towards) ?? 0) + 1);
      oriented.entryToOrientation.push(dayNumber(orientation.decidedOn) - dayNumber(doc.entryOn));
    }
    if (doc.firstAccompanimentOn !== null) {
      const seen = at(doc.firstAccompanimentOn);
      if (seen !== undefined) seen.orientationToFirstAccompaniment.push(dayNumber(doc.firstAccompanimentOn) - dayNumber(orientation.decidedOn));
    }
  }
  for (const reorientation of doc.reorientations) {
    const tally = at(reorientation.decidedOn);
    if (tally !== undefined) tally.reorientations += 1;
  }
  for (const contract of doc.employmentContracts) {
    const tally = at(contract.startsOn);
    if (tally !== undefined) tally.employmentContractsStartedByKind[contract.kind] += 1;
  }
  const exits = doc.exits.filter(happened);
  for (const exit of exits) {
    const tally = at(exit.exitedOn);
    if (tally !== undefined) tally.exitsByCategory[exit.category] += 1;
  }

  // The transition's population: open on 1 January 2025, counted in every month from then on.
  const inTransition = doc.entryOn < PLEIN_EMPLOI_FROM && !exits.some((exit) => closedOn(exit, PLEIN_EMPLOI_FROM)) && !archivedBy(doc, PLEIN_EMPLOI_FROM);
  if (inTransition) {
    for (let offset = Math.max(0, monthIndex(PLEIN_EMPLOI_FROM) - first); offset < monthEnds.length; offset++) {
      const day = monthEnds[offset] ?? '';
      const tally = tallies[offset];
      if (tally === undefined) continue;
      tally.transitionParcours += 1;
      const by = day < LEGACY_CONTRACT_VALID_UNTIL ? day : LEGACY_CONTRACT_VALID_UNTIL;
      if (doc.engagementContracts.some((contract) => contract.kind === 'CE' && contract.startsOn <= by)) tally.transitionWithContratEngagement += 1;
    }
  }

  // Starting at the entry's month skips the month ends before the entry: every later one is on or after it.
  for (let offset = Math.max(0, monthIndex(doc.entryOn) - first); offset < monthEnds.length; offset++) {
    const day = monthEnds[offset] ?? '';
    const tally = tallies[offset];
    if (tally === undefined || exits.some((exit) => closedOn(exit, day)) || archivedBy(doc, day)) continue;
    const regime = tally.byRegime[regimeOfParcours(doc.entryOn, inTransition, day)];
    tally.open += 1;
    regime.open += 1;
    if (doc.referentPeriods.some((period) => period.assignedOn <= day && (period.releasedOn === null || period.releasedOn > day))) {
      tally.withReferent += 1;
      regime.withReferent += 1;
    }
    if (doc.engagementContracts.some((contract) => contract.startsOn <= day && day <= contract.endsOn && (contract.endedOn === null || day <= contract.endedOn))) {
      tally.withValidEngagementContract += 1;
      regime.withValidEngagementContract += 1;
    }
  }
}

/** An exit undone as "recorded in error" is not a fact of the parcours. */
function happened(exit: ExitFact): boolean {
  return exit.reopenReason !== 'exit_recorded_in_error';
}

/** Archived on or before `day`; a document written before the archive date was kept has none. */
function archivedBy(doc: ParcoursFacts, day: string): boolean {
  return doc.archivedOn !== null && doc.archivedOn !== undefined && doc.archivedOn <= day;
}

function closedOn(exit: ExitFact, day: string): boolean {
  return exit.exitedOn <= day && (exit.reopenedOn === null || exit.reopenedOn > day);
}

function rowOf(territory: string, month: string, tally: MonthTally): TerritoryIndicatorRow {
  const byOrganisme = [...tally.orientationsByOrganismeReferent.entries()].sort(([a], [b]) => compareStrings(a, b));
  return {
    territory,
    month,
    entries: tally.entries,
    orientationsByType: tally.orientationsByType,
    // fromEntries defines own properties, so even a "__proto__" id stays a plain key.
    orientationsByOrganismeReferent: Object.fromEntries(byOrganisme),
    reorientations: tally.reorientations,
    delayEntryToOrientationDays: statistics(tally.entryToOrientation),
    delayOrientationToFirstAccompanimentDays: statistics(tally.orientationToFirstAccompaniment),
    openAtMonthEnd: tally.open,
    withReferentAtMonthEnd: tally.withReferent,
    withValidEngagementContractAtMonthEnd: tally.withValidEngagementContract,
    shareWithReferent: share(tally.withReferent, tally.open),
    shareWithValidEngagementContract: share(tally.withValidEngagementContract, tally.open),
    employmentContractsStartedByKind: tally.employmentContractsStartedByKind,
    exitsByCategory: tally.exitsByCategory,
    byRegimeAtMonthEnd: tally.byRegime,
    transitionParcours: tally.transitionParcours,
    transitionWithContratEngagement: tally.transitionWithContratEngagement,
    shareTransitionWithContratEngagement: share(tally.transitionWithContratEngagement, tally.transitionParcours),
  };
}

function statistics(delays: number[]): DelayStatistics {
  const sorted = delays.sort((a, b) => a - b);
  return { median: nearestRank(sorted, 50), p90: nearestRank(sorted, 90), count: sorted.length };
}

/** Half up to 3 decimals, in integers so that 1/2000 does not round the wrong way. */
function share(part: number, whole: number): number | null {
  if (whole === 0) return null;
  return Math.floor((2000 * part + whole) / (2 * whole)) / 1000;
}

// ---------------------------------------------------------------------------------------------
// Months: `year × 12 + month − 1`, so that a range is a run of integers

/** How many months a report from `from` to `to` (YYYY-MM, both included) covers; 0 or less when `to` is before `from`. */
export function monthsCovered(from: string, to: string): number {
  return monthIndexOf(to, 'to') - monthIndexOf(from, 'from') + 1;
}

function monthIndexOf(value: string, name: string): number {
  const match = /^(\d{4})-(\d{2})$/.exec(value);
  const month = Number(match?.[2]);
  if (match === null || month < 1 || month > 12) throw new RangeError(`${name} must be a month YYYY-MM, got "${value}"`);
  return Number(match[1]) * 12 + month - 1;
}

/** Of a business date (trusted: the reducer checked it). */
function monthIndex(date: string): number {
  return Number(date.slice(0, 4)) * 12 + Number(date.slice(5, 7)) - 1;
}

function monthLabel(index: number): string {
  return `${String(Math.floor(index / 12)).padStart(4, '0')}-${String((index % 12) + 1).padStart(2, '0')}`;
}

function lastDayOfMonth(index: number): string {
  const year = Math.floor(index / 12);
  const month = (index % 12) + 1;
  return `${monthLabel(index)}-${String(daysInMonth(year, month)).padStart(2, '0')}`;
}

function zeros<Key extends string>(keys: readonly Key[]): Record<Key, number> {
  return Object.fromEntries(keys.map((key) => [key, 0])) as Record<Key, number>;
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

// ---------------------------------------------------------------------------------------------
// CSV for Excel (French locale), as the CAOM export: `;` separator, comma decimals, no thousands
// separator, months as MM/YYYY (Excel FR reads them as dates, so a pivot table groups them), empty
// cells for "no value" (a median over no parcours, a share with none open). One row per territory
// and month, so that a pivot table adds the counts up (shares and medians cannot be added: the
// counts they come from are columns too).

export const TERRITORY_INDICATORS_CSV_HEADER = [
  'EPCI',
  'Mois',
  'Entrées',
  'Orientations emploi',
  'Orientations socio-professionnelles',
  'Orientations sociales',
  'Réorientations acceptées',
  'Délai entrée→orientation médian (j)',
  'Délai entrée→orientation p90 (j)',
  'Délai entrée→orientation : parcours',
  'Délai orientation→1er accompagnement médian (j)',
  'Délai orientation→1er accompagnement p90 (j)',
  'Délai orientation→1er accompagnement : parcours',
  'Parcours ouverts en fin de mois',
  'Avec référent en fin de mois',
  'Part avec référent',
  "Avec contrat d'engagement valide en fin de mois",
  "Part avec contrat d'engagement valide",
  'Contrats PEC',
  'Contrats CDDI',
  'Contrats CDI EBE',
  'Contrats CDI',
  'Contrats CDD',
  'Missions intérim',
  'Autres contrats',
  'Sorties emploi durable',
  'Sorties emploi de transition',
  'Sorties positives',
  'Autres sorties',
  'Ouverts en fin de mois : SPIE 2021',
  'Ouverts en fin de mois : transition',
  'Ouverts en fin de mois : loi plein emploi',
  'Avec référent : SPIE 2021',
  'Avec référent : transition',
  'Avec référent : loi plein emploi',
  "Avec contrat d'engagement valide : SPIE 2021",
  "Avec contrat d'engagement valide : transition",
  "Avec contrat d'engagement valide : loi plein emploi",
  'Parcours ouverts au 1er janvier 2025',
  "Dont avec un contrat d'engagement (CE)",
  "Part avec un contrat d'engagement (CE)",
] as const;

export interface TerritoryIndicatorsCsvOptions {
  /** Partner id → name, for the per-organisme columns; an unknown id is shown as is. */
  readonly partnerLabels?: ReadonlyMap<string, string>;
}

/**
 * Rows (header first) as string arrays. After the fixed columns, one column per organisme référent
 * found in any row ("Orientations vers …"), sorted by label, so that every row has the same cells.
 */
export function territoryIndicatorsToCsvRows(rows: readonly TerritoryIndicatorRow[], options: TerritoryIndicatorsCsvOptions = {}): string[][] {
  const label = (partnerId: string): string => options.partnerLabels?.get(partnerId) ?? partnerId;
  const partnerIds = [...new Set(rows.flatMap((row) => Object.keys(row.orientationsByOrganismeReferent)))].sort(
    (a, b) => compareStrings(label(a), label(b)) || compareStrings(a, b),
  );
  const csv: string[][] = [[...TERRITORY_INDICATORS_CSV_HEADER, ...partnerIds.map((partnerId) => `Orientations vers ${label(partnerId)}`)]];
  for (const row of rows) {
    const byOrganisme = new Map(Object.entries(row.orientationsByOrganismeReferent));
    const entryToOrientation = row.delayEntryToOrientationDays;
    const orientationToAccompaniment = row.delayOrientationToFirstAccompanimentDays;
    csv.push([
      row.territory,
      `${row.month.slice(5, 7)}/${row.month.slice(0, 4)}`,
      String(row.entries),
      ...PARCOURS_TYPES.map((type) => String(row.orientationsByType[type])),
      String(row.reorientations),
      optional(entryToOrientation.median),
      optional(entryToOrientation.p90),
      String(entryToOrientation.count),
      optional(orientationToAccompaniment.median),
      optional(orientationToAccompaniment.p90),
      String(orientationToAccompaniment.count),
      String(row.openAtMonthEnd),
      String(row.withReferentAtMonthEnd),
      optional(row.shareWithReferent),
      String(row.withValidEngagementContractAtMonthEnd),
      optional(row.shareWithValidEngagementContract),
      ...EMPLOYMENT_CONTRACT_KINDS.map((kind) => String(row.employmentContractsStartedByKind[kind])),
      ...EXIT_CATEGORIES.map((category) => String(row.exitsByCategory[category])),
      ...REGIMES.map((regime) => String(row.byRegimeAtMonthEnd[regime].open)),
      ...REGIMES.map((regime) => String(row.byRegimeAtMonthEnd[regime].withReferent)),
      ...REGIMES.map((regime) => String(row.byRegimeAtMonthEnd[regime].withValidEngagementContract)),
      String(row.transitionParcours),
      String(row.transitionWithContratEngagement),
      optional(row.shareTransitionWithContratEngagement),
      ...partnerIds.map((partnerId) => String(byOrganisme.get(partnerId) ?? 0)),
    ]);
  }
  return csv;
}

/** The CSV file for Excel FR: the CAOM export's writer (BOM, CRLF, quoting, formula guard). */
export function territoryIndicatorsCsvText(rows: readonly TerritoryIndicatorRow[], options: TerritoryIndicatorsCsvOptions = {}): string {
  return excelCsvText(territoryIndicatorsToCsvRows(rows, options));
}

/** Numbers as Excel FR reads them: "0,667", "12"; null as an empty cell. */
function optional(value: number | null): string {
  return value === null ? '' : String(value).replace('.', ',');
}
