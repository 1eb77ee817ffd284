/**
 * The two legal regimes a parcours may live under, derived from dates — never typed by hand, so
 * that nobody can file a 2026 parcours under the 2021 rules or the other way round.
 *
 * - `spie_2021`: the 2021 SPIE experimentation (CER with the Département under L. 262-35/36 CASF,
 *   PPAE with Pôle emploi), for every fact dated before 1 January 2025.
 * - `plein_emploi`: the *loi n° 2023-1196 du 18 décembre 2023 pour le plein emploi*, in force since
 *   1 January 2025 (décret n° 2024-1244 du 30 décembre 2024 relatif aux délais d'orientation et
 *   d'accompagnement; a second décret of the same day on registration, orientation and the contrat
 *   d'engagement): automatic registration with France Travail, the unified contrat d'engagement
 *   within one month of the notified orientation (D. 5411-14-1 code du travail), at least 15 hours
 *   of activity a week, lowered or waived by the person's situation.
 * - `transition`: a parcours already open on 1 January 2025 lives under the new law, but its référent
 *   has two years — until 1 January 2027 — to conclude a contrat d'engagement (décret n° 2024-1244);
 *   until then its CER or PPAE stays valid (`legacyContractValidUntil`).
 *
 * A date is a calendar date `YYYY-MM-DD`; ISO dates compare as strings.
 */
import { daysInMonth } from '../../kernel/business-date.js';
import type { EngagementContractKind } from './events.js';

export const REGIMES = ['spie_2021', 'transition', 'plein_emploi'] as const;
export type Regime = (typeof REGIMES)[number];

/** The first day of the plein-emploi law (loi 2023-1196, art. 2; décrets of 30 December 2024). */
export const PLEIN_EMPLOI_FROM = '2025-01-01';
/** The first day after the transition: a parcours open on 1 January 2025 has a contrat d'engagement by then (décret n° 2024-1244). */
export const TRANSITION_ENDS_ON = '2027-01-01';
/** The last day a CER or a PPAE signed under the 2021 rules still counts as a valid contract. */
export const LEGACY_CONTRACT_VALID_UNTIL = '2026-12-31';
/** The first day of the suspension-remobilisation sanction (décret n° 2025-478 du 30 mai 2025, in force on 1 June 2025). */
export const SUSPENSION_REMOBILISATION_FROM = '2025-06-01';

/** The regime whose rules a fact dated `date` falls under, whatever the parcours. */
export function regimeOfDate(date: string): 'spie_2021' | 'plein_emploi' {
  return date < PLEIN_EMPLOI_FROM ? 'spie_2021' : 'plein_emploi';
}

/**
 * The regime of a parcours on `date`: `entryOn` is its entry; `openOnTransitionDay` says whether it
 * was open (entered, not exited) on 1 January 2025 — for a parcours that exited in 2024 and reopened
 * in 2025 it is false, and the new law applies in full.
 */
export function regimeOfParcours(entryOn: string, openOnTransitionDay: boolean, date: string): Regime {
  if (date < PLEIN_EMPLOI_FROM) return 'spie_2021';
  if (entryOn < PLEIN_EMPLOI_FROM && openOnTransitionDay && date < TRANSITION_ENDS_ON) return 'transition';
  return 'plein_emploi';
}

/** The contract kinds a regime brings: CER and PPAE under the 2021 rules, the contrat d'engagement under the new law. */
const REGIME_CONTRACT_KINDS: Readonly<Record<'spie_2021' | 'plein_emploi', readonly EngagementContractKind[]>> = {
  spie_2021: ['CER', 'PPAE'],
  plein_emploi: ['CE'],
};

/**
 * Whether a contract of `kind` may be signed on `signedOn`: a CER or a PPAE before 2025, a contrat
 * d'engagement from 2025. The youth contracts (CEJ, PACEA) are the missions locales' and run on
 * under both regimes (the law keeps them as forms of the contrat d'engagement for the young).
 */
export function contractKindAllowedOn(kind: EngagementContractKind, signedOn: string): boolean {
  if (kind === 'CEJ' || kind === 'PACEA') return true;
  return REGIME_CONTRACT_KINDS[regimeOfDate(signedOn)].includes(kind);
}

/**
 * The last day a contract counts as valid: its own end, or for a CER or a PPAE the end of the
 * transition if that comes first (the two years to conclude a contrat d'engagement).
 */
export function effectiveContractEnd(kind: EngagementContractKind, endsOn: string): string {
  if ((kind === 'CER' || kind === 'PPAE') && endsOn > LEGACY_CONTRACT_VALID_UNTIL) return LEGACY_CONTRACT_VALID_UNTIL;
  return endsOn;
}

/** Whether the automatic registration with France Travail applies to a parcours opened on `entryOn` (L. 5411-5-1 code du travail, from 2025). */
export function registeredAutomatically(entryOn: string): boolean {
  return entryOn >= PLEIN_EMPLOI_FROM;
}

/** The longest suspension-remobilisation: four months, on a repeated breach (décret n° 2025-478). */
export const SANCTION_MAX_MONTHS = 4;

/** The last day a suspension-remobilisation starting on `suspendedOn` may be decided to last to (calendar months, clamped to the month's end). */
export function latestSanctionEnd(suspendedOn: string): string {
  const year = Number(suspendedOn.slice(0, 4));
  const month = Number(suspendedOn.slice(5, 7)) - 1 + SANCTION_MAX_MONTHS;
  const targetYear = year + Math.floor(month / 12);
  const targetMonth = (month % 12) + 1;
  const day = Math.min(Number(suspendedOn.slice(8, 10)), daysInMonth(targetYear, targetMonth));
  return `${String(targetYear).padStart(4, '0')}-${String(targetMonth).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}
