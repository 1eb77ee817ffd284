import { readFileSync } from 'node:fs';
import { type Clock, SystemClock } from '../clock.js';
import type { AppConfig } from '../config/app-config.js';
import { DEFAULT_POLICY, type ContinuityPolicy, parsePolicy } from '../continuity/policy.js';
import { continuityProjection } from '../continuity/read-model/continuity.projection.js';
import { caseloadProjection } from '../parcours/read-models/caseload/caseload.projection.js';
import { DEFAULT_FEED_POLICY, type FeedPolicy, parseFeedPolicy } from '../parcours/read-models/partner-feed/feed-policy.js';
import { partnerFeedProjection } from '../parcours/read-models/partner-feed/partner-feed.projection.js';
import { caomFundingProjection } from '../reporting/caom/caom-funding.projection.js';
import { territoryIndicatorsProjection } from '../reporting/territory-indicators/territory-indicators.projection.js';
import type { Projection } from './projection.js';

/** The feed policy in force: the shipped default, or the file FEED_POLICY_FILE names (checked at boot). */
export function feedPolicyOf(config: Pick<AppConfig, 'feedPolicyFile'>): FeedPolicy {
  return config.feedPolicyFile ? parseFeedPolicy(readFileSync(config.feedPolicyFile, 'utf8')) : DEFAULT_FEED_POLICY;
}

/** The continuity policy in force: the shipped default, or the file CONTINUITY_POLICY_FILE names. */
export function continuityPolicyOf(config: Pick<AppConfig, 'continuityPolicyFile'>): ContinuityPolicy {
  return config.continuityPolicyFile ? parsePolicy(JSON.parse(readFileSync(config.continuityPolicyFile, 'utf8'))) : DEFAULT_POLICY;
}

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
