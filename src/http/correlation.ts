import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export const CORRELATION_HEADER = 'x-correlation-id';
// A caller-supplied id is echoed into logs and responses, so it is constrained to a harmless shape.
const ACCEPTABLE = /^[A-Za-z0-9._-]{8,64}$/;

/** Fastify's request id: the caller's correlation id if acceptable, else a new uuid. */
export function correlationIdFor(req: IncomingMessage): string {
  const given = req.headers[CORRELATION_HEADER];
  return typeof given === 'string' && ACCEPTABLE.test(given) ? given : randomUUID();
}

/** The correlation id of a request (Fastify's request id). */
export function correlationIdOf(request: { id?: unknown } | undefined): string {
  return typeof request?.id === 'string' ? request.id : 'none';
}
