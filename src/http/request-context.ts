import type { FastifyRequest } from 'fastify';
import type { EventMetadata } from '../event-store/event-store.js';
import type { AuthenticatedRequest, Principal } from '../access/principal.js';
import { correlationIdOf } from './correlation.js';

/** Who acts in a request, for event metadata: identifiers only, never a name. */
export function actorOf(principal: Principal, role: string | undefined): EventMetadata['actor'] {
  return {
    ...(principal.userId ? { userId: principal.userId } : {}),
    ...(principal.apiKeyId ? { apiKeyId: principal.apiKeyId } : {}),
    // The service acting for itself belongs to no organisation.
    ...(principal.kind === 'system' ? {} : { partnerId: principal.partnerId }),
    ...(role ? { role } : {}),
  };
}

export function metadataOf(request: FastifyRequest & AuthenticatedRequest, occurredAt = new Date().toISOString()): EventMetadata {
  if (!request.principal) throw new Error('metadata of an unauthenticated request');
  return {
    actor: actorOf(request.principal, request.actingRole),
    correlationId: correlationIdOf(request),
    causationId: null,
    occurredAt,
  };
}
