import { ProblemError } from '../../http/problem.js';
import type { SharedRateCounter } from '../../http/rate-limits.js';

/**
 * Requests per minute per partner organisation, all its people and systems together, so that one
 * partner's runaway synchronisation cannot starve the 40 others. Counted across the instances of
 * the service (see SharedRateCounter).
 */
export class PartnerRateLimiter {
  constructor(private readonly counter: SharedRateCounter, private readonly perMinute: number) {}

  consume(partnerId: string): void {
    const retryAfterSeconds = this.counter.hit(`org:${partnerId}`, this.perMinute);
    if (retryAfterSeconds === undefined) return;
    throw new ProblemError(429, 'rate_limited', 'Too many requests for your organisation', `retry in ${retryAfterSeconds} s`, {
      retryAfterSeconds,
    });
  }
}
