import { type Clock, SystemClock } from './kernel/clock.js';
import type { AppConfig } from './config/app-config.js';
import { continuityPolicyOf } from './continuity/policy.js';
import { continuityProjection } from './continuity/read-models/continuity.projection.js';
import { caseloadProjection } from './parcours/read-models/caseload/caseload.projection.js';
import { feedPolicyOf } from './parcours/read-models/partner-feed/feed-policy.js';
import { partnerFeedProjection } from './parcours/read-models/partner-feed/partner-feed.projection.js';
import { caomFundingProjection } from './reporting/caom/caom-funding.projection.js';
import { territoryIndicatorsProjection } from './reporting/territory-indicators/territory-indicators.projection.js';
import type { Projection } from './projections/projection.js';

/** Every asynchronous read model of the service, fed by the projection runners. */
export function projectionsFor(config: Pick<AppConfig, 'feedPolicyFile' | 'continuityPolicyFile'>, clock: Clock = new SystemClock()): readonly Projection[] {
  return [
    caseloadProjection as Projection,
    caomFundingProjection as Projection,
    territoryIndicatorsProjection as Projection,
    partnerFeedProjection(feedPolicyOf(config)),
    continuityProjection(continuityPolicyOf(config), clock),
  ];
}

export function projectionNamed(projections: readonly Projection[], name: string): Projection {
  const projection = projections.find((candidate) => candidate.name === name);
  if (!projection) throw new Error(`no projection named ${name}; known: ${projections.map((candidate) => candidate.name).join(', ')}`);
  return projection;
}
