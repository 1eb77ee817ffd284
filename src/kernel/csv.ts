/** Reports answer CSV when the caller asks for it first (`Accept: text/csv`), JSON otherwise. */
export function wantsCsv(accept: string | undefined): boolean {
  if (!accept) return false;
  const first = accept.split(',')[0]?.split(';')[0]?.trim().toLowerCase();
  return first === 'text/csv';
}

/**
 * The rows as a CSV file for Excel FR: a UTF-8 byte order mark (without it Excel reads the accents
 * as Windows-1252), CRLF line ends, fields quoted when they hold a separator, a quote or a line
 * end, and a leading apostrophe before `=`, `+`, `-`, `@` so that no caller-chosen identifier runs
 * as a formula.
 */
export function excelCsvText(rows: readonly (readonly string[])[]): string {
  return `\uFEFF${rows.map((row) => row.map(csvField).join(';')).join('\r\n')}\r\n`;
}

function csvField(value: string): string {
  const safe = /^[=+\-@]/.test(value) ? `'${value}` : value;
  return /[;"\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}
