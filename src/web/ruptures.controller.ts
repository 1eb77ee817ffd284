import { Controller, Get, Inject, Query, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { REPORT_READERS } from '../access/functions.js';
import { RULE_IDS } from '../continuity/policy.js';
import { ContinuityController, ContinuityReportQuery } from '../continuity/read-models/continuity.controller.js';
import { ProblemError } from '../http/problem.js';
import { PartnerDirectoryQueries } from '../partners/partner-directory.query.js';
import { TERRITORIES } from '../partners/territories/territories.js';
import { ApiCall } from './api-call.js';
import { html } from './html.js';
import { frenchDate, page } from './layout.js';
import { type WebRequest, WebPage } from './web-auth.js';

const TERRITORY_NAMES = new Map(TERRITORIES.map((territory) => [territory.code, territory.name]));

/** DESIGN §6, in French. */
export const RULE_LABELS: Record<(typeof RULE_IDS)[number], string> = {
  R1: 'Entrée sans décision d’orientation',
  R2: "Orientation sans contrat d'engagement",
  R3: 'Orientation sans premier rendez-vous d’accompagnement',
  R4: 'Parcours sans référent',
  R5: "Contrat d'engagement échu sans renouvellement",
  R6: 'Parcours social sans réexamen',
  R7: 'Demande de réorientation sans décision',
  R8: "Fin de contrat de travail sans suite",
  R9: 'Aucun contact pendant l’accompagnement',
  R10: 'Changement de référent avec interruption',
  R11: "Contrat d'engagement sans heures d'activité",
};

interface Filters {
  territoire?: string;
  regle?: string;
  partenaire?: string;
  page?: string;
}

/** Rows of the ruptures table per page: a territory's thousands would make a page nobody reads, slow to draw. */
export const RUPTURES_PER_PAGE = 100;

/** The page asked for (1 when it is not a page number; the last when past the end), its rows, and how many pages. */
export function pageOf<T>(items: readonly T[], asked: string | undefined, size = RUPTURES_PER_PAGE): { page: number; pages: number; rows: T[] } {
  const pages = Math.max(1, Math.ceil(items.length / size));
  const wanted = /^[1-9]\d{0,5}$/.test(asked ?? '') ? Number(asked) : 1;
  const page = Math.min(wanted, pages);
  return { page, pages, rows: items.slice((page - 1) * size, page * size) };
}

interface Rupture {
  parcoursId: string;
  territory: string;
  ruleId: (typeof RULE_IDS)[number];
  severity: string;
  status: string;
  observedOn: string;
  endedOn: string | null;
  durationDays: number;
  evidence: { eventIds: string[] };
}

/** Coordinator — ruptures: open and closed, by rule, partner and EPCI, with their age; from the API's continuity report. */
@ApiExcludeController()
@Controller('web/ruptures')
export class RupturesController {
  constructor(
    @Inject(ApiCall) private readonly api: ApiCall,
    @Inject(PartnerDirectoryQueries) private readonly partners: PartnerDirectoryQueries,
  ) {}

  @Get()
  @WebPage(...REPORT_READERS)
  async ruptures(@Query() filters: Filters, @Req() request: WebRequest, @Res() reply: FastifyReply) {
    const query = await this.api.validate(
      { ...(filters.territoire ? { territory: filters.territoire } : {}), ...(filters.regle ? { rule: filters.regle } : {}), ...(filters.partenaire ? { partner: filters.partenaire } : {}) },
      ContinuityReportQuery,
      'query',
    );
    const report = await this.api.invoke(request, ContinuityController, 'report', (api) => [query, 'application/json', api, reply]);
    if (typeof report === 'string') throw new ProblemError(500, 'unexpected_csv', 'Unexpected answer');
    const ruptures = (report.ruptures as Rupture[]).sort((a, b) => (a.status === b.status ? b.durationDays - a.durationDays : a.status === 'open' ? -1 : 1));
    const shown = pageOf(ruptures, filters.page);
    const pageLink = (number: number) =>
      `/web/ruptures?${new URLSearchParams({ ...(query.territory ? { territoire: query.territory } : {}), ...(query.rule ? { regle: query.rule } : {}), ...(query.partner ? { partenaire: query.partner } : {}), page: String(number) }).toString()}`;
    const partners = await this.partners.activeByName();
    const summary = report.summary as Record<string, { open: number; closed: number; breaches: number; warnings: number; medianDays: number | null }>;
    const content = html`<h1>Ruptures de parcours</h1>
      <p>Évaluées le ${frenchDate(report.evaluatedOn)} (règles, version ${report.policyVersion}).</p>
      <form method="get" action="/web/ruptures" class="fr-mb-4w" id="filtres">
        <div class="fr-grid-row fr-grid-row--gutters fr-grid-row--bottom">
          <div class="fr-col-12 fr-col-md-3"><div class="fr-select-group"><label class="fr-label" for="territoire">EPCI</label>
            <select class="fr-select" id="territoire" name="territoire"><option value="">Tous</option>${TERRITORIES.map((territory) => html`<option value="${territory.code}"${query.territory === territory.code ? html` selected` : ''}>${territory.name}</option>`)}</select></div></div>
          <div class="fr-col-12 fr-col-md-3"><div class="fr-select-group"><label class="fr-label" for="regle">Règle</label>
            <select class="fr-select" id="regle" name="regle"><option value="">Toutes</option>${RULE_IDS.map((rule) => html`<option value="${rule}"${query.rule === rule ? html` selected` : ''}>${rule} — ${RULE_LABELS[rule]}</option>`)}</select></div></div>
          <div class="fr-col-12 fr-col-md-4"><div class="fr-select-group"><label class="fr-label" for="partenaire">Organisation qui suit le parcours</label>
            <select class="fr-select" id="partenaire" name="partenaire"><option value="">Toutes</option>${partners.map((partner) => html`<option value="${partner.partnerId}"${query.partner === partner.partnerId ? html` selected` : ''}>${partner.name}</option>`)}</select></div></div>
          <div class="fr-col-12 fr-col-md-2"><button type="submit" class="fr-btn">Afficher</button></div>
        </div>
      </form>
      <div class="fr-table fr-table--bordered" id="par-regle"><table>
        <caption>Par règle</caption>
        <thead><tr><th scope="col">Règle</th><th scope="col">Ouvertes</th><th scope="col">Closes</th><th scope="col">Manquements</th><th scope="col">Alertes</th><th scope="col">Durée médiane (jours)</th></tr></thead>
        <tbody>${RULE_IDS.map((rule) => {
          const counts = summary[rule];
          return html`<tr data-regle="${rule}"><th scope="row">${rule} — ${RULE_LABELS[rule]}</th><td class="spie-numeric">${counts?.open ?? 0}</td><td class="spie-numeric">${counts?.closed ?? 0}</td><td class="spie-numeric">${counts?.breaches ?? 0}</td><td class="spie-numeric">${counts?.warnings ?? 0}</td><td class="spie-numeric">${counts?.medianDays ?? '—'}</td></tr>`;
        })}</tbody>
      </table></div>
      <div class="fr-table fr-table--bordered" id="ruptures"><table>
        <caption>${ruptures.length} rupture(s), les ouvertes d'abord, les plus anciennes en tête${shown.pages > 1 ? ` — page ${shown.page} sur ${shown.pages}` : ''}</caption>
        <thead><tr><th scope="col">Parcours</th><th scope="col">EPCI</th><th scope="col">Règle</th><th scope="col">Gravité</th><th scope="col">État</th><th scope="col">Depuis le</th><th scope="col">Âge (jours)</th><th scope="col">Preuves (événements)</th></tr></thead>
        <tbody>${shown.rows.map(
          (rupture) => html`<tr data-parcours="${rupture.parcoursId}" data-regle="${rupture.ruleId}">
            <td><a href="/web/parcours/${rupture.parcoursId}#continuite">${rupture.parcoursId.slice(0, 8)}</a></td>
            <td>${TERRITORY_NAMES.get(rupture.territory) ?? rupture.territory}</td>
            <td>${rupture.ruleId}</td>
            <td>${rupture.severity === 'breach' ? html`<span class="fr-badge fr-badge--error fr-badge--sm">Manquement</span>` : html`<span class="fr-badge fr-badge--warning fr-badge--sm">Alerte</span>`}</td>
            <td>${rupture.status === 'open' ? 'Ouverte' : `Close le ${frenchDate(rupture.endedOn)}`}</td>
            <td>${frenchDate(rupture.observedOn)}</td>
            <td class="spie-numeric">${rupture.durationDays}</td>
            <td>${rupture.evidence.eventIds.length}</td>
          </tr>`,
        )}</tbody>
      </table></div>
      ${
        shown.pages > 1
          ? html`<nav role="navigation" class="fr-pagination" aria-label="Pages des ruptures"><ul class="fr-pagination__list">
              <li>${shown.page > 1 ? html`<a class="fr-pagination__link fr-pagination__link--prev fr-pagination__link--lg-label" href="${pageLink(shown.page - 1)}">Page précédente</a>` : html`<a class="fr-pagination__link fr-pagination__link--prev fr-pagination__link--lg-label" aria-disabled="true" role="link">Page précédente</a>`}</li>
              <li><a class="fr-pagination__link" aria-current="page" title="Page ${shown.page}">${shown.page}</a></li>
              <li>${shown.page < shown.pages ? html`<a class="fr-pagination__link fr-pagination__link--next fr-pagination__link--lg-label" href="${pageLink(shown.page + 1)}">Page suivante</a>` : html`<a class="fr-pagination__link fr-pagination__link--next fr-pagination__link--lg-label" aria-disabled="true" role="link">Page suivante</a>`}</li>
            </ul></nav>`
          : ''
      }`;
    return reply.type('text/html; charset=utf-8').send(page({ title: 'Ruptures', principal: request.principal, csrfToken: reply.generateCsrf(), path: '/web/ruptures' }, content));
  }
}
