/**
 * Calendar arithmetic on business dates (`YYYY-MM-DD`, Europe/Paris), for the continuity rules.
 *
 * A business date never was an instant, so no `Date` is involved: a date maps to a *day number*
 * (days since 1970-01-01 in the proleptic Gregorian calendar, as if at UTC midnight) through
 * integer arithmetic (H. Hinnant's `days_from_civil`). No time zone or daylight-saving change can
 * move a day, and the audit of a whole territory does not pay for `Date` parsing.
 */
import { daysInMonth, isBusinessDate } from './business-date.js';

/** Days since 1970-01-01; differences of day numbers count calendar days. */
export type DayNumber = number;

export interface CivilDate {
  year: number;
  month: number;
  day: number;
}

/** The day number of a business date. The date is trusted: validate foreign input with `isBusinessDate` first. */
export function dayNumber(date: string): DayNumber {
  return daysFromCivil(Number(date.slice(0, 4)), Number(date.slice(5, 7)), Number(date.slice(8, 10)));
}

/** The business date of a day number. */
export function isoDate(day: DayNumber): string {
  const { year, month, day: dayOfMonth } = civilFromDays(day);
  return `${String(year).padStart(4, '0')}-${month < 10 ? '0' : ''}${month}-${dayOfMonth < 10 ? '0' : ''}${dayOfMonth}`;
}

export function addDays(date: string, days: number): string {
  return isoDate(dayNumber(date) + days);
}

/**
 * Calendar months, clamped to the end of the target month: 2025-01-31 + 1 month = 2025-02-28,
 * as a caseworker reads "within a month" (and as D. 5411-14-1-style deadlines are counted).
 */
export function addMonths(date: string, months: number): string {
  return isoDate(addMonthsToDay(dayNumber(date), months));
}

export function addMonthsToDay(day: DayNumber, months: number): DayNumber {
  const civil = civilFromDays(day);
  const monthIndex = civil.year * 12 + (civil.month - 1) + months;
  const year = Math.floor(monthIndex / 12);
  const month = monthIndex - year * 12 + 1;
  return daysFromCivil(year, month, Math.min(civil.day, daysInMonth(year, month)));
}

/** Calendar days from `from` to `to` (negative when `to` is earlier). */
export function daysBetween(from: string, to: string): number {
  return dayNumber(to) - dayNumber(from);
}

/** Throws on anything but a valid calendar date: an audit date comes from outside the domain. */
export function assertBusinessDate(date: string, name: string): void {
  if (!isBusinessDate(date)) throw new RangeError(`${name} must be a calendar date YYYY-MM-DD, got "${date}"`);
}

export function daysFromCivil(year: number, month: number, day: number): DayNumber {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146097 + dayOfEra - 719468;
}

export function civilFromDays(dayNumberValue: DayNumber): CivilDate {
  const z = dayNumberValue + 719468;
  const era = Math.floor(z / 146097);
  const dayOfEra = z - era * 146097;
  const yearOfEra = Math.floor((dayOfEra - Math.floor(dayOfEra / 1460) + Math.floor(dayOfEra / 36524) - Math.floor(dayOfEra / 146096)) / 365);
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const shiftedMonth = Math.floor((5 * dayOfYear + 2) / 153);
  const day = dayOfYear - Math.floor((153 * shiftedMonth + 2) / 5) + 1;
  const month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9;
  return { year: yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day };
}
