import { type ExecutionContext, SetMetadata, createParamDecorator } from '@nestjs/common';
import type { Role } from './roles.js';
import type { AuthenticatedRequest, Principal } from './principal.js';

export const ROLES_KEY = 'spie:roles';
export const PUBLIC_KEY = 'spie:public';

/**
 * The roles an endpoint accepts. Every endpoint declares either this or @Public(): one that
 * declares neither is refused to everybody, so a forgotten decorator fails closed.
 */
export const Roles = (...roles: [Role, ...Role[]]) => SetMetadata(ROLES_KEY, roles);

/** No authentication (health probes, the OpenAPI document). */
export const Public = () => SetMetadata(PUBLIC_KEY, true);

/** The authenticated caller (set by AccessGuard). */
export const CurrentPrincipal = createParamDecorator((_data: unknown, context: ExecutionContext): Principal => {
  const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
  if (!request.principal) throw new Error('CurrentPrincipal used on an endpoint without authentication');
  return request.principal;
});
