/**
 * The audit timeline as a CSV file for Excel FR, with the conventions of the other exports
 * (`excelCsvText`: `;`, BOM, CRLF, formula guard). The HTML page renders these same rows as its
 * table, so that the two never disagree.
 */
import { excelCsvText } from '../../kernel/csv.js';
import { frenchDate, frenchDateTime } from '../../kernel/french.js';
import type { Timeline } from './timeline.js';
import { roleLabel } from './timeline-labels.js';

export const TIMELINE_CSV_HEADER = [
  'Date',
  'Enregistré le',
  'Version',
  'Événement',
  'Détail',
  'Organisation',
  'Rôle',
  'Identifiant',
  'Empreinte',
] as const;

/** Header first, then one row per entry in timeline order. */
export function timelineToCsvRows(timeline: Timeline): string[][] {
  const rows: string[][] = [[...TIMELINE_CSV_HEADER]];
  for (const entry of timeline.entries) {
    rows.push([
      frenchDate(entry.on),
      frenchDateTime(entry.recordedAt),
      String(entry.streamVersion),
      entry.title,
      entry.detail,
      entry.actor.partnerName ?? entry.actor.partnerId ?? '',
      roleLabel(entry.actor.role),
      entry.eventId,
      entry.hash,
    ]);
  }
  return rows;
}

export function timelineCsvText(timeline: Timeline): string {
  return excelCsvText(timelineToCsvRows(timeline));
}
