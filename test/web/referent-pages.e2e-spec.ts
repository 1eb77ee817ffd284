import type { Browser, Page } from 'playwright-core';
import { PrincipalResolver } from '../../src/partners/auth/principal-resolver.js';
import { ProjectionsService } from '../../src/projections/projections.module.js';
import { newContext, seriousViolations } from '../support/browser.js';
import { type Consortium, seedConsortium } from '../support/consortium.js';
import { day } from '../support/days.js';
import { type Body, json } from '../support/http.js';
import { clientWithParcours } from '../support/parcours-fixtures.js';
import { uniqueLastName } from '../support/people.js';
import { type RunningApp, startApp } from '../support/test-app.js';
import { closeWebPages, startWebPages } from '../support/web-pages.js';

/**
 * The référent's pages in a real browser (Debian's Chromium): local sign-in, the caseload equal to
 * the API's for the same member, the parcours page, the contact form (CSRF, If-Match), sign-out.
 */
describe('web pages: référent', () => {
  let running: RunningApp;
  let consortium: Consortium;
  let browser: Browser;
  const { get, anOpenParcours, aFollowedParcours } = clientWithParcours(() => running, () => consortium);
  const mine: string[] = [];
  let aciParcours: string;
  /** A parcours for the employment, action and reorientation forms. */
  let formsParcours: string;

  /** Léa, a new person each time, entered `entryOn` in `territory`. */
  const lea = (territory: string, entryOn: string) => ({ identity: { firstName: 'Léa', lastName: uniqueLastName('Pages'), birthDate: '1984-05-06' }, territory, entryOn });
  /** Léa in Thiers, oriented to the mission locale 5 days after her entry (notified that day), followed by ml-referent from the next day. */
  const followedLea = (entryOffset: number) =>
    aFollowedParcours({ ...lea('cc-thiers-dore-et-montagne', day(entryOffset)), orientedOn: day(entryOffset + 5), notifiedOn: day(entryOffset + 5), referentAssignedOn: day(entryOffset + 6) });

  beforeAll(async () => {
    ({ running, consortium, browser } = await startWebPages());
    for (const offset of [-200, -20]) mine.push(await followedLea(offset));
    formsParcours = await followedLea(-60);
    // Another organisation's parcours, on another territory.
    aciParcours = await anOpenParcours({ ...lea('cc-billom-communaute', day(-30)), openedBy: 'aci-referent' });
    await running.app.get(ProjectionsService).whenCaughtUp();
  });

  afterAll(() => closeWebPages({ running, browser }));

  async function signIn(page: Page, userId: string, path = '/web'): Promise<void> {
    await page.goto(`${running.baseUrl}${path}`);
    expect(new URL(page.url()).pathname).toBe('/web/connexion');
    await page.click(`button[data-persona="${userId}"]`);
  }

  it('signs in from the persona list; the cookie is HttpOnly and SameSite=Lax; the caseload is the API\'s, by urgency, and nothing of another organisation', async () => {
    const { context, page, problems } = await newContext(browser);
    await page.goto(`${running.baseUrl}/web`);
    expect(await seriousViolations(page)).toEqual([]);
    await signIn(page, 'ml-referent');
    expect(new URL(page.url()).pathname).toBe('/web/mes-parcours');
    const session = (await context.cookies()).find((cookie) => cookie.name === 'spie_session');
    expect(session).toMatchObject({ httpOnly: true, sameSite: 'Lax', secure: false, path: '/' });
    const shown = await page.$$eval('#portefeuille tbody tr', (rows) => rows.map((row) => row.getAttribute('data-parcours')));
    const api = await json(await get('ml-referent', '/v1/caseload?referent=me&limit=200'));
    expect(new Set(shown)).toEqual(new Set((api.items as Body[]).map((item) => item.parcoursId)));
    expect(new Set(shown)).toEqual(new Set([...mine, formsParcours]));
    expect(shown).not.toContain(aciParcours);
    // Of the two opened alike, the oldest, with its ruptures, comes first.
    expect(shown.filter((id) => mine.includes(id!))[0]).toBe(mine[0]);
    expect(await seriousViolations(page)).toEqual([]);
    expect(problems).toEqual([]);
    await context.close();
  });

  it('a référent opening another organisation\'s parcours gets the API\'s 404, in French', async () => {
    const { context, page } = await newContext(browser);
    await signIn(page, 'ml-referent');
    const response = await page.goto(`${running.baseUrl}/web/parcours/${aciParcours}`);
    expect(response?.status()).toBe(404);
    expect(await page.textContent('h1')).toBe('Page introuvable');
    expect(await page.content()).not.toContain('Pages');
    await context.close();
  });

  it('records a contact through the form (the API sees it); a stale version is refused with 412 and nothing is written', async () => {
    const { context, page, problems } = await newContext(browser);
    await signIn(page, 'ml-referent', `/web/parcours/${mine[1]}`);
    expect(new URL(page.url()).pathname).toBe(`/web/parcours/${mine[1]}`);
    expect(await seriousViolations(page)).toEqual([]);
    // A second tab reads the same version, then the first records a contact.
    const stale = await context.newPage();
    await stale.goto(`${running.baseUrl}/web/parcours/${mine[1]}`);
    await page.selectOption('#contacts-channel', 'phone');
    await page.fill('#contacts-contactedOn', day(-1));
    await page.fill('#contacts-note', 'Appel de suivi');
    await page.click('#formulaire-contacts button[type=submit]');
    expect(new URL(page.url()).searchParams.get('enregistre')).toBe('contacts');
    expect(await page.textContent('#contacts')).toContain('Appel de suivi');
    // The timeline picture: an SVG drawn by ECharts on the server, decoded by the browser.
    expect(await page.$eval('#frise', (image) => (image as unknown as { naturalWidth: number }).naturalWidth)).toBeGreaterThan(0);
    const picture = await (await page.request.get(`${running.baseUrl}/web/parcours/${mine[1]}/frise.svg`)).text();
    expect(picture).toMatch(/^<svg/);
    expect(picture).toContain('Contacts');
    const view = await json(await get('ml-referent', `/v1/parcours/${mine[1]}`));
    expect(view.contacts).toEqual([expect.objectContaining({ channel: 'phone', contactedOn: day(-1), note: 'Appel de suivi', partnerId: consortium.missionLocale.id })]);
    // The stale tab still holds the old version: 412, the current state shown, nothing written.
    await stale.fill('#contacts-note', 'Doublon');
    const [answer] = await Promise.all([stale.waitForNavigation(), stale.click('#formulaire-contacts button[type=submit]')]);
    expect(answer?.status()).toBe(412);
    expect(await stale.textContent('.fr-alert--warning')).toContain('modifié');
    expect((await json(await get('ml-referent', `/v1/parcours/${mine[1]}`))).contacts).toHaveLength(1);
    // Sent again from the refreshed form (the current version), it is recorded.
    await stale.click('#formulaire-contacts button[type=submit]');
    expect((await json(await get('ml-referent', `/v1/parcours/${mine[1]}`))).contacts).toHaveLength(2);
    expect(problems.filter((problem) => !problem.includes('412'))).toEqual([]);
    await context.close();
  });

  it('refuses a form without its CSRF token, and a form field the API refuses is shown by the field', async () => {
    const { context, page } = await newContext(browser);
    await signIn(page, 'ml-referent', `/web/parcours/${mine[0]}`);
    const before = (await json(await get('ml-referent', `/v1/parcours/${mine[0]}`))).contacts.length as number;
    await page.fill('#contacts-contactedOn', '2026-02-30');
    const [invalid] = await Promise.all([page.waitForNavigation(), page.click('#formulaire-contacts button[type=submit]')]);
    expect(invalid?.status()).toBe(400);
    expect(await page.textContent('#erreur-contacts-contactedOn')).toBeTruthy();
    // Otherwise valid: only the token is wrong.
    await page.fill('#contacts-contactedOn', day(-2));
    await page.$eval('#formulaire-contacts input[name=_csrf]', (input) => input.setAttribute('value', 'forged'));
    const [forged] = await Promise.all([page.waitForNavigation(), page.click('#formulaire-contacts button[type=submit]')]);
    expect(forged?.status()).toBe(403);
    expect((await json(await get('ml-referent', `/v1/parcours/${mine[0]}`))).contacts).toHaveLength(before);
    await context.close();
  });

  it('records a rendez-vous, a contract and then the exit through their forms, as the API records them', async () => {
    const { context, page, problems } = await newContext(browser);
    await signIn(page, 'ml-referent', `/web/parcours/${mine[0]}`);
    await page.click('summary:has-text("Enregistrer un rendez-vous")');
    await page.selectOption('#rendez-vous-outcome', 'no_show');
    await page.fill('#rendez-vous-scheduledOn', day(-3));
    await page.click('#formulaire-rendez-vous button[type=submit]');
    expect(await page.textContent('[role=status]')).toContain('rendez-vous est enregistré');
    const afterAppointment = await json(await get('ml-referent', `/v1/parcours/${mine[0]}`));
    expect(afterAppointment.appointments).toEqual([expect.objectContaining({ kind: 'accompaniment', outcome: 'no_show', scheduledOn: day(-3), partnerId: consortium.missionLocale.id })]);
    await page.click('summary:has-text("Signer un contrat")');
    await page.fill('#contrats-signedOn', day(-2));
    await page.fill('#contrats-startsOn', day(-2));
    await page.fill('#contrats-endsOn', day(180));
    await page.fill('#contrats-weeklyActivityHours', '15');
    await page.click('#formulaire-contrats button[type=submit]');
    expect(await page.textContent('[role=status]')).toContain("contrat d'engagement est enregistré");
    const signed = await json(await get('ml-referent', `/v1/parcours/${mine[0]}`));
    expect(signed.engagementContracts).toEqual([expect.objectContaining({ kind: 'CE', startsOn: day(-2), endsOn: day(180), weeklyActivityHours: 15 })]);
    await page.click('summary:has-text("Enregistrer la sortie")');
    await page.selectOption('#sortie-reason', 'cdd_6_months_or_more');
    await page.fill('#sortie-exitedOn', day(-1));
    await page.click('#formulaire-sortie button[type=submit]');
    expect(await page.textContent('#etat')).toContain('Sorti');
    const exited = await json(await get('ml-referent', `/v1/parcours/${mine[0]}`));
    expect(exited).toMatchObject({ status: 'exited', lastExit: expect.objectContaining({ category: 'emploi_durable', reason: 'cdd_6_months_or_more', exitedOn: day(-1) }) });
    expect(await seriousViolations(page)).toEqual([]);
    expect(problems).toEqual([]);
    await context.close();
  });

  /** Sends the form `slug` (opening its disclosure first), waiting for the answer's page; its status. */
  async function submit(page: Page, slug: string, title: string): Promise<number | undefined> {
    if (!(await page.$eval(`#formulaire-${slug}`, (form) => (form.closest('details') as unknown as { open: boolean }).open))) await page.click(`summary:has-text("${title}")`);
    const [answer] = await Promise.all([page.waitForNavigation(), page.click(`#formulaire-${slug} button[type=submit]`)]);
    return answer?.status();
  }

  const formsOn = (page: Page) => page.$$eval('form[id^="formulaire-"]', (forms) => forms.map((form) => form.id.replace('formulaire-', '')));

  it('records an employment contract (CDDI in an ACI) and its end, an action and its status, and a reorientation request, as the API records them', async () => {
    const { context, page, problems } = await newContext(browser);
    await signIn(page, 'ml-referent', `/web/parcours/${formsParcours}`);
    // Nothing to end yet, and the decision of a reorientation is not the référent's.
    expect(await formsOn(page)).toEqual(['contacts', 'rendez-vous', 'contrats', 'contrats-de-travail', 'actions', 'demande-de-reorientation', 'sortie']);
    // Every option is labelled in French (no code shown as a label).
    const labels = await page.$$eval('#formulaire-contrats-de-travail option', (options) => options.map((option) => option.textContent!.trim()));
    expect(labels).toEqual(expect.arrayContaining(['Parcours emploi compétences (PEC)', "CDD d'insertion (CDDI) en SIAE", "CDI en entreprise à but d'emploi (EBE)", "Atelier et chantier d'insertion (ACI)"]));

    await page.click('summary:has-text("Enregistrer un contrat de travail")');
    await page.selectOption('#contrats-de-travail-kind', 'CDDI');
    await page.selectOption('#contrats-de-travail-employerPartnerId', '');
    await page.fill('#contrats-de-travail-employerSiret', '73282932000074');
    await page.selectOption('#contrats-de-travail-structureKind', 'ACI');
    await page.fill('#contrats-de-travail-weeklyHours', '26');
    await page.fill('#contrats-de-travail-startsOn', day(-20));
    await page.fill('#contrats-de-travail-plannedEndOn', day(160));
    expect(await submit(page, 'contrats-de-travail', 'Enregistrer un contrat de travail')).toBe(200);
    expect(await page.textContent('[role=status]')).toContain('contrat de travail est enregistré');
    let view = await json(await get('ml-referent', `/v1/parcours/${formsParcours}`));
    expect(view.employmentContracts).toEqual([
      expect.objectContaining({ kind: 'CDDI', employerSiret: '73282932000074', employerPartnerId: null, structureKind: 'ACI', weeklyHours: 26, startsOn: day(-20), plannedEndOn: day(160), ended: null }),
    ]);
    const contractId = view.employmentContracts[0].contractId as string;

    // One contract open: it may be ended, no second one started.
    expect(await formsOn(page)).toContain('fin-de-contrat-de-travail');
    expect(await formsOn(page)).not.toContain('contrats-de-travail');
    await page.click('summary:has-text("Enregistrer la fin d\'un contrat de travail")');
    expect(await page.$$eval('#fin-de-contrat-de-travail-contractId option', (options) => options.map((option) => option.getAttribute('value')))).toEqual([contractId]);
    await page.selectOption('#fin-de-contrat-de-travail-reason', 'hired_permanent');
    await page.fill('#fin-de-contrat-de-travail-endedOn', day(-3));
    expect(await submit(page, 'fin-de-contrat-de-travail', "Enregistrer la fin d'un contrat de travail")).toBe(200);
    view = await json(await get('ml-referent', `/v1/parcours/${formsParcours}`));
    expect(view.employmentContracts[0].ended).toEqual(expect.objectContaining({ endedOn: day(-3), reason: 'hired_permanent' }));

    await page.click('summary:has-text("Prescrire une action")');
    await page.selectOption('#actions-kind', 'immersion_pmsmp');
    await page.fill('#actions-prescribedOn', day(-6));
    expect(await submit(page, 'actions', 'Prescrire une action')).toBe(200);
    view = await json(await get('ml-referent', `/v1/parcours/${formsParcours}`));
    expect(view.actions).toEqual([expect.objectContaining({ kind: 'immersion_pmsmp', prescribedOn: day(-6), providerPartnerId: null, status: 'prescribed' })]);

    await page.click('summary:has-text("Changer le statut d\'une action")');
    await page.selectOption('#statut-action-status', 'completed');
    await page.fill('#statut-action-changedOn', day(-1));
    expect(await submit(page, 'statut-action', "Changer le statut d'une action")).toBe(200);
    view = await json(await get('ml-referent', `/v1/parcours/${formsParcours}`));
    expect(view.actions).toEqual([expect.objectContaining({ status: 'completed', statusChangedOn: day(-1) })]);
    // A completed action is over: no status form left.
    expect(await formsOn(page)).not.toContain('statut-action');

    await page.click('summary:has-text("Demander une réorientation")');
    await page.selectOption('#demande-de-reorientation-reason', 'new_barriers');
    await page.selectOption('#demande-de-reorientation-proposedParcoursType', 'socio_professionnel');
    await page.fill('#demande-de-reorientation-requestedOn', day(-1));
    expect(await submit(page, 'demande-de-reorientation', 'Demander une réorientation')).toBe(200);
    expect(await page.textContent('[role=status]')).toContain('demande de réorientation est enregistrée');
    view = await json(await get('ml-referent', `/v1/parcours/${formsParcours}`));
    expect(view.pendingReorientation).toEqual(expect.objectContaining({ reason: 'new_barriers', proposedParcoursType: 'socio_professionnel', requestedOn: day(-1), requestedBy: 'ml-referent' }));
    // Pending: not asked twice; and still no decision form for a référent.
    expect(await formsOn(page)).not.toContain('demande-de-reorientation');
    expect(await formsOn(page)).not.toContain('decision-de-reorientation');
    expect(await seriousViolations(page)).toEqual([]);
    expect(problems).toEqual([]);
    await context.close();
  });

  it('an invalid value in a new form is shown by its field (400) and nothing is written', async () => {
    const { context, page, problems } = await newContext(browser);
    await signIn(page, 'ml-referent', `/web/parcours/${formsParcours}`);
    const before = await json(await get('ml-referent', `/v1/parcours/${formsParcours}`));
    await page.click('summary:has-text("Enregistrer un contrat de travail")');
    await page.fill('#contrats-de-travail-weeklyHours', '99');
    expect(await submit(page, 'contrats-de-travail', 'Enregistrer un contrat de travail')).toBe(400);
    expect(await page.textContent('#erreur-contrats-de-travail-weeklyHours')).toBeTruthy();
    expect(await page.getAttribute('#contrats-de-travail-weeklyHours', 'aria-describedby')).toBe('erreur-contrats-de-travail-weeklyHours');
    // The form comes back open, with what was typed.
    expect(await page.inputValue('#contrats-de-travail-weeklyHours')).toBe('99');
    expect(await seriousViolations(page)).toEqual([]);
    // A rule of the parcours (a CDDI is signed with an SIAE) is the API's 422, shown on the form.
    await page.fill('#contrats-de-travail-weeklyHours', '26');
    await page.selectOption('#contrats-de-travail-kind', 'CDDI');
    await page.selectOption('#contrats-de-travail-structureKind', '');
    await page.fill('#contrats-de-travail-plannedEndOn', day(100));
    expect(await submit(page, 'contrats-de-travail', 'Enregistrer un contrat de travail')).toBe(422);
    expect(await page.textContent('#formulaire-contrats-de-travail .fr-alert--warning')).toContain('SIAE');
    // An id the list never offered (the contract to end), posted by hand: the field's error, at the top since no contract is open to choose.
    const forged = await page.request.post(`${running.baseUrl}/web/parcours/${formsParcours}/fin-de-contrat-de-travail`, {
      form: { _csrf: (await page.getAttribute('#formulaire-contacts input[name=_csrf]', 'value'))!, version: String(before.version), contractId: 'pas-un-contrat', endedOn: day(0), reason: 'other' },
    });
    expect(forged.status()).toBe(400);
    expect(await forged.text()).toMatch(/id="refus"[^>]*><p>Enregistrer la fin d&#39;un contrat de travail : contractId must be chosen from the list/);
    await page.click('summary:has-text("Prescrire une action")');
    await page.fill('#actions-prescribedOn', '2026-02-30');
    expect(await submit(page, 'actions', 'Prescrire une action')).toBe(400);
    expect(await page.textContent('#erreur-actions-prescribedOn')).toBeTruthy();
    const after = await json(await get('ml-referent', `/v1/parcours/${formsParcours}`));
    expect(after.version).toBe(before.version);
    // The refused forms' own answers (400, 422) and nothing else.
    expect(problems.filter((problem) => !/\b(400|422)\b/.test(problem) || !problem.includes(formsParcours))).toEqual([]);
    await context.close();
  });

  it('an orientation manager decides the pending reorientation with its form (a référent never sees it); a missing field is shown by the field', async () => {
    const { context, page, problems } = await newContext(browser);
    await signIn(page, 'ml-orientation_manager', `/web/parcours/${formsParcours}`);
    expect(await formsOn(page)).toContain('decision-de-reorientation');
    const organisations = await page.$$eval('#decision-de-reorientation-organismeReferentId option', (options) => options.map((option) => option.getAttribute('value')));
    expect(organisations).toEqual(expect.arrayContaining([consortium.missionLocale.id, consortium.departement.id, consortium.aci.id]));
    // Accepted without the new parcours: the DTO's error, by the field.
    await page.click('summary:has-text("Décider de la réorientation demandée")');
    await page.fill('#decision-de-reorientation-decidedOn', day(0));
    expect(await submit(page, 'decision-de-reorientation', 'Décider de la réorientation demandée')).toBe(400);
    expect(await page.textContent('#erreur-decision-de-reorientation-parcoursType')).toBeTruthy();
    expect(await page.textContent('#erreur-decision-de-reorientation-organismeReferentId')).toBeTruthy();
    await page.selectOption('#decision-de-reorientation-parcoursType', 'socio_professionnel');
    await page.selectOption('#decision-de-reorientation-organismeReferentId', consortium.missionLocale.id);
    expect(await submit(page, 'decision-de-reorientation', 'Décider de la réorientation demandée')).toBe(200);
    expect(await page.textContent('[role=status]')).toContain('décision de réorientation est enregistrée');
    const view = await json(await get('ml-orientation_manager', `/v1/parcours/${formsParcours}`));
    expect(view).toMatchObject({ pendingReorientation: null, parcoursType: 'socio_professionnel', lastReorientationDecision: expect.objectContaining({ accepted: true, decidedOn: day(0) }) });
    expect(await formsOn(page)).not.toContain('decision-de-reorientation');
    expect(await seriousViolations(page)).toEqual([]);
    expect(problems.filter((problem) => !/\b400\b/.test(problem) || !problem.includes('decision-de-reorientation'))).toEqual([]);
    await context.close();
  });

  it('a command the caller\'s roles may not send is refused by the API (403), even posted by hand', async () => {
    const { context, page } = await newContext(browser);
    await signIn(page, 'ml-referent', `/web/parcours/${formsParcours}`);
    const version = String((await json(await get('ml-referent', `/v1/parcours/${formsParcours}`))).version);
    const csrf = await page.getAttribute('#formulaire-contacts input[name=_csrf]', 'value');
    const answer = await page.request.post(`${running.baseUrl}/web/parcours/${formsParcours}/decision-de-reorientation`, {
      form: { _csrf: csrf!, version, accepted: 'false', decidedOn: day(0), rejectionReason: 'other' },
    });
    expect(answer.status()).toBe(403);
    expect(String((await json(await get('ml-referent', `/v1/parcours/${formsParcours}`))).version)).toBe(version);
    await context.close();
  });

  it('signs out: the session ends on the server, the old cookie opens nothing', async () => {
    const { context, page } = await newContext(browser);
    await signIn(page, 'ml-referent');
    const cookie = (await context.cookies()).find((entry) => entry.name === 'spie_session')!;
    await page.click('.fr-header__tools-links button[type=submit]');
    expect(new URL(page.url()).pathname).toBe('/web/connexion');
    const replayed = await fetch(`${running.baseUrl}/web/mes-parcours`, { headers: { cookie: `spie_session=${cookie.value}` }, redirect: 'manual' });
    expect(replayed.status).toBe(303);
    expect(replayed.headers.get('location')).toContain('/web/connexion');
    await context.close();
  });

  it('ends the session of a member removed from the organisation, at the next page', async () => {
    const { context, page } = await newContext(browser);
    await signIn(page, 'ml-orientation_manager');
    expect(new URL(page.url()).pathname).toBe('/web/mes-parcours');
    const removed = await fetch(`${running.baseUrl}/v1/partners/${consortium.missionLocale.id}/members/ml-orientation_manager`, { method: 'DELETE', headers: await consortium.as('ml-partner_admin') });
    expect(removed.status).toBe(204);
    const next = await page.goto(`${running.baseUrl}/web/mes-parcours`);
    expect(next?.status()).toBe(403);
    // And the session is gone: no second chance once the member would be back.
    const again = await page.goto(`${running.baseUrl}/web/mes-parcours`);
    expect(new URL(page.url()).pathname).toBe('/web/connexion');
    expect(again?.status()).toBe(200);
    await context.close();
  });

  it('a session\'s member resolves to the principal a bearer token of the same sub gets', async () => {
    const resolver = running.app.get(PrincipalResolver);
    const { credentialExpiresAtMs: tokenExpiry, ...viaToken } = await resolver.resolve(`Bearer ${await consortium.token('ml-referent')}`, 0);
    const { credentialExpiresAtMs: sessionExpiry, ...viaSession } = await resolver.member('ml-referent', Date.now() + 60_000, 0);
    expect(viaSession).toEqual(viaToken);
    expect([typeof tokenExpiry, typeof sessionExpiry]).toEqual(['number', 'number']);
  });

  it('pages carry a Content-Security-Policy without inline scripts or styles', async () => {
    const answer = await fetch(`${running.baseUrl}/web/connexion`);
    const policy = answer.headers.get('content-security-policy') ?? '';
    expect(policy).toContain("script-src 'self'");
    expect(policy).toContain("style-src 'self'");
    expect(policy).not.toContain('unsafe-inline');
    expect(answer.headers.get('x-frame-options')).toBe('DENY');
  });

  it('marks the session cookie Secure when the browser came over TLS (through a trusted proxy)', async () => {
    const proxied = await startApp({ WEB_LOCAL_SIGN_IN: 'on', TRUST_PROXY: 'loopback' });
    try {
      await seedConsortium(proxied);
      const signIn = (proto: string) =>
        fetch(`${proxied.baseUrl}/web/connexion/locale`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded', 'sec-fetch-site': 'same-origin', 'x-forwarded-proto': proto },
          body: 'utilisateur=ml-referent',
          redirect: 'manual',
        });
      const overTls = (await signIn('https')).headers.get('set-cookie') ?? '';
      expect(overTls).toMatch(/spie_session=[^;]+;.*Secure/i);
      expect(overTls).toMatch(/HttpOnly/i);
      expect(overTls).toMatch(/SameSite=Lax/i);
      expect((await signIn('http')).headers.get('set-cookie') ?? '').not.toMatch(/Secure/i);
    } finally {
      await proxied.close();
    }
  });

  it('refuses the local sign-in from another origin, and when the service is not in demo mode', async () => {
    const crossSite = await fetch(`${running.baseUrl}/web/connexion/locale`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'sec-fetch-site': 'cross-site' },
      body: 'utilisateur=ml-referent',
      redirect: 'manual',
    });
    expect(crossSite.status).toBe(403);
    expect(crossSite.headers.get('set-cookie') ?? '').not.toContain('spie_session');
    const production = await startApp({ WEB_LOCAL_SIGN_IN: 'off' });
    try {
      const refused = await fetch(`${production.baseUrl}/web/connexion/locale`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'sec-fetch-site': 'same-origin' },
        body: 'utilisateur=ml-referent',
        redirect: 'manual',
      });
      expect(refused.status).toBe(404);
      expect(await (await fetch(`${production.baseUrl}/web/connexion`)).text()).not.toContain('data-persona');
    } finally {
      await production.close();
    }
  });
});
