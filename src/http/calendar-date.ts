import { ValidateBy, type ValidationOptions } from 'class-validator';
import { isBusinessDate } from '../kernel/business-date.js';

/**
 * The dates a request may state: any fact of a parcours, a birth date, an audit date. Year 0000
 * does not exist for PostgreSQL, and arithmetic near the ends of the calendar (24 months before
 * 0001-01-01, the deadlines after 9999-12-31) leaves it: a bound far from both refuses them with
 * a 400 instead of a 500.
 */
export const EARLIEST_DATE = '1900-01-01';
export const LATEST_DATE = '2999-12-31';

export function isCalendarDate(value: unknown): value is string {
  return typeof value === 'string' && isBusinessDate(value) && value >= EARLIEST_DATE && value <= LATEST_DATE;
}

/**
 * A calendar date `YYYY-MM-DD` that exists (no 30 February), from 1900 to 2999: a pattern alone
 * lets impossible dates through to the domain, where they would surface as a 500 instead of a 400.
 */
export function IsCalendarDate(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isCalendarDate',
      validator: {
        validate: isCalendarDate,
        defaultMessage: (args) => `${args?.property ?? 'date'} must be a calendar date YYYY-MM-DD, from ${EARLIEST_DATE} to ${LATEST_DATE}`,
      },
    },
    options,
  );
}

/**
 * An instant as RFC 3339 writes it (`2026-03-01T08:30:00Z`, `…+01:00`, fractions of a second
 * allowed), or a calendar date alone (midnight). Stricter than ISO 8601, which also lets through
 * week dates, ordinal dates and signed years (`-2021-01`) that PostgreSQL then refuses with a 500;
 * and the date must exist, within the bounds of `isCalendarDate`.
 */
const TIMESTAMP = /^(\d{4}-\d{2}-\d{2})(?:T([01]\d|2[0-3]):[0-5]\d(?::[0-5]\d(?:\.\d{1,9})?)?(?:Z|[+-](?:0\d|1[0-4]):[0-5]\d))?$/;

export function isTimestamp(value: string): boolean {
  const match = TIMESTAMP.exec(value);
  return match !== null && isCalendarDate(match[1]!);
}

export function IsTimestamp(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isTimestamp',
      validator: {
        validate: (value: unknown) => typeof value === 'string' && isTimestamp(value),
        defaultMessage: (args) => `${args?.property ?? 'date'} must be a date YYYY-MM-DD or an RFC 3339 date-time (2026-03-01T08:30:00Z)`,
      },
    },
    options,
  );
}
