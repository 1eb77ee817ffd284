import { isBusinessDate } from '../../kernel/business-date.js';
import { ParcoursRuleError } from './errors.js';
import type { AgeBand } from './events.js';

/**
 * Ages from ISO calendar dates, for the application layer, which holds the decrypted birth date:
 * events keep only what statistics need (an age band, an under-26 flag), so they outlive erasure.
 * A birthday is reached on its calendar day; someone born on 29 February gets a year older on
 * 1 March in common years, as French civil law counts it.
 */
export function ageOn(birthDate: string, date: string): number {
  if (!isBusinessDate(birthDate)) throw new RangeError(`birth date must be a calendar date YYYY-MM-DD, got "${birthDate}"`);
  if (!isBusinessDate(date)) throw new RangeError(`date must be a calendar date YYYY-MM-DD, got "${date}"`);
  if (date < birthDate) throw new RangeError(`${date} is before the birth date ${birthDate}`);
  const years = Number(date.slice(0, 4)) - Number(birthDate.slice(0, 4));
  // "MM-DD" strings compare in calendar order; 02-29 sorts after 02-28, so 1 March is the birthday.
  return date.slice(5) < birthDate.slice(5) ? years - 1 : years;
}

/**
 * The CAOM *jeunes* envelope: under 26 at the start of the contract. A start before the birth
 * (hence before the entry) is the decider's to refuse; asked here first, it is simply not 26 yet.
 */
export function isUnder26On(birthDate: string, date: string): boolean {
  return date < birthDate || ageOn(birthDate, date) < 26;
}

/**
 * The age band at entry that ParcoursOpened and IdentityRectified record. The application layer
 * computes it, since only it holds the decrypted birth date; a birth date after the entry is a
 * rule of the parcours, refused like the decider's (422), before anything is encrypted or written.
 * The message names no date: the dates are personal data.
 */
export function ageBandAtEntry(birthDate: string, entryOn: string): AgeBand {
  if (birthDate > entryOn) throw new ParcoursRuleError('birth_date_after_entry', 'the birth date is after the entry date of the parcours');
  return ageBandOn(birthDate, entryOn);
}

export function ageBandOn(birthDate: string, date: string): AgeBand {
  const age = ageOn(birthDate, date);
  if (age < 26) return 'under_26';
  return age < 50 ? '26_to_49' : '50_and_over';
}
