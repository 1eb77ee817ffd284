/**
 * Test fixtures of the territory indicators: the document the projection keeps of a parcours, as
 * the report reads it. The calendar is the one of parcours.fixtures.ts (entry on 2026-01-05).
 */
import { ENTRY_ON, EPCI, PARCOURS_ID } from '../../parcours/domain/parcours.fixtures.js';
import type { ParcoursFacts } from './territory-indicators.projection.js';

/** The facts of a parcours opened in Thiers on 2026-01-05, with nothing else yet, unless told otherwise. */
export function factsOfAParcoursOpenedOn5January(overrides: Partial<ParcoursFacts> = {}): ParcoursFacts {
  return {
    parcoursId: PARCOURS_ID,
    territory: EPCI,
    entryOn: ENTRY_ON,
    status: 'open',
    personalDataErased: false,
    orientation: null,
    reorientations: [],
    firstAccompanimentOn: null,
    accompanimentsSeenBeforeOrientation: [],
    referentPeriods: [],
    engagementContracts: [],
    employmentContracts: [],
    exits: [],
    archivedOn: null,
    lastVersion: 1,
    ...overrides,
  };
}
