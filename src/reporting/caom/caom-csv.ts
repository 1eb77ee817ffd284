/**
 * The CAOM report as a CSV for Excel (French locale): `;` separator, comma decimals, dd/mm/yyyy
 * dates, no thousands separator (Excel FR would read "2 266,97" as text), one homogeneous row per
 * line so that a pivot table computes the totals. The computation is caom-report.ts'.
 */
import { euros, frenchDate, frenchNumber } from '../../kernel/french.js';
import type { PecEnvelope } from './caom-policy.js';
import type { CaomLine, CaomReason, CaomReport, CaomVolet } from './caom-report.js';

export const CAOM_CSV_HEADER = [
  'Volet',
  'Enveloppe',
  'Contrat',
  'Territoire',
  'Date de début',
  'Date de fin',
  'Heures hebdomadaires',
  "Mois retenus dans l'année",
  'Échéance de la prime',
  'Montant calculé (€)',
  'Montant engagé (€)',
  'Statut',
  'Motif',
] as const;

const VOLET_LABELS: Record<CaomVolet, string> = { pec: 'PEC', aci: 'ACI', ei: 'EI', ebe: 'EBE' };
const ENVELOPE_LABELS: Record<PecEnvelope, string> = {
  jeunes: 'Jeunes (moins de 26 ans au début du contrat)',
  hors_jeunes: 'Hors jeunes',
};
const STATUS_LABELS: Record<CaomLine['status'], string> = {
  funded: 'Financé',
  refused: 'Refusé',
  not_funded: 'Non financé',
  hired: 'Embauche en EBE',
};

function reasonLabel(reason: CaomReason, report: CaomReport): string {
  switch (reason) {
    case 'not_rsa_socle':
      return 'Non bénéficiaire du RSA socle au début du contrat';
    case 'hours_below_minimum':
      return `Moins de ${frenchNumber(report.pec.minimumWeeklyHours)} h hebdomadaires`;
    case 'envelope_exhausted':
      return 'Enveloppe épuisée';
    case 'ends_before_premium_month':
      return `Contrat terminé avant le ${report.ei.premiumFromMonth}e mois`;
    case 'ceiling_reached':
      return 'Plafond annuel atteint';
  }
}

/** Rows (header first) as string arrays; join them with `excelCsvText` (kernel/csv.ts) or the HTTP layer's writer. */
export function caomReportToCsvRows(report: CaomReport): string[][] {
  const rows: string[][] = [[...CAOM_CSV_HEADER]];
  const lines: readonly CaomLine[] = [...report.pec.lines, ...report.aci.lines, ...report.ei.lines, ...report.ebe.lines];
  for (const line of lines) {
    const amounts = line.volet === 'ebe' ? ['', ''] : [euros(line.requestedCents), euros(line.committedCents)];
    rows.push([
      VOLET_LABELS[line.volet],
      line.volet === 'pec' ? ENVELOPE_LABELS[line.envelope] : '',
      line.contractId,
      line.territory,
      frenchDate(line.startsOn),
      line.endsOn === null ? '' : frenchDate(line.endsOn),
      frenchNumber(line.weeklyHours),
      line.volet === 'pec' ? frenchNumber(line.monthsInYear) : '',
      line.volet === 'ei' ? frenchDate(line.premiumDueOn) : '',
      ...amounts,
      STATUS_LABELS[line.status],
      line.reason === null ? '' : reasonLabel(line.reason, report),
    ]);
  }
  // The EBE participation is committed once for the year, not per contract.
  rows.push([
    VOLET_LABELS.ebe,
    '',
    '',
    '',
    '',
    '',
    '',
    '',
    '',
    euros(report.ebe.participationCents),
    euros(report.ebe.participationCents),
    STATUS_LABELS.funded,
    `Participation annuelle : ${report.ebe.recipient}`,
  ]);
  return rows;
}
