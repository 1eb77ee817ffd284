import { type CanActivate, type ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ProblemError } from '../../http/problem.js';
import type { Role } from '../domain/roles.js';
import { PUBLIC_KEY, ROLES_KEY } from './access.decorators.js';
import type { AuthenticatedRequest, Principal } from './principal.js';
import { PrincipalResolver } from './principal-resolver.js';
import { PartnerRateLimiter } from './rate-limiter.js';

/**
 * Authentication and function-level authorisation for every endpoint: resolves the caller from
 * its bearer token or API key, counts the call against its organisation's rate, then requires one
 * of the roles the endpoint declares.
 */
@Injectable()
export class AccessGuard implements CanActivate {
  constructor(
    @Inject(Reflector) private readonly reflector: Reflector,
    @Inject(PrincipalResolver) private readonly principals: PrincipalResolver,
    @Inject(PartnerRateLimiter) private readonly rateLimiter: PartnerRateLimiter,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets)) return true;
    const accepted = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES_KEY, targets);
    const request = context.switchToHttp().getRequest<AuthenticatedRequest & { headers: Record<string, string | undefined> }>();
    const principal = await this.principals.resolve(request.headers.authorization);
    request.principal = principal;
    await this.rateLimiter.consume(principal.partnerId);
    request.actingRole = actingRole(principal, accepted);
    return true;
  }
}

/**
 * The role under which a principal acts on an endpoint that accepts `accepted` (the first it
 * holds), or the 403 problem. Also asked again by answers that outlive their request (feed streams).
 */
export function actingRole(principal: Principal, accepted: readonly Role[] | undefined): Role {
  const acting = accepted?.find((role) => principal.roles.includes(role));
  if (!acting) {
    throw new ProblemError(403, 'forbidden', 'Your roles do not allow this operation', accepted ? `one of: ${accepted.join(', ')}` : undefined);
  }
  return acting;
}
