import { Controller, Get, Inject, Query, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { REPORT_READERS } from '../access/functions.js';
import { Clock } from '../kernel/clock.js';
import { ProblemError } from '../http/problem.js';
import { TERRITORIES } from '../partners/territories/territories.js';
import { excelCsvText } from '../kernel/csv.js';
import type { TerritoryIndicatorRow } from '../reporting/territory-indicators/territory-indicators.js';
import { TerritoryIndicatorsController, TerritoryIndicatorsQueryDto } from '../reporting/territory-indicators/territory-indicators.controller.js';
import { ApiCall } from './api-call.js';
import { stackedBarsSvg } from './charts.js';
import { html } from './html.js';
import { page } from './layout.js';
import { type WebRequest, WebPage } from './web-auth.js';

const TERRITORY_NAMES = new Map(TERRITORIES.map((territory) => [territory.code, territory.name]));

/** The page's filters, in French in the URL: territoire, du, au (months YYYY-MM). */
interface Filters {
  territoire?: string;
  du?: string;
  au?: string;
}

/** One line of the page (and of its CSV): what the coordinator reads per EPCI and month. */
export interface TerritoryLine {
  territory: string;
  month: string;
  entries: number;
  entryToOrientationMedian: number | null;
  entryToOrientationP90: number | null;
  orientationToAccompanimentMedian: number | null;
  orientationToAccompanimentP90: number | null;
  shareWithValidEngagementContract: number | null;
  shareWithReferent: number | null;
  exitsToEmployment: number;
}

export function lineOf(row: TerritoryIndicatorRow): TerritoryLine {
  return {
    territory: row.territory,
    month: row.month,
    entries: row.entries,
    entryToOrientationMedian: row.delayEntryToOrientationDays.median,
    entryToOrientationP90: row.delayEntryToOrientationDays.p90,
    orientationToAccompanimentMedian: row.delayOrientationToFirstAccompanimentDays.median,
    orientationToAccompanimentP90: row.delayOrientationToFirstAccompanimentDays.p90,
    shareWithValidEngagementContract: row.shareWithValidEngagementContract,
    shareWithReferent: row.shareWithReferent,
    exitsToEmployment: row.exitsByCategory.emploi_durable + row.exitsByCategory.emploi_transition,
  };
}

const HEADER = [
  'EPCI',
  'Mois',
  'Entrées',
  'Délai entrée → orientation, médiane (jours)',
  'Délai entrée → orientation, 90e centile (jours)',
  'Délai orientation → 1er accompagnement, médiane (jours)',
  'Délai orientation → 1er accompagnement, 90e centile (jours)',
  "Part accompagnée (contrat d'engagement en cours)",
  'Part avec un référent',
  "Sorties vers l'emploi",
];

function days(value: number | null): string {
  return value === null ? '—' : String(value);
}

function share(value: number | null): string {
  return value === null ? '—' : `${(value * 100).toLocaleString('fr-FR', { maximumFractionDigits: 1 })} %`;
}

function cells(line: TerritoryLine): string[] {
  return [
    TERRITORY_NAMES.get(line.territory) ?? line.territory,
    line.month,
    String(line.entries),
    days(line.entryToOrientationMedian),
    days(line.entryToOrientationP90),
    days(line.orientationToAccompanimentMedian),
    days(line.orientationToAccompanimentP90),
    share(line.shareWithValidEngagementContract),
    share(line.shareWithReferent),
    String(line.exitsToEmployment),
  ];
}

/** Coordinator — territoire: per EPCI and month, from the API's indicators endpoint for the same query. */
@ApiExcludeController()
@Controller('web/territoire')
export class TerritoryController {
  constructor(@Inject(ApiCall) private readonly api: ApiCall, @Inject(Clock) private readonly clock: Clock) {}

  @Get()
  @WebPage(...REPORT_READERS)
  async territory(@Query() filters: Filters, @Req() request: WebRequest, @Res() reply: FastifyReply) {
    const query = await this.queryOf(filters);
    const lines = await this.lines(request, reply, query);
    const search = this.search(query);
    const select = html`<select class="fr-select" id="territoire" name="territoire">
      <option value=""${query.territory ? '' : html` selected`}>Tous les EPCI</option>
      ${TERRITORIES.map((territory) => html`<option value="${territory.code}"${query.territory === territory.code ? html` selected` : ''}>${territory.name}</option>`)}
    </select>`;
    const content = html`<h1>Territoire</h1>
      <form method="get" action="/web/territoire" class="fr-mb-4w" id="filtres">
        <div class="fr-grid-row fr-grid-row--gutters fr-grid-row--bottom">
          <div class="fr-col-12 fr-col-md-4"><div class="fr-select-group"><label class="fr-label" for="territoire">EPCI</label>${select}</div></div>
          <div class="fr-col-6 fr-col-md-3"><div class="fr-input-group"><label class="fr-label" for="du">Du mois <span class="fr-hint-text">AAAA-MM</span></label><input class="fr-input" type="month" id="du" name="du" value="${query.from}"></div></div>
          <div class="fr-col-6 fr-col-md-3"><div class="fr-input-group"><label class="fr-label" for="au">Au mois <span class="fr-hint-text">AAAA-MM</span></label><input class="fr-input" type="month" id="au" name="au" value="${query.to}"></div></div>
          <div class="fr-col-12 fr-col-md-2"><button type="submit" class="fr-btn">Afficher</button></div>
        </div>
      </form>
      <figure class="fr-content-media" role="group" aria-label="Entrées par mois et par EPCI">
        <img class="spie-chart" src="/web/territoire/graphique.svg?${search}" alt="Graphique des entrées par mois et par EPCI ; les mêmes chiffres sont dans le tableau ci-dessous." width="800" height="360">
        <figcaption class="fr-content-media__caption">Entrées dans le RSA par mois, empilées par EPCI.</figcaption>
      </figure>
      <p><a class="fr-link fr-icon-download-line fr-link--icon-left" id="telecharger" href="/web/territoire/indicateurs.csv?${search}" download>Télécharger ce tableau (CSV)</a></p>
      <div class="fr-table fr-table--bordered" id="indicateurs"><table>
        <caption>Indicateurs par EPCI et par mois, du ${query.from} au ${query.to}</caption>
        <thead><tr>${HEADER.map((label) => html`<th scope="col">${label}</th>`)}</tr></thead>
        <tbody>${lines.map((line) => html`<tr data-territoire="${line.territory}" data-mois="${line.month}">${cells(line).map((cell, index) => (index < 2 ? html`<td>${cell}</td>` : html`<td class="spie-numeric">${cell}</td>`))}</tr>`)}</tbody>
      </table></div>
      ${lines.length === 0 ? html`<p>Aucun parcours sur ce territoire et cette période.</p>` : ''}`;
    return reply.type('text/html; charset=utf-8').send(page({ title: 'Territoire', principal: request.principal, csrfToken: reply.generateCsrf(), path: '/web/territoire' }, content));
  }

  /** What the page shows, as a CSV file for Excel FR (the API's writer: `;`, BOM, CRLF, formula guard). */
  @Get('indicateurs.csv')
  @WebPage(...REPORT_READERS)
  async csv(@Query() filters: Filters, @Req() request: WebRequest, @Res() reply: FastifyReply) {
    const query = await this.queryOf(filters);
    const lines = await this.lines(request, reply, query);
    return reply
      .type('text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="territoire-${query.territory ?? 'tous'}-${query.from}-${query.to}.csv"`)
      .send(excelCsvText([HEADER, ...lines.map(cells)]));
  }

  @Get('graphique.svg')
  @WebPage(...REPORT_READERS)
  async chart(@Query() filters: Filters, @Req() request: WebRequest, @Res() reply: FastifyReply) {
    const query = await this.queryOf(filters);
    const lines = await this.lines(request, reply, query);
    const months = [...new Set(lines.map((line) => line.month))].sort();
    const territories = [...new Set(lines.map((line) => line.territory))].sort();
    const svg = stackedBarsSvg({
      title: 'Entrées par mois',
      categories: months,
      series: territories.map((territory) => ({
        name: TERRITORY_NAMES.get(territory) ?? territory,
        values: months.map((month) => lines.find((line) => line.territory === territory && line.month === month)?.entries ?? 0),
      })),
    });
    return reply.type('image/svg+xml; charset=utf-8').header('cache-control', 'private, no-store').send(svg);
  }

  /** The page's filters as the API's query, checked by the API's DTO (a wrong month: 400, by field). */
  private async queryOf(filters: Filters): Promise<TerritoryIndicatorsQueryDto> {
    const thisMonth = this.clock.today().slice(0, 7);
    const [year, month] = thisMonth.split('-').map(Number);
    const yearAgo = `${year! - 1}-${String(month! === 12 ? 1 : month! + 1).padStart(2, '0')}`;
    const from = filters.du || (month === 12 ? `${year}-01` : yearAgo);
    return this.api.validate({ from, to: filters.au || thisMonth, ...(filters.territoire ? { territory: filters.territoire } : {}) }, TerritoryIndicatorsQueryDto, 'query');
  }

  private async lines(request: WebRequest, reply: FastifyReply, query: TerritoryIndicatorsQueryDto): Promise<TerritoryLine[]> {
    const rows = await this.api.invoke(request, TerritoryIndicatorsController, 'report', () => [query, 'application/json', reply]);
    if (typeof rows === 'string') throw new ProblemError(500, 'unexpected_csv', 'Unexpected answer');
    return rows.map(lineOf).sort((a, b) => (a.territory === b.territory ? (a.month < b.month ? -1 : 1) : a.territory < b.territory ? -1 : 1));
  }

  private search(query: TerritoryIndicatorsQueryDto): string {
    return new URLSearchParams({ du: query.from, au: query.to, ...(query.territory ? { territoire: query.territory } : {}) }).toString();
  }
}
