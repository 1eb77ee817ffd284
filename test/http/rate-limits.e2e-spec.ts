import { SqlClient } from '../../src/database/sql-client.js';
import { SharedRateCounter } from '../../src/http/rate-limits.js';
import { type Consortium, seedConsortium } from '../support/consortium.js';
import { json } from '../support/http.js';
import { type RunningApp, startApp } from '../support/test-app.js';
import { databaseTargets } from '../support/test-database.js';

const FORGED = { authorization: 'Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl' };

describe('limits per client address, counted before authentication', () => {
  let running: RunningApp;
  let consortium: Consortium;

  beforeAll(async () => {
    // Behind a proxy on this host: each test speaks for other clients through X-Forwarded-For.
    running = await startApp({ TRUST_PROXY: 'loopback', RATE_LIMIT_PER_ADDRESS_PER_MINUTE: '10', AUTH_FAILURES_PER_ADDRESS_PER_MINUTE: '5' });
    consortium = await seedConsortium(running);
  });

  afterAll(async () => {
    await running.close();
  });

  const from = (address: string, headers: Record<string, string> = {}) => ({ 'x-forwarded-for': address, ...headers });

  it('answers 429 once an address made RATE_LIMIT_PER_ADDRESS_PER_MINUTE requests, before looking at any credentials; probes exempt', async () => {
    for (let n = 0; n < 10; n += 1) expect((await fetch(`${running.baseUrl}/nowhere`, { headers: from('198.51.100.1') })).status).toBe(404);
    const limited = await fetch(`${running.baseUrl}/v1/me`, { headers: from('198.51.100.1') });
    expect(limited.status).toBe(429);
    expect(limited.headers.get('content-type')).toContain('application/problem+json');
    expect(limited.headers.get('x-content-type-options')).toBe('nosniff');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(Number(limited.headers.get('retry-after'))).toBeLessThanOrEqual(60);
    expect(await json(limited)).toMatchObject({ status: 429, code: 'rate_limited', title: 'Too many requests from your address' });

    expect((await fetch(`${running.baseUrl}/health`, { headers: from('198.51.100.1') })).status).toBe(200);
    expect((await fetch(`${running.baseUrl}/health/ready`, { headers: from('198.51.100.1') })).status).toBe(200);
    expect((await fetch(`${running.baseUrl}/v1/me`, { headers: from('198.51.100.2') })).status).toBe(401);
  });

  it('refuses an address that failed authentication AUTH_FAILURES_PER_ADDRESS_PER_MINUTE times, even with a valid token', async () => {
    for (let n = 0; n < 5; n += 1) expect((await fetch(`${running.baseUrl}/v1/me`, { headers: from('198.51.100.3', FORGED) })).status).toBe(401);
    const valid = await consortium.as(consortium.missionLocale.members.referent);
    const refused = await fetch(`${running.baseUrl}/v1/me`, { headers: from('198.51.100.3', valid) });
    expect(refused.status).toBe(429);
    expect(await json(refused)).toMatchObject({ code: 'rate_limited', title: 'Too many failed authentications from your address' });
    expect((await fetch(`${running.baseUrl}/v1/me`, { headers: from('198.51.100.4', valid) })).status).toBe(200);
  });

  it('counts an IPv6 client by its /64 network: a new address in it gets no new allowance', async () => {
    for (let n = 0; n < 5; n += 1) {
      expect((await fetch(`${running.baseUrl}/v1/me`, { headers: from(`2001:db8:aa:bb::${n + 1}`, FORGED) })).status).toBe(401);
    }
    expect((await fetch(`${running.baseUrl}/v1/me`, { headers: from('2001:db8:aa:bb:ffff::9', FORGED) })).status).toBe(429);
    expect((await fetch(`${running.baseUrl}/v1/me`, { headers: from('2001:db8:aa:bc::1', FORGED) })).status).toBe(401);
  });
});

describe('X-Forwarded-For without a trusted proxy (TRUST_PROXY unset)', () => {
  let running: RunningApp;

  beforeAll(async () => {
    running = await startApp({ AUTH_FAILURES_PER_ADDRESS_PER_MINUTE: '3' });
  });

  afterAll(async () => {
    await running.close();
  });

  it('does not let a client choose the address its limit is counted against', async () => {
    for (let n = 0; n < 3; n += 1) {
      expect((await fetch(`${running.baseUrl}/v1/me`, { headers: { ...FORGED, 'x-forwarded-for': `203.0.113.${n}` } })).status).toBe(401);
    }
    const spoofing = await fetch(`${running.baseUrl}/v1/me`, { headers: { ...FORGED, 'x-forwarded-for': '203.0.113.99' } });
    expect(spoofing.status).toBe(429);
  });
});

describe.each(databaseTargets())('limits shared between instances on $name', (target) => {
  // The embedded database is opened by one process only: there is no second instance to share with.
  if (target.name === 'pglite') return;

  let first: RunningApp;
  let second: RunningApp;
  let consortium: Consortium;

  beforeAll(async () => {
    first = await startApp({ RATE_LIMIT_PER_MINUTE: '20' });
    second = await startApp({ RATE_LIMIT_PER_MINUTE: '20' }, {}, { instanceOf: first });
    consortium = await seedConsortium(first);
  });

  afterAll(async () => {
    await second.close();
    await first.close();
  });

  it("holds an organisation to RATE_LIMIT_PER_MINUTE across both instances, and stores no client address in clear", async () => {
    const headers = await consortium.as(consortium.missionLocale.members.referent);
    const me = (instance: RunningApp) => fetch(`${instance.baseUrl}/v1/me`, { headers }).then((response) => response.status);
    for (let n = 0; n < 15; n += 1) expect(await me(first)).toBe(200);
    // Each instance reports its counts once a second; here, at once.
    await first.app.get(SharedRateCounter).sync();
    expect(await me(second)).toBe(200);
    await second.app.get(SharedRateCounter).sync();
    const onSecond = [];
    for (let n = 0; n < 6; n += 1) onSecond.push(await me(second));
    // 15 + 1 + 4 = 20: the second instance refuses what it would have let through on its own.
    expect(onSecond).toEqual([200, 200, 200, 200, 429, 429]);

    await second.app.get(SharedRateCounter).sync();
    await me(first);
    await first.app.get(SharedRateCounter).sync();
    expect(await me(first)).toBe(429);

    const keys = await first.app.get(SqlClient).query<{ key: string }>('SELECT key FROM rate_limit_counts ORDER BY key');
    expect(keys.map((row) => row.key)).toContain(`org:${consortium.missionLocale.id}`);
    expect(keys.map((row) => row.key).filter((key) => key.startsWith('addr:'))).toEqual([expect.stringMatching(/^addr:[A-Za-z0-9_-]{22}$/)]);
    expect(JSON.stringify(keys)).not.toContain('127.0.0.1');
  });
});
