/** Numbers and dates as French exports write them (CSV for Excel FR, pages). */

/** Cents as euros with a decimal comma: 226697 → "2266,97" (no thousands separator: Excel FR reads it as a number). */
export function euros(cents: number): string {
  return `${Math.trunc(cents / 100)},${String(cents % 100).padStart(2, '0')}`;
}

/** Up to two decimals, trailing zeros dropped: 24 → "24", 17.5 → "17,5", 9.55 → "9,55". */
export function frenchNumber(value: number): string {
  return String(Math.round(value * 100) / 100).replace('.', ',');
}

/** 2026-03-01 → 01/03/2026. */
export function frenchDate(date: string): string {
  return `${date.slice(8, 10)}/${date.slice(5, 7)}/${date.slice(0, 4)}`;
}

const PARIS_DATE_TIME = new Intl.DateTimeFormat('en-CA', {
  timeZone: 'Europe/Paris',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
});

/** An instant as a Paris wall-clock time, `20/03/2026 19:00`; anything unparsable is returned as given. */
export function frenchDateTime(instant: string): string {
  const at = new Date(instant);
  if (Number.isNaN(at.getTime())) return instant;
  const parts = new Map(PARIS_DATE_TIME.formatToParts(at).map((part) => [part.type, part.value]));
  return `${parts.get('day')}/${parts.get('month')}/${parts.get('year')} ${parts.get('hour')}:${parts.get('minute')}`;
}
