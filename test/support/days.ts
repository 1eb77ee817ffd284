import { addDays } from '../../src/kernel/calendar.js';
import { parisDate } from '../../src/kernel/clock.js';

/**
 * For suites whose service runs on the real clock (deadlines counted to today, the web pages'
 * "today"): today in Paris when the suite was loaded, and the day `offset` days from it.
 */
export const today = parisDate(new Date());

export const day = (offset: number): string => addDays(today, offset);
