/**
 * The time source, injected so that tests (and the continuity scheduler's tests) control it.
 * Business dates are calendar dates in Europe/Paris: a caseworker in Thiers at 00:30 on 1 March
 * works on 1 March, whatever UTC says.
 */
export abstract class Clock {
  abstract now(): Date;

  /** Today's business date in Europe/Paris, `YYYY-MM-DD`. */
  today(): string {
    return parisDate(this.now());
  }
}

export class SystemClock extends Clock {
  override now(): Date {
    return new Date();
  }
}

/** A clock that stays where it is told (tests). */
export class FixedClock extends Clock {
  constructor(private current: Date) {
    super();
  }

  override now(): Date {
    return new Date(this.current);
  }

  set(at: Date | string): void {
    this.current = new Date(at);
  }

  advanceDays(days: number): void {
    this.current = new Date(this.current.getTime() + days * 86_400_000);
  }
}

const PARIS = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Paris', year: 'numeric', month: '2-digit', day: '2-digit' });

/**
 * Formatting through the time-zone database costs microseconds, and a command asks several times
 * for the same day: the last answer is kept for its minute. Europe/Paris changes date only on a
 * whole minute (its offsets are whole hours), so every instant of one UTC minute has one date there.
 */
let lastMinute = Number.NaN;
let lastDate = '';

export function parisDate(at: Date): string {
  const minute = Math.floor(at.getTime() / 60_000);
  if (minute !== lastMinute) {
    lastDate = PARIS.format(at);
    lastMinute = minute;
  }
  return lastDate;
}
