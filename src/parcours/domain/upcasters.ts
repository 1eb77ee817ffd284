import type { Upcaster } from '../../event-store/upcasters.js';

/**
 * Stored shapes older than the current ones, brought up to date on read (DESIGN §4). To register
 * on the store's upcaster registry wherever parcours events are read.
 */
export const PARCOURS_UPCASTERS: readonly Upcaster[] = Object.freeze([
  {
    type: 'ContactRecorded',
    fromVersion: 1,
    upcast: (data: unknown) => ({ ...(data as object), note: (data as { note?: unknown }).note ?? null }),
  },
]);
