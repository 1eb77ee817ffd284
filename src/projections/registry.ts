import { caseloadProjection } from '../parcours/read-models/caseload/caseload.projection.js';
import { caomFundingProjection } from '../reporting/caom/caom-funding.projection.js';
import { territoryIndicatorsProjection } from '../reporting/territory-indicators/territory-indicators.projection.js';
import type { Projection } from './projection.js';

/** Every asynchronous read model of the service, fed by the projection runners. */
export const PROJECTIONS: readonly Projection[] = [
  caseloadProjection as Projection,
  caomFundingProjection as Projection,
  territoryIndicatorsProjection as Projection,
];

export function projectionNamed(name: string): Projection {
  const projection = PROJECTIONS.find((candidate) => candidate.name === name);
  if (!projection) throw new Error(`no projection named ${name}; known: ${PROJECTIONS.map((candidate) => candidate.name).join(', ')}`);
  return projection;
}
