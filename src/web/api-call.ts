import { Inject, Injectable, type Type, ValidationPipe } from '@nestjs/common';
import { ModuleRef, Reflector } from '@nestjs/core';
import { actingRolesFor } from '../access/caller.js';
import { validationProblem } from '../http/problem.js';
import { ROLES_KEY } from '../access/access.decorators.js';
import { actingRoles } from '../partners/auth/access.guard.js';
import type { Role } from '../access/roles.js';
import type { WebRequest } from './web-auth.js';

/** The API's own validation (the global pipe's options, app.factory.ts): a form is checked by the DTO its endpoint checks. */
const VALIDATION = new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true, exceptionFactory: validationProblem });

/** What an API handler reads of its request: who asks, under which roles, and the few headers a command takes. */
export type ApiRequest = WebRequest;

/**
 * A page asks the API's own controller method, not a second implementation: the controller
 * instance Nest built, the roles its endpoint declares (@Roles), the acting roles settled by the
 * API's function (`actingRoles`, 403 if none is held), the same query/command code and access
 * journal behind it. Only the transport differs: a session instead of a bearer token.
 */
@Injectable()
export class ApiCall {
  constructor(
    @Inject(ModuleRef) private readonly modules: ModuleRef,
    @Inject(Reflector) private readonly reflector: Reflector,
  ) {}

  async invoke<C extends object, M extends keyof C & string>(
    request: WebRequest,
    controller: Type<C>,
    method: M,
    args: (apiRequest: ApiRequest) => unknown[],
    extra: { url?: string; headers?: Record<string, string> } = {},
  ): Promise<C[M] extends (...parameters: never[]) => infer R ? Awaited<R> : never> {
    const instance = this.modules.get(controller, { strict: false });
    const handler = instance[method] as unknown as (...parameters: unknown[]) => unknown;
    const accepted = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES_KEY, [handler, controller]);
    if (!request.principal) throw new Error('ApiCall without a principal');
    // Fails closed like the API: an endpoint that declares no role is refused.
    const acting = actingRoles(request.principal, accepted ?? []);
    const apiRequest = Object.create(request, {
      actingRole: { value: acting[0] },
      actingRoles: { value: acting },
      url: { value: extra.url ?? request.url },
      headers: { value: { ...request.headers, ...extra.headers } },
    }) as ApiRequest;
    return (await handler.apply(instance, args(apiRequest))) as never;
  }

  /**
   * Whether the caller may call that endpoint at all (its @Roles against the caller's roles, as
   * `invoke` would settle them): a page offers only the forms whose command it may send. Which
   * parcours the command then reaches is still the API's to say, when it runs.
   */
  allows<C extends object>(request: WebRequest, controller: Type<C>, method: keyof C & string): boolean {
    const instance = this.modules.get(controller, { strict: false });
    const handler = instance[method] as unknown as (...parameters: unknown[]) => unknown;
    const accepted = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES_KEY, [handler, controller]);
    return request.principal !== undefined && actingRolesFor(accepted ?? [], request.principal.roles).length > 0;
  }

  /** A body or a query checked and transformed as the API's global pipe does (400 problem with one message per field). */
  validate<T>(value: unknown, metatype: Type<T>, type: 'body' | 'query' = 'body'): Promise<T> {
    return VALIDATION.transform(value ?? {}, { type, metatype }) as Promise<T>;
  }
}
