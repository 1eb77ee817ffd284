import { createServer, type Server } from 'node:http';
import { type CryptoKey, type JWK, SignJWT, UnsecuredJWT, exportJWK, generateKeyPair } from 'jose';
import { SqlClient } from '../../src/database/sql-client.js';
import { PrincipalResolver } from '../../src/partners/auth/principal-resolver.js';
import { loadOrCreateSigningKey } from '../../src/partners/auth/signing-key.js';
import { json } from '../support/http.js';
import { type Consortium, seedConsortium } from '../support/consortium.js';
import { type RunningApp, startApp } from '../support/test-app.js';

describe('authentication', () => {
  let running: RunningApp;
  let consortium: Consortium;

  beforeAll(async () => {
    running = await startApp();
    consortium = await seedConsortium(running);
  });

  afterAll(async () => {
    await running.close();
  });

  const me = (headers: Record<string, string>) => fetch(`${running.baseUrl}/v1/me`, { headers });

  it('knows a member by a token signed with the local key', async () => {
    const response = await me(await consortium.as(consortium.missionLocale.members.referent));
    expect(response.status).toBe(200);
    expect(await json(response)).toMatchObject({
      kind: 'user',
      userId: 'ml-referent',
      roles: ['referent'],
      organisation: { id: consortium.missionLocale.id, kind: 'mission_locale' },
    });
  });

  describe('refuses with 401 problem details, never 5xx', () => {
    const referent = 'ml-referent';

    async function expect401(headers: Record<string, string>, detail: string | RegExp): Promise<void> {
      const response = await me(headers);
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toMatch(/error="invalid_token"/);
      const body = await json(response);
      expect(body).toMatchObject({ status: 401 });
      expect(body.detail).toMatch(detail);
    }

    it('no Authorization header, or an unknown scheme', async () => {
      await expect401({}, 'missing Authorization header');
      await expect401({ authorization: 'Basic dXNlcjpwYXNz' }, 'use "Bearer <token>" or "ApiKey <key>"');
    });

    it('an expired token (beyond the tolerated skew)', async () => {
      const issuedAt = Math.floor(Date.now() / 1000) - 3600;
      const token = await consortium.token(referent, { issuedAt, ttlSeconds: 600 });
      await expect401({ authorization: `Bearer ${token}` }, 'expired');
    });

    it('a token expired within the tolerated clock skew is still accepted', async () => {
      const issuedAt = Math.floor(Date.now() / 1000) - 610;
      const token = await consortium.token(referent, { issuedAt, ttlSeconds: 600 });
      expect((await me({ authorization: `Bearer ${token}` })).status).toBe(200);
    });

    it('a wrong issuer, a wrong audience', async () => {
      const key = await localKey(running);
      const now = Math.floor(Date.now() / 1000);
      const base = () => new SignJWT({}).setProtectedHeader({ alg: 'ES256', kid: key.kid }).setSubject(referent).setIssuedAt(now).setExpirationTime(now + 600);
      const wrongIssuer = await base().setIssuer('https://evil.example').setAudience(running.config.oidcAudience).sign(key.privateKey);
      await expect401({ authorization: `Bearer ${wrongIssuer}` }, 'iss claim rejected');
      const wrongAudience = await base().setIssuer(running.config.oidcIssuer).setAudience('another-service').sign(key.privateKey);
      await expect401({ authorization: `Bearer ${wrongAudience}` }, 'aud claim rejected');
    });

    it('a bad signature: the right claims signed by another key, or a tampered payload', async () => {
      const key = await localKey(running);
      const { privateKey } = await generateKeyPair('ES256');
      const now = Math.floor(Date.now() / 1000);
      const forged = await new SignJWT({})
        .setProtectedHeader({ alg: 'ES256', kid: key.kid })
        .setIssuer(running.config.oidcIssuer)
        .setAudience(running.config.oidcAudience)
        .setSubject('cd63-platform_admin')
        .setIssuedAt(now)
        .setExpirationTime(now + 600)
        .sign(privateKey);
      await expect401({ authorization: `Bearer ${forged}` }, 'bad signature');

      const genuine = await consortium.token(referent);
      const [header, , signature] = genuine.split('.');
      const payload = Buffer.from(
        JSON.stringify({ sub: 'cd63-platform_admin', iss: running.config.oidcIssuer, aud: running.config.oidcAudience, exp: now + 600 }),
      ).toString('base64url');
      await expect401({ authorization: `Bearer ${header}.${payload}.${signature}` }, 'bad signature');
    });

    it('alg: none', async () => {
      const unsigned = new UnsecuredJWT({})
        .setIssuer(running.config.oidcIssuer)
        .setAudience(running.config.oidcAudience)
        .setSubject(referent)
        .setExpirationTime('10m')
        .encode();
      await expect401({ authorization: `Bearer ${unsigned}` }, /algorithm not allowed|malformed/);
    });

    it('garbage', async () => {
      await expect401({ authorization: 'Bearer not-a-jwt' }, 'malformed token');
      await expect401({ authorization: `Bearer ${'a'.repeat(5000)}` }, 'malformed token');
    });
  });

  it('refuses with 403 a valid token of someone who is not a member', async () => {
    const response = await me({ authorization: `Bearer ${await consortium.token('stranger')}` });
    expect(response.status).toBe(403);
    expect((await json(response)).code).toBe('not_a_member');
  });

  describe('API keys', () => {
    async function createKey(expiresAt = new Date(Date.now() + 86_400_000).toISOString()): Promise<{ key: string; keyId: string }> {
      const response = await fetch(`${running.baseUrl}/v1/partners/${consortium.missionLocale.id}/api-keys`, {
        method: 'POST',
        headers: { ...(await consortium.as('ml-partner_admin')), 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'Logiciel métier', scopes: ['referent'], expiresAt }),
      });
      expect(response.status).toBe(201);
      expect(response.headers.get('cache-control')).toBe('no-store');
      return (await json(response)) as { key: string; keyId: string };
    }

    it('authenticates a partner system with its key, scoped, shown once, stored hashed', async () => {
      const { key, keyId } = await createKey();
      const response = await me({ authorization: `ApiKey ${key}` });
      expect(response.status).toBe(200);
      expect(await json(response)).toMatchObject({ kind: 'api_key', apiKeyId: keyId, roles: ['referent'] });

      const list = await fetch(`${running.baseUrl}/v1/partners/${consortium.missionLocale.id}/api-keys`, { headers: await consortium.as('ml-partner_admin') });
      const keys = await json(list);
      // The secret is everything after `spk_<keyId>_`: base64url, it may itself hold an underscore.
      const secret = key.slice('spk_'.length + 16 + 1);
      expect(secret).toHaveLength(43);
      expect(JSON.stringify(keys)).not.toContain(secret);
      expect(keys.find((item: { keyId: string }) => item.keyId === keyId).lastUsedAt).not.toBeNull();
    });

    it('refuses a revoked key, an unknown or malformed key, a wrong secret — 401', async () => {
      const { key, keyId } = await createKey();
      expect((await me({ authorization: `ApiKey ${key}` })).status).toBe(200);
      const revoke = await fetch(`${running.baseUrl}/v1/partners/${consortium.missionLocale.id}/api-keys/${keyId}`, {
        method: 'DELETE',
        headers: await consortium.as('ml-partner_admin'),
      });
      expect(revoke.status).toBe(204);
      const revoked = await me({ authorization: `ApiKey ${key}` });
      expect(revoked.status).toBe(401);
      expect((await json(revoked)).detail).toBe('revoked');

      const wrongSecret = `${key.slice(0, -4)}AAAA`;
      expect((await me({ authorization: `ApiKey ${wrongSecret}` })).status).toBe(401);
      expect((await me({ authorization: 'ApiKey spk_0000000000000000_' + 'A'.repeat(43) })).status).toBe(401);
      expect((await me({ authorization: 'ApiKey hello' })).status).toBe(401);
    });

    it('refuses an expired key — 401', async () => {
      const { key, keyId } = await createKey(new Date(Date.now() + 60_000).toISOString());
      // Let the key expire without waiting: move its expiry into the past, as time would.
      await running.app.get(SqlClient).query(`UPDATE api_keys SET expires_at = now() - interval '1 second' WHERE key_id = $1`, [keyId]);
      running.app.get(PrincipalResolver).forgetPartner(consortium.missionLocale.id);
      const response = await me({ authorization: `ApiKey ${key}` });
      expect(response.status).toBe(401);
      expect((await json(response)).detail).toBe('expired');
    });
  });

  it('loses access at once when the organisation is deactivated', async () => {
    const headers = await consortium.as('aci-referent');
    expect((await me(headers)).status).toBe(200);
    const deactivate = await fetch(`${running.baseUrl}/v1/partners/${consortium.aci.id}/deactivation`, {
      method: 'POST',
      headers: { ...(await consortium.as('cd63-platform_admin')), 'content-type': 'application/json' },
      body: JSON.stringify({ reason: 'convention_ended' }),
    });
    expect(deactivate.status).toBe(200);
    expect((await me(headers)).status).toBe(403);
    await fetch(`${running.baseUrl}/v1/partners/${consortium.aci.id}/reactivation`, { method: 'POST', headers: await consortium.as('cd63-platform_admin') });
    expect((await me(headers)).status).toBe(200);
  });
});

describe('authentication with an outside identity provider (JWKS over HTTP)', () => {
  let jwksServer: Server;
  let running: RunningApp;
  let providerKey: CryptoKey;

  beforeAll(async () => {
    const pair = await generateKeyPair('RS256', { extractable: true });
    providerKey = pair.privateKey;
    const publicJwk: JWK = { ...(await exportJWK(pair.publicKey)), kid: 'provider-key-1', alg: 'RS256', use: 'sig' };
    jwksServer = createServer((_request, response) => {
      response.setHeader('content-type', 'application/json');
      response.end(JSON.stringify({ keys: [publicJwk] }));
    });
    await new Promise<void>((resolve) => jwksServer.listen(0, '127.0.0.1', resolve));
    const address = jwksServer.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    running = await startApp({
      OIDC_ISSUER: 'https://auth.agentconnect.example/api/v2',
      OIDC_AUDIENCE: 'spie-parcours-client',
      OIDC_JWKS_URL: `http://127.0.0.1:${port}/jwks`,
    });
    await seedConsortium(running);
  });

  afterAll(async () => {
    await running.close();
    await new Promise((resolve) => jwksServer.close(resolve));
  });

  it("accepts an RS256 token of the provider and refuses one signed with the service's own local key", async () => {
    const now = Math.floor(Date.now() / 1000);
    const token = await new SignJWT({})
      .setProtectedHeader({ alg: 'RS256', kid: 'provider-key-1' })
      .setIssuer('https://auth.agentconnect.example/api/v2')
      .setAudience('spie-parcours-client')
      .setSubject('ml-referent')
      .setIssuedAt(now)
      .setExpirationTime(now + 600)
      .sign(providerKey);
    const accepted = await fetch(`${running.baseUrl}/v1/me`, { headers: { authorization: `Bearer ${token}` } });
    expect(accepted.status).toBe(200);

    const key = await localKey(running);
    const local = await new SignJWT({})
      .setProtectedHeader({ alg: 'ES256', kid: key.kid })
      .setIssuer('https://auth.agentconnect.example/api/v2')
      .setAudience('spie-parcours-client')
      .setSubject('ml-referent')
      .setIssuedAt(now)
      .setExpirationTime(now + 600)
      .sign(key.privateKey);
    const refused = await fetch(`${running.baseUrl}/v1/me`, { headers: { authorization: `Bearer ${local}` } });
    expect(refused.status).toBe(401);
  });
});

function localKey(running: RunningApp) {
  return loadOrCreateSigningKey(running.config.dataDir);
}
