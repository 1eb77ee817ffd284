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

export function parisDate(at: Date): string {
  return PARIS.format(at);
}
