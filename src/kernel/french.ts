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
