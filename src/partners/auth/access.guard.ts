import { type CanActivate, type ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { actingRolesFor } from '../../access/caller.js';
import { ProblemError } from '../../http/problem.js';
import type { Role } from '../../access/roles.js';
import { PUBLIC_KEY, ROLES_KEY } from '../../access/access.decorators.js';
import type { AuthenticatedRequest, Principal } from '../../access/principal.js';
import { PrincipalResolver } from './principal-resolver.js';
import { PartnerRateLimiter } from './rate-limiter.js';

/**
 * Authentication and function-level authorisation for every endpoint: resolves the caller from
 * its bearer token or API key, counts the call against its organisation's rate, then requires one
 * of the roles the endpoint declares and settles the roles the request acts under (src/access).
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
    const acting = actingRoles(principal, accepted);
    request.actingRole = acting[0];
    request.actingRoles = acting;
    return true;
  }
}

/**
 * The roles under which a principal acts on an endpoint that accepts `accepted` (the first is the
 * acting role, see `actingRolesFor`), or the 403 problem. Also asked again by answers that outlive
 * their request (feed streams).
 */
export function actingRoles(principal: Principal, accepted: readonly Role[] | undefined): [Role, ...Role[]] {
  const acting = actingRolesFor(accepted, principal.roles);
  if (acting[0] === undefined) {
    throw new ProblemError(403, 'forbidden', 'Your roles do not allow this operation', accepted ? `one of: ${accepted.join(', ')}` : undefined);
  }
  return acting as [Role, ...Role[]];
}
