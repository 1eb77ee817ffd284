/**
 * npm run bench:pages — each web page's time to answer, p50 over REQUESTS sequential requests on
 * loopback (after a warm-up), signed in by session, against the API's JSON for the same query
 * (bearer token) measured in the same run: the page's cost beyond the API is the rendering.
 * On the configured database (DATABASE_URL, else PGlite). By default on the demo's data (the Thiers
 * consortium and BENCH_DEMO_PARCOURS parcours, 3 000 as `npm run demo` loads), signed in as its
 * personas; BENCH_PAGES_DATA=sample takes the small sample of scripts/web-sample.ts instead.
 * Writes bench/results/pages.json.
 */
import { startSample } from '../scripts/web-sample.js';
import { loadDemo } from '../src/demo/demo-loader.js';
import { demoPartnerId } from '../src/demo/consortium.js';
import { loadOrCreateSigningKey, mintToken } from '../src/partners/auth/signing-key.js';
import { startApp } from '../test/support/test-app.js';
import { median, round2, writeResults } from './support.js';

const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 50);
const DATA = process.env.BENCH_PAGES_DATA === 'sample' ? 'sample' : 'demo';

interface Setting {
  running: Awaited<ReturnType<typeof startApp>>;
  /** Bearer headers for a user id. */
  as(userId: string): Promise<Record<string, string>>;
  personas: { referent: string; coordinator: string; auditor: string; partnerAdmin: string };
  organisationId: string;
  parcoursId: string;
  loaded: string;
}

async function sampleSetting(): Promise<Setting> {
  const { running, consortium, parcoursIds } = await startSample();
  return {
    running,
    as: (userId) => consortium.as(userId),
    personas: { referent: 'ml-referent', coordinator: 'cd63-coordinator', auditor: 'cd63-auditor', partnerAdmin: 'ml-partner_admin' },
    organisationId: consortium.missionLocale.id,
    parcoursId: parcoursIds[0]!,
    loaded: `sample: ${parcoursIds.length} parcours`,
  };
}

async function demoSetting(): Promise<Setting> {
  const running = await startApp({ WEB_LOCAL_SIGN_IN: 'on', RATE_LIMIT_PER_MINUTE: '1000000', RATE_LIMIT_PER_ADDRESS_PER_MINUTE: '1000000' });
  const report = await loadDemo(running.app, { parcours: Number(process.env.BENCH_DEMO_PARCOURS ?? 3_000) });
  const key = await loadOrCreateSigningKey(running.config.dataDir);
  const as = async (userId: string) => ({
    authorization: `Bearer ${await mintToken(key, { subject: userId, issuer: running.config.oidcIssuer, audience: running.config.oidcAudience })}`,
  });
  const referent = 'referente.cd63-thiers';
  const caseload = (await (await fetch(`${running.baseUrl}/v1/caseload?referent=me&limit=1`, { headers: await as(referent) })).json()) as { items: Array<{ parcoursId: string }> };
  const parcoursId = caseload.items[0]?.parcoursId;
  if (!parcoursId) throw new Error(`${referent} has no parcours in the demo`);
  return {
    running,
    as,
    personas: { referent, coordinator: 'coordinatrice.thiers', auditor: 'auditeur.ddets', partnerAdmin: 'admin.ml-thiers' },
    organisationId: demoPartnerId('ml-thiers'),
    parcoursId,
    loaded: `demo: ${report.organisations} organisations, ${report.parcours} parcours, ${report.events} events`,
  };
}

const setting = DATA === 'demo' ? await demoSetting() : await sampleSetting();
const { running } = setting;

async function sessionOf(userId: string): Promise<string> {
  const answer = await fetch(`${running.baseUrl}/web/connexion/locale`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'sec-fetch-site': 'same-origin' },
    body: new URLSearchParams({ utilisateur: userId, retour: '/web/accueil' }),
    redirect: 'manual',
  });
  const cookie = /spie_session=([^;]+)/.exec(answer.headers.get('set-cookie') ?? '')?.[1];
  if (!cookie) throw new Error(`no session for ${userId}`);
  return `spie_session=${cookie}`;
}

async function p50(url: string, headers: Record<string, string>): Promise<number> {
  const times: number[] = [];
  for (let index = 0; index < REQUESTS + 5; index++) {
    const started = performance.now();
    const answer = await fetch(`${running.baseUrl}${url}`, { headers });
    await answer.arrayBuffer();
    if (answer.status !== 200) throw new Error(`${url}: ${answer.status}`);
    if (index >= 5) times.push(performance.now() - started);
  }
  return round2(median(times));
}

const year = new Date().getFullYear();
const month = new Date().toISOString().slice(0, 7);
const from = `${year - 1}-${month.slice(5)}`;
const { referent, coordinator, auditor, partnerAdmin } = setting.personas;
const { parcoursId, organisationId } = setting;
const cases: { page: string; persona: string; web: string; api: string }[] = [
  { page: 'mes-parcours', persona: referent, web: '/web/mes-parcours', api: '/v1/caseload?referent=me&limit=200' },
  { page: 'parcours', persona: referent, web: `/web/parcours/${parcoursId}`, api: `/v1/parcours/${parcoursId}` },
  { page: 'territoire', persona: coordinator, web: `/web/territoire?du=${from}&au=${month}`, api: `/v1/reports/territories?from=${from}&to=${month}` },
  { page: 'territoire graphique.svg', persona: coordinator, web: `/web/territoire/graphique.svg?du=${from}&au=${month}`, api: `/v1/reports/territories?from=${from}&to=${month}` },
  { page: 'ruptures', persona: coordinator, web: '/web/ruptures', api: '/v1/reports/continuity' },
  { page: 'caom', persona: coordinator, web: `/web/caom?annee=${year}`, api: `/v1/reports/caom?year=${year}` },
  { page: 'audit', persona: auditor, web: `/web/audit/${parcoursId}`, api: `/v1/audit/parcours/${parcoursId}/timeline` },
  { page: 'organisation', persona: partnerAdmin, web: '/web/organisation', api: `/v1/partners/${organisationId}/members` },
];
const results: Record<string, { pageP50Ms: number; apiP50Ms: number; ratio: number }> = {};
try {
  for (const entry of cases) {
    const cookie = await sessionOf(entry.persona);
    const apiP50Ms = await p50(entry.api, await setting.as(entry.persona));
    const pageP50Ms = await p50(entry.web, { cookie });
    results[entry.page] = { pageP50Ms, apiP50Ms, ratio: round2(pageP50Ms / apiP50Ms) };
  }
} finally {
  await running.close();
}
console.log(setting.loaded);
console.table(results);
console.log(writeResults('pages', { database: process.env.DATABASE_URL ? 'postgres' : 'pglite', data: setting.loaded, requests: REQUESTS, results }));
