import { Body, Controller, Get, Inject, Post, Query, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { AppConfig } from '../config/app-config.js';
import { ProblemError } from '../http/problem.js';
import { PrincipalResolver } from '../partners/auth/principal-resolver.js';
import { PartnerDirectoryQueries, type Persona } from '../partners/partner-directory.query.js';
import { isMemberId } from '../access/member-id.js';
import { isRole } from '../access/roles.js';
import { html } from './html.js';
import { ROLE_LABELS, page } from './layout.js';
import { CALLBACK_PATH, OidcSignIn } from './oidc-sign-in.js';
import { SESSION_COOKIE, SIGN_IN_COOKIE, type WebRequest, WebPage, WebPublicPage, cookieOptions, fromSameOrigin } from './web-auth.js';
import { WebSessions } from './web-sessions.js';
import { EVERYONE } from '../access/functions.js';

/** Where to go after signing in: a page of ours, nothing else (no open redirect). */
export function safeReturn(value: unknown): string {
  return typeof value === 'string' && /^\/web\/[A-Za-z0-9-]/.test(value) && !value.includes('\\') ? value : '/web/accueil';
}

/** The address the browser used (behind a proxy: as TRUST_PROXY lets it say). */
function originOf(request: WebRequest): string {
  return `${request.protocol}://${request.host}`;
}

/** Sign-in (identity provider, or the local persona list in demo/local mode), sign-out, the home page. */
@ApiExcludeController()
@Controller('web')
export class SignInController {
  constructor(
    @Inject(AppConfig) private readonly config: AppConfig,
    @Inject(PartnerDirectoryQueries) private readonly partners: PartnerDirectoryQueries,
    @Inject(WebSessions) private readonly sessions: WebSessions,
    @Inject(PrincipalResolver) private readonly principals: PrincipalResolver,
    @Inject(OidcSignIn) private readonly oidc: OidcSignIn,
  ) {}

  @Get()
  @WebPublicPage()
  root(@Res() reply: FastifyReply) {
    return reply.redirect('/web/accueil', 303);
  }

  @Get('accueil')
  @WebPage(...EVERYONE)
  home(@Req() request: WebRequest, @Res() reply: FastifyReply) {
    const roles = request.principal!.roles;
    const target = roles.some((role) => role === 'referent' || role === 'orientation_manager')
      ? '/web/mes-parcours'
      : roles.some((role) => role === 'coordinator' || role === 'auditor')
        ? '/web/territoire'
        : roles.some((role) => role === 'partner_admin' || role === 'platform_admin')
          ? '/web/organisation'
          : undefined;
    if (target) return reply.redirect(target, 303);
    return reply.type('text/html; charset=utf-8').send(
      page(
        { title: 'Accueil', principal: request.principal, csrfToken: reply.generateCsrf() },
        html`<h1>Bienvenue</h1><p>Vos rôles (${request.principal!.roles.map((role) => ROLE_LABELS[role]).join(', ')}) n'ont pas encore de page dans cet espace.</p>`,
      ),
    );
  }

  @Get('connexion')
  @WebPublicPage()
  async signInPage(@Query('retour') retour: unknown, @Req() request: WebRequest, @Res() reply: FastifyReply) {
    const returnTo = safeReturn(retour);
    if (request.principal) return reply.redirect(returnTo, 303);
    const personas = this.config.webLocalSignIn ? await this.partners.personas() : [];
    const byPartner = new Map<string, Persona[]>();
    for (const persona of personas) byPartner.set(persona.partnerName, [...(byPartner.get(persona.partnerName) ?? []), persona]);
    const content = html`<h1>Se connecter</h1>
      ${this.oidc.enabled
        ? html`<div class="fr-connect-group fr-mb-6w">
            <a class="fr-btn" id="connexion-oidc" href="/web/connexion/fournisseur?retour=${encodeURIComponent(returnTo)}">Se connecter avec le fournisseur d'identité (ProConnect)</a>
          </div>`
        : html``}
      ${this.config.webLocalSignIn
        ? html`<div class="fr-notice fr-notice--info fr-mb-4w"><div class="fr-container"><div class="fr-notice__body"><p class="fr-notice__title">Mode démonstration : choisissez la personne sous l'identité de laquelle vous connecter, sans mot de passe.</p></div></div></div>
          ${[...byPartner].map(
            ([partner, members]) => html`<h2 class="fr-h4">${partner}</h2>
              <ul class="fr-btns-group fr-btns-group--inline-md fr-btns-group--sm">
                ${members.map(
                  (member) => html`<li><form method="post" action="/web/connexion/locale">
                    <input type="hidden" name="utilisateur" value="${member.userId}"><input type="hidden" name="retour" value="${returnTo}">
                    <button type="submit" class="fr-btn fr-btn--secondary" data-persona="${member.userId}">${member.displayName} — ${member.roles.filter(isRole).map((role) => ROLE_LABELS[role]).join(', ')}</button>
                  </form></li>`,
                )}
              </ul>`,
          )}
          ${personas.length === 0 ? html`<p>Aucun membre n'est encore enregistré.</p>` : html``}`
        : html``}
      ${!this.oidc.enabled && !this.config.webLocalSignIn ? html`<p>Aucun moyen de connexion n'est configuré.</p>` : html``}`;
    return reply.type('text/html; charset=utf-8').send(page({ title: 'Se connecter' }, content));
  }

  /** Demo/local mode only: signs in as the member chosen in the list, without a password. */
  @Post('connexion/locale')
  @WebPublicPage()
  async localSignIn(@Body() body: Record<string, unknown> | undefined, @Req() request: WebRequest, @Res() reply: FastifyReply) {
    if (!this.config.webLocalSignIn) throw new ProblemError(404, 'not_found', 'Not found', "La connexion locale n'est ouverte qu'en mode démonstration.");
    // No session yet to bind a CSRF token to: the form must come from our own page (Fetch Metadata, Origin).
    if (!fromSameOrigin(request)) throw new ProblemError(403, 'cross_origin_form', 'Formulaire refusé', "Ce formulaire doit être envoyé depuis la page de connexion du service.");
    const userId = body?.utilisateur;
    if (!isMemberId(userId)) throw new ProblemError(400, 'validation_failed', 'The request is invalid', 'utilisateur : identifiant de membre attendu');
    await this.principals.member(userId, Date.now());
    return this.signIn(request, reply, userId, safeReturn(body?.retour));
  }

  @Get('connexion/fournisseur')
  @WebPublicPage()
  async startOidc(@Query('retour') retour: unknown, @Req() request: WebRequest, @Res() reply: FastifyReply) {
    const { url, attempt } = await this.oidc.start(originOf(request), safeReturn(retour));
    const id = await this.sessions.beginSignIn(attempt);
    return reply.setCookie(SIGN_IN_COOKIE, id, { ...cookieOptions(request, 600), path: CALLBACK_PATH }).redirect(url, 303);
  }

  @Get('connexion/retour')
  @WebPublicPage()
  async oidcCallback(@Req() request: WebRequest, @Res() reply: FastifyReply) {
    const attempt = await this.sessions.takeSignIn(request.cookies?.[SIGN_IN_COOKIE]);
    void reply.clearCookie(SIGN_IN_COOKIE, { path: CALLBACK_PATH });
    if (!attempt) throw new ProblemError(400, 'sign_in_failed', 'La connexion a échoué', 'Cette connexion a expiré ou a déjà servi : recommencez.');
    const { subject, idToken } = await this.oidc.finish(originOf(request), request.url, attempt);
    await this.principals.member(subject, Date.now());
    return this.signIn(request, reply, subject, attempt.returnTo, idToken);
  }

  @Post('deconnexion')
  @WebPage(...EVERYONE)
  async signOut(@Req() request: WebRequest, @Res() reply: FastifyReply) {
    const idToken = await this.sessions.close(request.cookies?.[SESSION_COOKIE]);
    void reply.clearCookie(SESSION_COOKIE, { path: '/' });
    // Signed in at the provider: signed out there too, which then sends the browser back here.
    const atProvider = idToken && this.oidc.enabled ? await this.oidc.endSessionUrl(originOf(request), idToken).catch(() => undefined) : undefined;
    return reply.redirect(atProvider ?? '/web/connexion', 303);
  }

  private async signIn(request: WebRequest, reply: FastifyReply, userId: string, returnTo: string, idToken: string | null = null) {
    // A new session id at each sign-in (no fixation); the previous one, if any, ends.
    await this.sessions.close(request.cookies?.[SESSION_COOKIE]);
    const id = await this.sessions.open(userId, idToken);
    return reply.setCookie(SESSION_COOKIE, id, cookieOptions(request)).redirect(returnTo, 303);
  }
}
