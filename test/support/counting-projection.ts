import type { DocumentProjection } from '../../src/projections/projection.js';

/**
 * Counts, per stream, the events applied to it: an event applied twice or missed shows in the
 * counts. `delayMs` widens each batch so that a test can kill the process in the middle of one.
 */
export function countingProjection(name: string, category: string, delayMs = 0): DocumentProjection<{ count: number }> {
  return {
    kind: 'document',
    name,
    schemaVersion: 1,
    categories: [category],
    eventTypes: ['Counted'],
    keyOf: (event) => event.streamId,
    reduce(doc) {
      if (delayMs) {
        const until = Date.now() + delayMs;
        while (Date.now() < until) {
          // Busy wait: the reducer is synchronous, and the point is to be slow inside the batch.
        }
      }
      return { count: (doc?.count ?? 0) + 1 };
    },
  };
}
