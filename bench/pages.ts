/**
 * npm run bench:pages — each web page's time to answer, p50 over REQUESTS sequential requests on
 * loopback (after a warm-up), signed in by session, against the API's JSON for the same query
 * (bearer token) measured in the same run: the page's cost beyond the API is the rendering.
 * On the configured database (DATABASE_URL, else PGlite), on the sample of scripts/web-sample.ts.
 * Writes bench/results/pages.json.
 */
import { startSample } from '../scripts/web-sample.js';
import { median, round2, writeResults } from './support.js';

const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 50);

const { running, consortium, parcoursIds } = await startSample();

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
const cases: { page: string; persona: string; web: string; api: string }[] = [
  { page: 'mes-parcours', persona: 'ml-referent', web: '/web/mes-parcours', api: '/v1/caseload?referent=me&limit=200' },
  { page: 'parcours', persona: 'ml-referent', web: `/web/parcours/${parcoursIds[0]}`, api: `/v1/parcours/${parcoursIds[0]}` },
  { page: 'territoire', persona: 'cd63-coordinator', web: `/web/territoire?du=${from}&au=${month}`, api: `/v1/reports/territories?from=${from}&to=${month}` },
  { page: 'territoire graphique.svg', persona: 'cd63-coordinator', web: `/web/territoire/graphique.svg?du=${from}&au=${month}`, api: `/v1/reports/territories?from=${from}&to=${month}` },
  { page: 'ruptures', persona: 'cd63-coordinator', web: '/web/ruptures', api: '/v1/reports/continuity' },
  { page: 'caom', persona: 'cd63-coordinator', web: `/web/caom?annee=${year}`, api: `/v1/reports/caom?year=${year}` },
  { page: 'audit', persona: 'cd63-auditor', web: `/web/audit/${parcoursIds[0]}`, api: `/v1/audit/parcours/${parcoursIds[0]}/timeline` },
  { page: 'organisation', persona: 'ml-partner_admin', web: '/web/organisation', api: `/v1/partners/${consortium.missionLocale.id}/members` },
];
const results: Record<string, { pageP50Ms: number; apiP50Ms: number; ratio: number }> = {};
try {
  for (const entry of cases) {
    const cookie = await sessionOf(entry.persona);
    const apiP50Ms = await p50(entry.api, await consortium.as(entry.persona));
    const pageP50Ms = await p50(entry.web, { cookie });
    results[entry.page] = { pageP50Ms, apiP50Ms, ratio: round2(pageP50Ms / apiP50Ms) };
  }
} finally {
  await running.close();
}
console.table(results);
console.log(writeResults('pages', { database: process.env.DATABASE_URL ? 'postgres' : 'pglite', requests: REQUESTS, results }));
