import { generateKeyPairSync } from 'node:crypto';
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider from 'oidc-provider';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, newContext } from '../support/browser.js';
import { type Consortium, seedConsortium } from '../support/consortium.js';
import { type RunningApp, startApp } from '../support/test-app.js';

/**
 * The authorization-code flow with PKCE against a real OpenID provider (panva's oidc-provider, in
 * this process, signing real ID tokens), in a real browser: the provider's `sub` becomes the member.
 */
describe('web sign-in with an OpenID Connect provider', () => {
  let providerServer: Server;
  let issuer: string;
  let running: RunningApp;
  let consortium: Consortium;
  let browser: Browser;
  /** The authorization requests the provider received (to check PKCE and nonce were asked for). */
  const authorizationRequests: URLSearchParams[] = [];

  beforeAll(async () => {
    // The provider's port first: the service is configured with its issuer URL.
    providerServer = createServer();
    await new Promise<void>((resolve) => providerServer.listen(0, '127.0.0.1', resolve));
    issuer = `http://127.0.0.1:${(providerServer.address() as AddressInfo).port}`;
    [running, browser] = await Promise.all([
      startApp({ WEB_LOCAL_SIGN_IN: 'off', WEB_OIDC_ISSUER_URL: issuer, WEB_OIDC_CLIENT_ID: 'spie-web', WEB_OIDC_CLIENT_SECRET: 'a-client-secret-of-the-test-provider' }),
      launchBrowser(),
    ]);
    consortium = await seedConsortium(running);
    const provider = new Provider(issuer, {
      clients: [
        {
          client_id: 'spie-web',
          client_secret: 'a-client-secret-of-the-test-provider',
          redirect_uris: [`${running.baseUrl}/web/connexion/retour`],
          post_logout_redirect_uris: [`${running.baseUrl}/web/connexion`],
          response_types: ['code'],
          grant_types: ['authorization_code'],
          token_endpoint_auth_method: 'client_secret_post',
        },
      ],
      findAccount: async (_context: unknown, sub: string) => ({ accountId: sub, claims: async () => ({ sub }) }),
      pkce: { required: () => true },
      features: { devInteractions: { enabled: true } },
      cookies: { keys: ['a-cookie-key-of-the-test-provider'] },
      jwks: { keys: [{ ...generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' }), kid: 'test', alg: 'RS256', use: 'sig' }] },
      ttl: { AccessToken: 600, AuthorizationCode: 60, Grant: 600, IdToken: 600, Interaction: 600, Session: 600 },
    });
    const callback = provider.callback();
    providerServer.on('request', (request, response) => {
      if (request.url?.startsWith('/auth?')) authorizationRequests.push(new URL(request.url, issuer).searchParams);
      void callback(request, response);
    });
    void consortium;
  });

  afterAll(async () => {
    await browser?.close();
    await running?.close();
    await new Promise((resolve) => providerServer?.close(resolve));
  });

  /** Through the provider's own login and consent pages, as `login`. */
  async function signInAtProvider(page: Page, login: string): Promise<void> {
    await page.goto(`${running.baseUrl}/web/mes-parcours`);
    expect(new URL(page.url()).pathname).toBe('/web/connexion');
    expect(await page.$('[data-persona]')).toBeNull();
    await page.click('#connexion-oidc');
    expect(page.url().startsWith(issuer)).toBe(true);
    await page.fill('input[name=login]', login);
    await page.fill('input[name=password]', 'any');
    await page.click('button[type=submit]');
    await page.click('button[type=submit]');
    await page.waitForURL((url) => url.href.startsWith(running.baseUrl));
  }

  it('signs a member in: PKCE S256, state and nonce asked for; back on the page asked first, as that member', async () => {
    const { context, page, problems } = await newContext(browser);
    await signInAtProvider(page, 'ml-referent');
    expect(new URL(page.url()).pathname).toBe('/web/mes-parcours');
    expect(await page.textContent('.fr-header__tools-links')).toContain('ml-referent');
    const asked = authorizationRequests.at(-1)!;
    expect(asked.get('code_challenge_method')).toBe('S256');
    expect(asked.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(asked.get('state')).toBeTruthy();
    expect(asked.get('nonce')).toBeTruthy();
    expect(asked.get('redirect_uri')).toBe(`${running.baseUrl}/web/connexion/retour`);
    expect((await context.cookies(running.baseUrl)).find((cookie) => cookie.name === 'spie_session')).toMatchObject({ httpOnly: true, sameSite: 'Lax' });
    // Only our own pages count: the provider's test pages load fonts from the internet.
    expect(problems.filter((problem) => problem.includes(running.baseUrl))).toEqual([]);
    await context.close();
  });

  it('signs out at the provider too: back on the sign-in page, and the provider asks for a login again', async () => {
    const { context, page, problems } = await newContext(browser);
    await signInAtProvider(page, 'ml-referent');
    expect(new URL(page.url()).pathname).toBe('/web/mes-parcours');
    await page.click('.fr-header__tools-links button[type=submit]');
    expect(page.url().startsWith(`${issuer}/session/end`)).toBe(true);
    await page.click('button[name=logout][value=yes]');
    await page.waitForURL((url) => url.href.startsWith(`${running.baseUrl}/web/connexion`));
    expect((await context.cookies(running.baseUrl)).find((cookie) => cookie.name === 'spie_session')).toBeUndefined();
    await page.click('#connexion-oidc');
    expect(await page.$('input[name=login]')).not.toBeNull();
    expect(problems.filter((problem) => problem.includes(running.baseUrl))).toEqual([]);
    await context.close();
  });

  it('refuses an identity the provider vouches for but no organisation counts as a member: no session', async () => {
    const { context, page } = await newContext(browser);
    await signInAtProvider(page, 'someone-unknown');
    expect(await page.textContent('h1')).toBe('Accès refusé');
    expect((await context.cookies(running.baseUrl)).find((cookie) => cookie.name === 'spie_session')).toBeUndefined();
    await context.close();
  });

  it('refuses a callback that does not come from a sign-in under way (forged or replayed)', async () => {
    const forged = await fetch(`${running.baseUrl}/web/connexion/retour?code=abc&state=xyz`, { redirect: 'manual' });
    expect(forged.status).toBe(400);
    expect(forged.headers.get('set-cookie') ?? '').not.toContain('spie_session=');
  });
});
