import { ProblemError } from '../../../http/problem.js';
import type { Principal } from '../../../access/principal.js';

/**
 * A client whose connection vanished without a close is noticed at the next keep-alive write
 * (every 15 s): the slot it holds is free by then.
 */
const RETRY_AFTER_SECONDS = 15;

/**
 * The feed streams each organisation and each caller (a person, or an API key) holds open, so
 * that one partner's reconnecting loop cannot hold every connection of the service. Counted on
 * each instance: a stream lives on one connection to one instance, and a crashed instance's
 * streams die with it, which a shared count would have to detect. Behind n instances an
 * organisation may hold up to n times its cap.
 */
export class FeedStreamSlots {
  private readonly byPartner = new Map<string, number>();
  private readonly byCaller = new Map<string, number>();

  constructor(private readonly perPartner: number, private readonly perCaller: number) {}

  /** A slot for the caller, or a 429 problem; the function it returns gives the slot back (once). */
  take(principal: Principal): () => void {
    const caller = principal.kind === 'api_key' ? `api_key:${principal.apiKeyId}` : `user:${principal.userId}`;
    if ((this.byCaller.get(caller) ?? 0) >= this.perCaller) throw tooMany(`you already hold ${this.perCaller} open feed streams`);
    if ((this.byPartner.get(principal.partnerId) ?? 0) >= this.perPartner) {
      throw tooMany(`your organisation already holds ${this.perPartner} open feed streams`);
    }
    add(this.byCaller, caller, 1);
    add(this.byPartner, principal.partnerId, 1);
    let held = true;
    return () => {
      if (!held) return;
      held = false;
      add(this.byCaller, caller, -1);
      add(this.byPartner, principal.partnerId, -1);
    };
  }
}

function add(counts: Map<string, number>, key: string, delta: number): void {
  const count = (counts.get(key) ?? 0) + delta;
  // No entry at zero: the maps hold the open streams only, not every caller ever seen.
  if (count > 0) counts.set(key, count);
  else counts.delete(key);
}

function tooMany(detail: string): ProblemError {
  return new ProblemError(429, 'too_many_streams', 'Too many open feed streams', `${detail}; close one, or retry later`, {
    retryAfterSeconds: RETRY_AFTER_SECONDS,
  });
}
