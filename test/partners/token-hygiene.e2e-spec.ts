import { SignJWT } from 'jose';
import { runCli } from '../../src/cli.js';
import { openDatabase } from '../../src/database/open-database.js';
import { type SqlClient } from '../../src/database/sql-client.js';
import { loadOrCreateSigningKey } from '../../src/partners/auth/signing-key.js';
import { type Consortium, seedConsortium } from '../support/consortium.js';
import { json } from '../support/http.js';
import { type RunningApp, startApp } from '../support/test-app.js';

describe('bearer token lifetime', () => {
  let running: RunningApp;
  let consortium: Consortium;

  beforeAll(async () => {
    running = await startApp({ TOKEN_MAX_LIFETIME_SECONDS: '3600' });
    consortium = await seedConsortium(running);
  });

  afterAll(async () => {
    await running.close();
  });

  const me = (token: string) => fetch(`${running.baseUrl}/v1/me`, { headers: { authorization: `Bearer ${token}` } });
  const referent = () => consortium.missionLocale.members.referent;

  it('accepts a token living TOKEN_MAX_LIFETIME_SECONDS, refuses one living longer with the reason', async () => {
    expect((await me(await consortium.token(referent(), { ttlSeconds: 3600 }))).status).toBe(200);
    for (const ttlSeconds of [3601, 100 * 365 * 86_400]) {
      const refused = await me(await consortium.token(referent(), { ttlSeconds }));
      expect(refused.status).toBe(401);
      expect(await json(refused)).toMatchObject({ code: 'invalid_token', detail: `lifetime (exp - iat) of ${ttlSeconds} s is longer than the 3600 s allowed` });
    }
  });

  it('refuses a token without iat, and one issued in the future', async () => {
    const key = await loadOrCreateSigningKey(running.config.dataDir);
    const now = Math.floor(Date.now() / 1000);
    const claims = (token: SignJWT) =>
      token.setProtectedHeader({ alg: 'ES256', kid: key.kid }).setIssuer(running.config.oidcIssuer).setAudience(running.config.oidcAudience).setSubject(referent());
    const withoutIat = await claims(new SignJWT({})).setExpirationTime(now + 600).sign(key.privateKey);
    expect(await json(await me(withoutIat))).toMatchObject({ status: 401, detail: 'iat claim missing' });
    // Within the lifetime, but only starting in a year: usable for a year and an hour if believed.
    const future = await consortium.token(referent(), { issuedAt: now + 365 * 86_400, ttlSeconds: 3600 });
    expect(await json(await me(future))).toMatchObject({ status: 401, code: 'invalid_token' });
  });
});

describe('cli tokens mint', () => {
  let running: RunningApp;
  let consortium: Consortium;
  const saved = { DATA_DIR: process.env.DATA_DIR, DATABASE_URL: process.env.DATABASE_URL, TOKEN_MAX_LIFETIME_SECONDS: process.env.TOKEN_MAX_LIFETIME_SECONDS };

  beforeAll(async () => {
    running = await startApp();
    consortium = await seedConsortium(running);
    // The embedded database is opened by one process at a time: the CLI runs once the service stopped.
    await running.stop();
    process.env.DATA_DIR = running.config.dataDir;
    process.env.DATABASE_URL = running.config.databaseUrl ?? '';
    process.env.TOKEN_MAX_LIFETIME_SECONDS = '7200';
  });

  afterAll(async () => {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    await running.close();
  });

  async function cli(argv: string[]): Promise<{ code: number; out: string; err: string }> {
    let out = '';
    let err = '';
    const write = { out: process.stdout.write, err: process.stderr.write };
    process.stdout.write = ((chunk: string) => ((out += chunk), true)) as typeof process.stdout.write;
    process.stderr.write = ((chunk: string) => ((err += chunk), true)) as typeof process.stderr.write;
    try {
      return { code: await runCli(argv), out, err };
    } finally {
      process.stdout.write = write.out;
      process.stderr.write = write.err;
    }
  }

  async function mintEntries(): Promise<Array<Record<string, unknown>>> {
    const db: SqlClient = await openDatabase(running.config);
    try {
      return await db.query(`SELECT actor_user_id, actor_role, record_type, record_id, outcome FROM access_journal WHERE operation = 'token.mint' ORDER BY entry_id`);
    } finally {
      await db.close();
    }
  }

  it('refuses a lifetime above TOKEN_MAX_LIFETIME_SECONDS, and a subject who is no member, minting nothing', async () => {
    expect(await cli(['tokens', 'mint', '--sub', consortium.missionLocale.members.referent, '--ttl', '7201'])).toEqual({
      code: 1,
      out: '',
      err: '--ttl must be 60 to 7200 seconds (TOKEN_MAX_LIFETIME_SECONDS): the service refuses a token that lives longer\n',
    });
    expect(await cli(['tokens', 'mint', '--sub', 'someone-unknown'])).toEqual({
      code: 1,
      out: '',
      err: 'no member has the id someone-unknown: add them to their organisation first\n',
    });
    expect(await mintEntries()).toEqual([]);
  });

  it('journals who minted a token for whom (never the token), and the token works up to the maximum', async () => {
    const minted = await cli(['tokens', 'mint', '--sub', consortium.missionLocale.members.referent, '--ttl', '7200']);
    expect(minted.code).toBe(0);
    const token = minted.out.trim();
    const [, payload] = token.split('.');
    const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString()) as { exp: number; iat: number; sub: string };
    expect(claims).toMatchObject({ sub: 'ml-referent' });
    expect(claims.exp - claims.iat).toBe(7200);

    const entries = await mintEntries();
    expect(entries).toEqual([
      { actor_user_id: expect.stringMatching(/^cli:.+/), actor_role: 'operator', record_type: 'member', record_id: 'ml-referent', outcome: 'ok' },
    ]);
    expect(JSON.stringify(entries)).not.toContain(token);
  });
});
