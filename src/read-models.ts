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

/**
 * Where each read model's lifecycle is chosen.
 *
 * Inline: written by the very statement that appends the events they follow (declared writes,
 * event-store/inline-writes.ts), so a caller reads what it wrote and they never lag — for what a
 * command or authentication reads back at once. Each is declared by its module at one place.
 */
export const INLINE_READ_MODELS = [
  { name: 'parcours_details', tables: ['parcours_details', 'parcours_contacts', 'parcours_appointments'], declaredBy: 'ParcoursInlineWrites (parcours/parcours-inline-writes.ts)' },
  { name: 'blind_index', tables: ['parcours_blind_index'], declaredBy: 'ParcoursInlineWrites (parcours/parcours-inline-writes.ts)' },
  { name: 'partner_directory', tables: ['partners', 'partner_members', 'api_keys'], declaredBy: 'partnerDirectoryWrites (partners/partner-projection.ts)' },
] as const;

/**
 * Asynchronous: fed by the projection runners from the global order, each with its own position,
 * generation and rebuild — for what many streams feed (caseloads, reports, feeds, continuity).
 */
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
