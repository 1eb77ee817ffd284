import { randomUUID } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { ProjectionsService } from '../../src/projections/projections.module.js';
import { frenchDateTime } from '../../src/web/layout.js';
import { lineOf } from '../../src/web/territory.controller.js';
import type { TerritoryIndicatorRow } from '../../src/reporting/territory-indicators/territory-indicators.js';
import { newContext, seriousViolations } from '../support/browser.js';
import type { Consortium } from '../support/consortium.js';
import { day, today } from '../support/days.js';
import { json } from '../support/http.js';
import { clientWithParcours } from '../support/parcours-fixtures.js';
import { uniqueLastName } from '../support/people.js';
import type { RunningApp } from '../support/test-app.js';
import { closeWebPages, startWebPages } from '../support/web-pages.js';

/** The coordinator's territory page and the auditor's view, in a real browser, against the API's JSON for the same query. */
describe('web pages: coordinator and auditor', () => {
  let running: RunningApp;
  let consortium: Consortium;
  let browser: Browser;
  const { post, get, anOpenParcours, anOrientedParcours, aFollowedParcours } = clientWithParcours(() => running, () => consortium);
  const lastNames: string[] = [];
  let firstParcours: string;

  beforeAll(async () => {
    ({ running, consortium, browser } = await startWebPages());
    const openings: [string, number][] = [
      ['cc-thiers-dore-et-montagne', -100],
      ['cc-thiers-dore-et-montagne', -70],
      ['cc-thiers-dore-et-montagne', -10],
      ['cc-billom-communaute', -40],
    ];
    for (const [territory, offset] of openings) {
      const lastName = uniqueLastName('Territoire');
      lastNames.push(lastName);
      const jean = {
        identity: { firstName: 'Jean', lastName, birthDate: '1979-03-02' },
        territory,
        entryOn: day(offset),
        orientedOn: day(offset + 12),
        notifiedOn: day(offset + 12),
        referentAssignedOn: day(offset + 14),
      };
      // Oriented to the mission locale when entered more than 30 days ago, and in Thiers followed by its référent.
      const oriented = offset < -30;
      const followed = oriented && territory === 'cc-thiers-dore-et-montagne';
      const parcoursId = followed ? await aFollowedParcours(jean) : oriented ? await anOrientedParcours(jean) : await anOpenParcours(jean);
      firstParcours ??= parcoursId;
      if (followed) {
        // A PEC of 26 h (funded) and one of 20 h (refused: under the weekly minimum), for the CAOM page.
        await post('ml-referent', `/v1/parcours/${parcoursId}/employment-contracts`, {
          contractId: randomUUID(), kind: 'PEC', employerSiret: '73282932000074', weeklyHours: offset === -100 ? 26 : 20, startsOn: day(offset + 20), plannedEndOn: day(offset + 200),
        });
      }
    }
    await running.app.get(ProjectionsService).whenCaughtUp();
  });

  afterAll(() => closeWebPages({ running, browser }));

  async function signIn(page: Page, userId: string, path: string): Promise<void> {
    await page.goto(`${running.baseUrl}${path}`);
    await page.click(`button[data-persona="${userId}"]`);
    expect(new URL(page.url()).pathname).toBe(path.split('?')[0]);
  }

  it('territoire: the figures shown are the API\'s for the same query, the chart is an SVG drawn by ECharts, the CSV is what is shown', async () => {
    const { context, page, problems } = await newContext(browser);
    const from = day(-120).slice(0, 7);
    const to = today.slice(0, 7);
    await signIn(page, 'cd63-coordinator', `/web/territoire?du=${from}&au=${to}`);
    const shown = await page.$$eval('#indicateurs tbody tr', (rows) => rows.map((row) => [...row.querySelectorAll('td')].map((cell) => cell.textContent!.trim())));
    const api = (await json(await get('cd63-coordinator', `/v1/reports/territories?from=${from}&to=${to}`))) as unknown as TerritoryIndicatorRow[];
    const expected = api.filter((row) => row.territory === 'cc-thiers-dore-et-montagne' || row.territory === 'cc-billom-communaute');
    expect(shown).toHaveLength(api.length);
    // Entries per EPCI and month, and the medians, as the API says.
    for (const row of expected) {
      const line = lineOf(row);
      const cells = shown.find((cells) => cells[1] === row.month && cells[0] !== undefined && (row.territory === 'cc-billom-communaute' ? cells[0].includes('Billom') : cells[0].includes('Thiers')));
      expect(cells?.slice(2, 4)).toEqual([String(line.entries), line.entryToOrientationMedian === null ? '—' : String(line.entryToOrientationMedian)]);
    }
    const totalEntries = shown.reduce((sum, cells) => sum + Number(cells[2]), 0);
    expect(totalEntries).toBe(api.reduce((sum, row) => sum + row.entries, 0));
    expect(totalEntries).toBe(4);

    const chart = await page.request.get(`${running.baseUrl}${await page.getAttribute('figure img', 'src')}`);
    expect(chart.headers()['content-type']).toContain('image/svg+xml');
    const svg = await chart.text();
    expect(svg).toMatch(/^<svg[^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    expect(svg).not.toMatch(/<script/i);
    expect(svg).toContain('Billom');
    // Rendered in the page (the image decodes: a broken one has no natural width).
    expect(await page.$eval('figure img', (image) => (image as unknown as { naturalWidth: number }).naturalWidth)).toBeGreaterThan(0);

    const download = await page.request.get(`${running.baseUrl}${await page.getAttribute('#telecharger', 'href')}`);
    expect(download.headers()['content-disposition']).toContain('attachment');
    const csvLines = (await download.text()).replace(/^\uFEFF/, '').trim().split('\r\n');
    expect(csvLines).toHaveLength(shown.length + 1);
    expect(csvLines.slice(1).map((line) => line.split(';').map((cell) => cell.replace(/^"|"$/g, '')))).toEqual(shown);

    expect(await seriousViolations(page)).toEqual([]);
    expect(problems).toEqual([]);
    await context.close();
  });

  it('territoire: a wrong month is the API\'s 400; a référent is refused (403)', async () => {
    const { context, page } = await newContext(browser);
    await signIn(page, 'cd63-coordinator', '/web/territoire');
    const wrong = await page.goto(`${running.baseUrl}/web/territoire?du=2026-13`);
    expect(wrong?.status()).toBe(400);
    await context.close();
    const other = await newContext(browser);
    await other.page.goto(`${running.baseUrl}/web/connexion`);
    await other.page.click('button[data-persona="ml-referent"]');
    const refused = await other.page.goto(`${running.baseUrl}/web/territoire`);
    expect(refused?.status()).toBe(403);
    expect(await other.page.textContent('h1')).toBe('Accès refusé');
    await other.context.close();
  });

  it('ruptures: the API\'s report for the same filters, each linking to the parcours\' continuity with its evidence', async () => {
    const { context, page, problems } = await newContext(browser);
    await signIn(page, 'cd63-coordinator', '/web/ruptures?territoire=cc-thiers-dore-et-montagne');
    const shown = await page.$$eval('#ruptures tbody tr', (rows) => rows.map((row) => `${row.getAttribute('data-parcours')}:${row.getAttribute('data-regle')}`));
    const api = await json(await get('cd63-coordinator', '/v1/reports/continuity?territory=cc-thiers-dore-et-montagne'));
    const expected = (api.ruptures as { parcoursId: string; ruleId: string }[]).map((rupture) => `${rupture.parcoursId}:${rupture.ruleId}`);
    expect(expected.length).toBeGreaterThan(0);
    expect(shown.sort()).toEqual(expected.sort());
    const byRule = await page.$$eval('#par-regle tbody tr', (rows) => rows.map((row) => [row.getAttribute('data-regle'), row.querySelectorAll('td')[0]!.textContent]));
    for (const [rule, open] of byRule) expect(Number(open)).toBe(api.summary[rule!].open);
    expect(await seriousViolations(page)).toEqual([]);
    await page.click('#ruptures tbody tr a');
    expect(new URL(page.url()).pathname).toMatch(/^\/web\/parcours\//);
    expect(await page.textContent('#ruptures')).toContain('preuves');
    expect(problems).toEqual([]);
    await context.close();
  });

  it('an auditor sees the territory and a parcours pseudonymised: never a name', async () => {
    const { context, page, problems } = await newContext(browser);
    await signIn(page, 'cd63-auditor', `/web/parcours/${firstParcours}`);
    const text = (await page.textContent('main'))!;
    expect(text).toContain('Personne pseudonymisée');
    for (const lastName of lastNames) expect(await page.content()).not.toContain(lastName);
    expect(await page.$('#formulaire-contact')).toBeNull();
    await page.goto(`${running.baseUrl}/web/territoire`);
    for (const lastName of lastNames) expect(await page.content()).not.toContain(lastName);
    expect(await seriousViolations(page)).toEqual([]);
    expect(problems).toEqual([]);
    await context.close();
  });

  it('audit: chain verified, state replayed as of a date equal to the API\'s, history — and no name anywhere', async () => {
    const { context, page, problems } = await newContext(browser);
    await signIn(page, 'cd63-auditor', `/web/audit/${firstParcours}`);
    expect(await page.textContent('#verification')).toContain('aucune altération');
    const api = await json(await get('cd63-auditor', `/v1/audit/parcours/${firstParcours}/state?asOf=${today}`));
    expect(await page.textContent('#etat-rejoue')).toContain(`${api.version} (${api.eventsApplied} événement(s)`);
    const history = await page.$$eval('#historique tbody tr', (rows) => rows.length);
    expect(history).toBe(api.eventsApplied);
    // Before the entry, the parcours did not exist.
    await page.fill('#date', day(-101));
    await page.click('#rejeu button[type=submit]');
    expect(await page.textContent('#etat-rejoue')).toContain("n'existait pas");
    for (const lastName of lastNames) expect(await page.content()).not.toContain(lastName);
    expect(await seriousViolations(page)).toEqual([]);
    expect(problems).toEqual([]);
    await context.close();
  });

  it('partner admin: its organisation\'s members and keys as the API lists them, nobody else\'s', async () => {
    const { context, page, problems } = await newContext(browser);
    await signIn(page, 'ml-partner_admin', '/web/organisation');
    const shown = await page.$$eval('#membres tbody tr', (rows) => rows.map((row) => row.getAttribute('data-membre')));
    const api = (await json(await get('ml-partner_admin', `/v1/partners/${consortium.missionLocale.id}/members`))) as unknown as { userId: string }[];
    expect(shown.sort()).toEqual(api.map((member) => member.userId).sort());
    expect(shown).not.toContain('aci-referent');
    expect(await page.textContent('#flux')).toBeTruthy();
    expect(await seriousViolations(page)).toEqual([]);
    // Nothing read yet: the whole feed waits.
    const unread = await json(await get('ml-partner_admin', `/v1/partners/${consortium.missionLocale.id}/feed-status`));
    expect(unread.readers.pendingEvents).toBeGreaterThan(1);
    expect((await page.textContent('#flux-position'))!.trim()).toBe('aucune page servie');
    expect((await page.textContent('#flux-attente'))!.trim()).toBe(String(unread.readers.pendingEvents));
    expect((await page.textContent('#flux-lecture'))!.trim()).toBe('jamais');
    // The organisation's software reads a page, and a webhook endpoint starts from the beginning.
    const read = await json(await get('ml-referent', '/v1/feed?limit=1'));
    const hook = await post('ml-partner_admin', `/v1/partners/${consortium.missionLocale.id}/webhooks`, { url: 'https://suivi.example.org/spie', description: 'Logiciel de suivi', after: '0-0' });
    await page.reload();
    const status = await json(await get('ml-partner_admin', `/v1/partners/${consortium.missionLocale.id}/feed-status`));
    expect(status.readers.servedCursor).toBe(read.nextCursor);
    expect((await page.textContent('#flux-position'))!.trim()).toBe(status.readers.servedCursor);
    expect((await page.textContent('#flux-attente'))!.trim()).toBe(String(status.readers.pendingEvents));
    expect(status.readers.pendingEvents).toBe(unread.readers.pendingEvents - 1);
    expect(await page.textContent('#flux-tete')).toContain(status.headCursor);
    expect((await page.textContent('#flux-lecture'))!.trim()).toMatch(new RegExp(`^${frenchDateTime(status.readers.lastReadAt)} \\(il y a \\d+ s\\)$`));
    expect((await page.textContent('#flux-pages'))!.trim()).toBe(String(status.readers.pagesServed));
    const hooks = await page.$$eval('#webhooks tbody tr', (rows) => rows.map((row) => [row.getAttribute('data-webhook'), ...[...row.querySelectorAll('td')].map((cell) => cell.textContent!.trim())]));
    const shownHook = status.webhooks.find((webhook: { id: string }) => webhook.id === hook.id);
    expect(hooks).toEqual([[hook.id, 'https://suivi.example.org/spie', expect.any(String), shownHook.cursor, String(shownHook.pendingEvents), expect.any(String)]]);
    expect(shownHook.cursor).toBe('0-0');
    expect(await seriousViolations(page)).toEqual([]);
    expect(problems).toEqual([]);
    await context.close();
  });

  it('CAOM: each volet against its envelope and the lines with their reasons, as the API reports them', async () => {
    const { context, page, problems } = await newContext(browser);
    const year = today.slice(0, 4);
    await signIn(page, 'cd63-coordinator', `/web/caom?annee=${year}`);
    const api = await json(await get('cd63-coordinator', `/v1/reports/caom?year=${year}`));
    const lines = await page.$$eval('#lignes tbody tr', (rows) => rows.map((row) => `${row.getAttribute('data-contrat')}:${row.getAttribute('data-statut')}`));
    const expected = [...api.pec.lines, ...api.aci.lines, ...api.ei.lines, ...api.ebe.lines].map((line: { contractId: string; status: string }) => `${line.contractId}:${line.status}`);
    expect(expected).toHaveLength(2);
    expect(lines.sort()).toEqual(expected.sort());
    expect(await page.textContent('#lignes')).toContain('durée hebdomadaire sous le minimum');
    const remaining = await page.$$eval('#enveloppes tbody tr[data-volet^="pec-"]', (rows) => rows.map((row) => row.querySelectorAll('td')[2]!.textContent!.replace(/\s/g, '')));
    const euros = (cents: number) => (cents / 100).toLocaleString('fr-FR', { style: 'currency', currency: 'EUR' }).replace(/\s/g, '');
    expect(remaining).toEqual(Object.values(api.pec.envelopes as Record<string, { remainingCents: number }>).map((envelope) => euros(envelope.remainingCents)));
    expect(await page.$eval('figure img', (image) => (image as unknown as { naturalWidth: number }).naturalWidth)).toBeGreaterThan(0);
    expect(await seriousViolations(page)).toEqual([]);
    expect(problems).toEqual([]);
    await context.close();
  });

  // The consortium's members are `<prefix>-<role>` (test/support/consortium.ts): one test each.
  const HOMES: Record<string, string> = {
    referent: '/web/mes-parcours',
    orientation_manager: '/web/mes-parcours',
    coordinator: '/web/territoire',
    auditor: '/web/territoire',
    dpo: '/web/accueil',
    partner_admin: '/web/organisation',
    platform_admin: '/web/organisation',
  };
  const PERSONAS = ['cd63', 'ml', 'aci'].flatMap((prefix) => Object.keys(HOMES).map((role) => [`${prefix}-${role}`, HOMES[role]!] as const));

  it.each(PERSONAS)('persona %s signs in and lands on %s: no console error, no serious accessibility violation', async (userId, home) => {
    const { context, page, problems } = await newContext(browser);
    await page.goto(`${running.baseUrl}/web`);
    await page.click(`button[data-persona="${userId}"]`);
    expect(new URL(page.url()).pathname).toBe(home);
    expect(await page.textContent('.fr-header__tools-links')).toContain(userId);
    expect(await seriousViolations(page)).toEqual([]);
    expect(problems).toEqual([]);
    await context.close();
  });
});
