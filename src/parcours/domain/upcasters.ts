import type { Upcaster } from '../../event-store/upcasters.js';
import { registeredAutomatically } from './regimes.js';

type Data = Record<string, unknown>;

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
  {
    // Version 2 states the automatic registration with France Travail. A version 1 parcours
    // opened in 2025 or later was registered on entry all the same: the law did it, not the app.
    type: 'ParcoursOpened',
    fromVersion: 1,
    upcast: (data: unknown) => {
      const entryOn = (data as Data).entryOn as string;
      return { ...(data as Data), franceTravailRegisteredOn: registeredAutomatically(entryOn) ? entryOn : null };
    },
  },
  {
    // Version 2 records the reduction or exemption of the activity hours; version 1 had none.
    type: 'EngagementContractSigned',
    fromVersion: 1,
    upcast: (data: unknown) => ({ ...(data as Data), activityHoursAdjustment: null }),
  },
  {
    // Version 2 records the share withheld (suspension-remobilisation, décret 2025-478); unknown before.
    type: 'ParcoursSuspended',
    fromVersion: 1,
    upcast: (data: unknown) => ({ ...(data as Data), withheldShare: null, plannedEndOn: null }),
  },
  {
    type: 'ParcoursResumed',
    fromVersion: 1,
    upcast: (data: unknown) => ({ ...(data as Data), reason: null }),
  },
]);
