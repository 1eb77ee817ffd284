import { ValidateBy, type ValidationOptions } from 'class-validator';
import { isBusinessDate } from '../parcours/domain/business-date.js';

/**
 * A calendar date `YYYY-MM-DD` that exists (no 30 February): a pattern alone lets impossible
 * dates through to the domain, where they would surface as a 500 instead of a 400.
 */
export function IsCalendarDate(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isCalendarDate',
      validator: {
        validate: (value: unknown) => typeof value === 'string' && isBusinessDate(value),
        defaultMessage: (args) => `${args?.property ?? 'date'} must be a calendar date YYYY-MM-DD`,
      },
    },
    options,
  );
}
