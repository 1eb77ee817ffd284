import { Inject, Injectable } from '@nestjs/common';
import * as oidc from 'openid-client';
import { AppConfig } from '../config/app-config.js';
import { ProblemError } from '../http/problem.js';
import { isMemberId } from '../access/member-id.js';
import type { SignInAttempt } from './web-sessions.js';

export const CALLBACK_PATH = '/web/connexion/retour';

/**
 * The authorization-code flow with PKCE against the configured provider (ProConnect in
 * production), with openid-client: discovery, the authorization request (S256 challenge, state,
 * nonce), the code exchange with the ID token's checks (signature, issuer, audience, expiry, nonce).
 * The provider's `sub` is then the member id, as in the API's bearer tokens.
 */
@Injectable()
export class OidcSignIn {
  private configuration: Promise<oidc.Configuration> | undefined;

  constructor(@Inject(AppConfig) private readonly config: AppConfig) {}

  get enabled(): boolean {
    return this.config.webOidcIssuerUrl !== undefined;
  }

  /** Where to send the browser, and what to keep until it comes back. */
  async start(origin: string, returnTo: string): Promise<{ url: string; attempt: SignInAttempt }> {
    const configuration = await this.discovered();
    const codeVerifier = oidc.randomPKCECodeVerifier();
    const attempt: SignInAttempt = { codeVerifier, state: oidc.randomState(), nonce: oidc.randomNonce(), returnTo };
    const url = oidc.buildAuthorizationUrl(configuration, {
      redirect_uri: this.redirectUri(origin),
      scope: 'openid',
      code_challenge: await oidc.calculatePKCECodeChallenge(codeVerifier),
      code_challenge_method: 'S256',
      state: attempt.state,
      nonce: attempt.nonce,
    });
    return { url: url.href, attempt };
  }

  /** The member id (`sub`) the provider vouches for, and its ID token, from the callback's URL (path and query). */
  async finish(origin: string, callbackPathAndQuery: string, attempt: SignInAttempt): Promise<{ subject: string; idToken: string | null }> {
    const configuration = await this.discovered();
    let tokens;
    try {
      tokens = await oidc.authorizationCodeGrant(configuration, new URL(callbackPathAndQuery, this.config.webBaseUrl ?? origin), {
        pkceCodeVerifier: attempt.codeVerifier,
        expectedState: attempt.state,
        expectedNonce: attempt.nonce,
        idTokenExpected: true,
      });
    } catch (error) {
      throw new ProblemError(400, 'sign_in_failed', 'La connexion a échoué', `Le fournisseur d'identité n'a pas confirmé la connexion (${(error as Error).message}).`);
    }
    const subject = tokens.claims()?.sub;
    if (!isMemberId(subject)) throw new ProblemError(400, 'sign_in_failed', 'La connexion a échoué', "L'identifiant transmis par le fournisseur d'identité n'est pas accepté.");
    return { subject, idToken: tokens.id_token ?? null };
  }

  /**
   * Where to send the browser to end its session at the provider too (RP-initiated logout, which
   * ProConnect asks of its clients), or undefined when the provider has no end-session endpoint.
   */
  async endSessionUrl(origin: string, idToken: string): Promise<string | undefined> {
    const configuration = await this.discovered();
    if (!configuration.serverMetadata().end_session_endpoint) return undefined;
    return oidc.buildEndSessionUrl(configuration, { id_token_hint: idToken, post_logout_redirect_uri: new URL('/web/connexion', this.config.webBaseUrl ?? origin).href }).href;
  }

  private redirectUri(origin: string): string {
    return new URL(CALLBACK_PATH, this.config.webBaseUrl ?? origin).href;
  }

  private discovered(): Promise<oidc.Configuration> {
    const { webOidcIssuerUrl, webOidcClientId, webOidcClientSecret } = this.config;
    if (!webOidcIssuerUrl || !webOidcClientId || !webOidcClientSecret) throw new ProblemError(404, 'not_found', 'Not found', "La connexion par fournisseur d'identité n'est pas configurée.");
    const issuer = new URL(webOidcIssuerUrl);
    // Plain HTTP to the provider only on this machine (a provider in a test or a demo): never across a network.
    const loopback = issuer.hostname === '127.0.0.1' || issuer.hostname === 'localhost' || issuer.hostname === '[::1]';
    this.configuration ??= oidc
      .discovery(issuer, webOidcClientId, webOidcClientSecret, undefined, issuer.protocol === 'http:' && loopback ? { execute: [oidc.allowInsecureRequests] } : {})
      .catch((error: unknown) => {
        this.configuration = undefined;
        throw new ProblemError(503, 'identity_provider_unavailable', 'Identity provider unavailable', `Le fournisseur d'identité ne répond pas (${(error as Error).message}).`);
      });
    return this.configuration;
  }
}
