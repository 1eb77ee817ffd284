import { type CanActivate, type ExecutionContext, Inject, Injectable, SetMetadata, applyDecorators, UseFilters, UseGuards } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { HttpAdapterHost } from '@nestjs/core';
import { ProblemError } from '../http/problem.js';
import { Public } from '../access/access.decorators.js';
import { actingRoles } from '../partners/auth/access.guard.js';
import type { AuthenticatedRequest, Principal } from '../access/principal.js';
import { NotAMemberError, PrincipalResolver } from '../partners/auth/principal-resolver.js';
import { PartnerRateLimiter } from '../partners/auth/rate-limiter.js';
import type { Role } from '../access/roles.js';
import { SignInRequired, WebErrorFilter } from './web-error.filter.js';
import { type WebSession, WebSessions } from './web-sessions.js';

export const SESSION_COOKIE = 'spie_session';
export const SIGN_IN_COOKIE = 'spie_sign_in';
const WEB_ROLES_KEY = 'spie:web-roles';

/** A page's request once the guard passed: the same principal and acting roles as an API request (src/access decides). */
export type WebRequest = FastifyRequest &
  AuthenticatedRequest & {
    webSession?: WebSession;
    /** What @fastify/csrf-protection reads its secret from ('@fastify/session' mode): the session's own. */
    session?: { _csrf?: string };
  };

/**
 * A page for signed-in members holding one of `roles` (the same role lists as the API's endpoints,
 * src/access/functions.ts), answered in HTML, errors included. Not an API endpoint: the API's
 * bearer-token guard lets it through (@Public) and this guard authenticates by session instead.
 */
export const WebPage = (...roles: [Role, ...Role[]]) => applyDecorators(Public(), SetMetadata(WEB_ROLES_KEY, roles), UseGuards(WebGuard), UseFilters(WebErrorFilter));

/** A page anyone may see (the sign-in page), answered in HTML. */
export const WebPublicPage = () => applyDecorators(Public(), UseGuards(WebGuard), UseFilters(WebErrorFilter));

/** Same origin as the service: what a form of ours posts from (Fetch Metadata, or the Origin header of older browsers). */
export function fromSameOrigin(request: FastifyRequest): boolean {
  const site = request.headers['sec-fetch-site'];
  if (typeof site === 'string') return site === 'same-origin';
  const origin = request.headers.origin;
  return typeof origin === 'string' && origin === `${request.protocol}://${request.host}`;
}

export function cookieOptions(request: FastifyRequest, maxAgeSeconds?: number) {
  // Secure when the browser reached us over TLS (directly, or through a trusted proxy: TRUST_PROXY).
  return { path: '/', httpOnly: true, sameSite: 'lax' as const, secure: request.protocol === 'https', ...(maxAgeSeconds === undefined ? {} : { maxAge: maxAgeSeconds }) };
}

/**
 * Loads the session named by the cookie, resolves its member to a principal with the API's own
 * resolver (PrincipalResolver.member: same row, same refusals), counts the request against the
 * organisation's rate as the API does, settles the acting roles with the API's function, and checks
 * the CSRF token of every POST (@fastify/csrf-protection, its secret kept in the session row).
 */
@Injectable()
export class WebGuard implements CanActivate {
  constructor(
    @Inject(Reflector) private readonly reflector: Reflector,
    @Inject(WebSessions) private readonly sessions: WebSessions,
    @Inject(PrincipalResolver) private readonly principals: PrincipalResolver,
    @Inject(PartnerRateLimiter) private readonly rateLimiter: PartnerRateLimiter,
    @Inject(HttpAdapterHost) private readonly adapter: HttpAdapterHost,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<WebRequest>();
    const reply = context.switchToHttp().getResponse<FastifyReply>();
    const accepted = this.reflector.getAllAndOverride<Role[] | undefined>(WEB_ROLES_KEY, [context.getHandler(), context.getClass()]);
    const session = await this.sessions.find(request.cookies?.[SESSION_COOKIE]);
    if (session) {
      request.webSession = session;
      request.session = { _csrf: session.csrfSecret };
      try {
        request.principal = await this.principals.member(session.userId, session.expiresAtMs);
      } catch (error) {
        // A member removed, an organisation deactivated: the session ends with them. Anything
        // else (the database unavailable) is not the session's fault: it stays, the page fails.
        if (!(error instanceof NotAMemberError)) throw error;
        await this.sessions.close(request.cookies?.[SESSION_COOKIE]);
        void reply.clearCookie(SESSION_COOKIE, { path: '/' });
        if (accepted) throw error;
        delete request.webSession;
      }
    }
    if (!accepted) return true;
    if (!request.principal) throw new SignInRequired(request.method === 'GET' ? request.url : '/web/accueil');
    await this.rateLimiter.consume(request.principal.partnerId);
    const acting = actingRoles(request.principal, accepted);
    request.actingRole = acting[0];
    request.actingRoles = acting;
    if (request.method === 'POST') await this.checkCsrf(request, reply);
    return true;
  }

  private checkCsrf(request: WebRequest, reply: FastifyReply): Promise<void> {
    const fastify = this.adapter.httpAdapter.getInstance<FastifyInstance>();
    return new Promise((resolve, reject) => {
      const refuse = () => reject(new ProblemError(403, 'csrf_token_invalid', 'Le formulaire a expiré', 'Rechargez la page et envoyez le formulaire à nouveau.'));
      // The plugin answers a refusal through reply.send(error): turned into our own refusal here.
      fastify.csrfProtection(request, { send: refuse } as unknown as FastifyReply, () => resolve());
      void reply;
    });
  }
}

export function principalOf(request: WebRequest): Principal {
  if (!request.principal) throw new SignInRequired('/web/accueil');
  return request.principal;
}
