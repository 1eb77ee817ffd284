import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { ProblemError } from '../../http/problem.js';

/**
 * Requests per minute per partner organisation, all its people and systems together, so that one
 * partner's runaway synchronisation cannot starve the 40 others. Counted per instance: behind a
 * load balancer of n instances the effective limit is n times the configured one.
 */
export class PartnerRateLimiter {
  private readonly limiter: RateLimiterMemory;

  constructor(perMinute: number) {
    this.limiter = new RateLimiterMemory({ points: perMinute, duration: 60 });
  }

  async consume(partnerId: string): Promise<void> {
    try {
      await this.limiter.consume(partnerId);
    } catch (rejection) {
      if (!(rejection instanceof RateLimiterRes)) throw rejection;
      const retryAfterSeconds = Math.max(1, Math.ceil(rejection.msBeforeNext / 1000));
      throw new ProblemError(429, 'rate_limited', 'Too many requests for your organisation', `retry in ${retryAfterSeconds} s`, {
        retryAfterSeconds,
      });
    }
  }
}
