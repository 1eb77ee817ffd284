import { Controller, Get, Inject, Query, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { REPORT_READERS } from '../access/functions.js';
import { Clock } from '../kernel/clock.js';
import { ProblemError } from '../http/problem.js';
import { TERRITORIES } from '../partners/territories/territories.js';
import { CaomController, CaomQuery } from '../reporting/caom/caom.controller.js';
import type { CaomLine, CaomReport } from '../reporting/caom/caom-report.js';
import { ApiCall } from './api-call.js';
import { stackedBarsSvg } from './charts.js';
import { html } from './html.js';
import { frenchDate, page } from './layout.js';
import { type WebRequest, WebPage } from './web-auth.js';

const VOLETS = { pec: 'PEC (parcours emploi compétences)', aci: "ACI (ateliers et chantiers d'insertion)", ei: "EI (entreprises d'insertion)", ebe: "EBE (entreprises à but d'emploi)" } as const;
const REASONS: Record<string, string> = {
  not_rsa_socle: 'pas au RSA socle au début du contrat',
  hours_below_minimum: 'durée hebdomadaire sous le minimum',
  envelope_exhausted: 'enveloppe épuisée',
  ends_before_premium_month: 'contrat terminé avant le mois de la prime',
  ceiling_reached: 'plafond atteint',
};
const STATUS: Record<string, string> = { funded: 'Éligible, financé', refused: 'Refusé', not_funded: 'Éligible, non financé', hired: 'Embauche' };
const MONTHS = ['01', '02', '03', '04', '05', '06', '07', '08', '09', '10', '11', '12'];

function euros(cents: number): string {
  return (cents / 100).toLocaleString('fr-FR', { style: 'currency', currency: 'EUR' });
}

function committed(line: CaomLine): number {
  return 'committedCents' in line ? line.committedCents : 0;
}

/** Committed amounts by month of the contract's start, per volet (a grouping of the API's lines, for the chart and the table). */
export function monthlyCommitted(report: CaomReport): Record<'pec' | 'aci' | 'ei', number[]> {
  const sums = { pec: MONTHS.map(() => 0), aci: MONTHS.map(() => 0), ei: MONTHS.map(() => 0) };
  for (const volet of ['pec', 'aci', 'ei'] as const) {
    for (const line of report[volet].lines) {
      const month = line.volet === 'ei' ? line.premiumDueOn : line.volet === 'pec' ? line.periodInYear.from : line.startsOn;
      if (!month.startsWith(String(report.year))) continue;
      sums[volet][Number(month.slice(5, 7)) - 1]! += committed(line);
    }
  }
  return sums;
}

interface Filters {
  annee?: string;
  territoire?: string;
}

/** Coordinator — CAOM: each volet's consumption against its envelope, per month, with the eligible and refused lines and their reasons. */
@ApiExcludeController()
@Controller('web/caom')
export class CaomPagesController {
  constructor(@Inject(ApiCall) private readonly api: ApiCall, @Inject(Clock) private readonly clock: Clock) {}

  @Get()
  @WebPage(...REPORT_READERS)
  async caom(@Query() filters: Filters, @Req() request: WebRequest, @Res() reply: FastifyReply) {
    const query = await this.queryOf(filters);
    const report = await this.report(request, reply, query);
    const monthly = monthlyCommitted(report);
    const search = new URLSearchParams({ annee: String(query.year), ...(query.territory ? { territoire: query.territory } : {}) }).toString();
    const lines = [...report.pec.lines, ...report.aci.lines, ...report.ei.lines, ...report.ebe.lines];
    const content = html`<h1>CAOM ${report.year}</h1>
      <p>${report.policy.label} (version ${report.policy.version}).</p>
      <form method="get" action="/web/caom" class="fr-mb-4w" id="filtres">
        <div class="fr-grid-row fr-grid-row--gutters fr-grid-row--bottom">
          <div class="fr-col-6 fr-col-md-3"><div class="fr-input-group"><label class="fr-label" for="annee">Année</label><input class="fr-input" type="number" id="annee" name="annee" min="2000" max="2100" value="${query.year}"></div></div>
          <div class="fr-col-12 fr-col-md-5"><div class="fr-select-group"><label class="fr-label" for="territoire">EPCI</label>
            <select class="fr-select" id="territoire" name="territoire"><option value="">Tout le département</option>${TERRITORIES.map((territory) => html`<option value="${territory.code}"${query.territory === territory.code ? html` selected` : ''}>${territory.name}</option>`)}</select></div></div>
          <div class="fr-col-12 fr-col-md-2"><button type="submit" class="fr-btn">Afficher</button></div>
        </div>
      </form>
      <div class="fr-table fr-table--bordered" id="enveloppes"><table>
        <caption>Consommation par volet</caption>
        <thead><tr><th scope="col">Volet</th><th scope="col">Enveloppe ou plafond</th><th scope="col">Engagé (département)</th><th scope="col">Reste</th><th scope="col">Lignes financées</th><th scope="col">Lignes refusées</th></tr></thead>
        <tbody>
          ${Object.values(report.pec.envelopes).map((envelope) => html`<tr data-volet="pec-${envelope.envelope}"><th scope="row">PEC — ${envelope.envelope === 'jeunes' ? 'jeunes' : 'hors jeunes'}</th><td class="spie-numeric">${euros(envelope.amountCents)}</td><td class="spie-numeric">${euros(envelope.envelopeCommittedCents)}</td><td class="spie-numeric">${euros(envelope.remainingCents)}</td><td class="spie-numeric">${envelope.fundedCount}</td><td class="spie-numeric">${envelope.refusedCount}</td></tr>`)}
          <tr data-volet="aci"><th scope="row">${VOLETS.aci}</th><td class="spie-numeric">${euros(report.aci.amountPerFullTimeEquivalentCents)} par ETP</td><td class="spie-numeric">${euros(report.aci.committedCents)}</td><td class="spie-numeric">—</td><td class="spie-numeric">${report.aci.fundedCount}</td><td class="spie-numeric">${report.aci.refusedCount}</td></tr>
          <tr data-volet="ei"><th scope="row">${VOLETS.ei}</th><td class="spie-numeric">${euros(report.ei.ceilingCents)}</td><td class="spie-numeric">${euros(report.ei.ceilingCommittedCents)}</td><td class="spie-numeric">${euros(report.ei.remainingCents)}</td><td class="spie-numeric">${report.ei.fundedCount}</td><td class="spie-numeric">${report.ei.refusedCount + report.ei.notFundedCount}</td></tr>
          <tr data-volet="ebe"><th scope="row">${VOLETS.ebe}</th><td class="spie-numeric">${euros(report.ebe.participationCents)}</td><td class="spie-numeric">—</td><td class="spie-numeric">—</td><td class="spie-numeric">${report.ebe.hiresCount}</td><td class="spie-numeric">—</td></tr>
        </tbody>
      </table></div>
      <figure class="fr-content-media" role="group" aria-label="Montants engagés par mois et par volet">
        <img class="spie-chart" src="/web/caom/graphique.svg?${search}" alt="Graphique des montants engagés par mois et par volet ; les mêmes chiffres sont dans le tableau ci-dessous." width="800" height="360">
        <figcaption class="fr-content-media__caption">Montants engagés par mois (début du contrat ; mois de la prime pour l'EI), empilés par volet.</figcaption>
      </figure>
      <div class="fr-table fr-table--bordered" id="par-mois"><table>
        <caption>Engagé par mois</caption>
        <thead><tr><th scope="col">Mois</th><th scope="col">PEC</th><th scope="col">ACI</th><th scope="col">EI</th></tr></thead>
        <tbody>${MONTHS.map((month, index) => html`<tr><th scope="row">${report.year}-${month}</th><td class="spie-numeric">${euros(monthly.pec[index]!)}</td><td class="spie-numeric">${euros(monthly.aci[index]!)}</td><td class="spie-numeric">${euros(monthly.ei[index]!)}</td></tr>`)}</tbody>
      </table></div>
      <div class="fr-table fr-table--bordered" id="lignes"><table>
        <caption>${lines.length} ligne(s) : contrats éligibles et refusés, avec leur motif</caption>
        <thead><tr><th scope="col">Volet</th><th scope="col">Parcours</th><th scope="col">Début</th><th scope="col">Fin</th><th scope="col">Heures/semaine</th><th scope="col">Décision</th><th scope="col">Motif</th><th scope="col">Engagé</th></tr></thead>
        <tbody>${lines.map((line) => html`<tr data-contrat="${line.contractId}" data-statut="${line.status}"><td>${line.volet.toUpperCase()}</td><td><a href="/web/parcours/${line.parcoursId}">${line.parcoursId.slice(0, 8)}</a></td><td>${frenchDate(line.startsOn)}</td><td>${frenchDate(line.endsOn)}</td><td class="spie-numeric">${line.weeklyHours}</td><td>${STATUS[line.status] ?? line.status}</td><td>${line.reason ? (REASONS[line.reason] ?? line.reason) : '—'}</td><td class="spie-numeric">${euros(committed(line))}</td></tr>`)}</tbody>
      </table></div>`;
    return reply.type('text/html; charset=utf-8').send(page({ title: 'CAOM', principal: request.principal, csrfToken: reply.generateCsrf(), path: '/web/caom' }, content));
  }

  @Get('graphique.svg')
  @WebPage(...REPORT_READERS)
  async chart(@Query() filters: Filters, @Req() request: WebRequest, @Res() reply: FastifyReply) {
    const query = await this.queryOf(filters);
    const monthly = monthlyCommitted(await this.report(request, reply, query));
    const svg = stackedBarsSvg({
      title: 'Montants engagés par mois (euros)',
      categories: MONTHS.map((month) => `${query.year}-${month}`),
      series: (['pec', 'aci', 'ei'] as const).map((volet) => ({ name: volet.toUpperCase(), values: monthly[volet].map((cents) => Math.round(cents / 100)) })),
    });
    return reply.type('image/svg+xml; charset=utf-8').header('cache-control', 'private, no-store').send(svg);
  }

  private queryOf(filters: Filters): Promise<CaomQuery> {
    return this.api.validate({ year: filters.annee || this.clock.today().slice(0, 4), ...(filters.territoire ? { territory: filters.territoire } : {}) }, CaomQuery, 'query');
  }

  private async report(request: WebRequest, reply: FastifyReply, query: CaomQuery): Promise<CaomReport> {
    const report = await this.api.invoke(request, CaomController, 'report', () => [query, 'application/json', reply]);
    if (typeof report === 'string') throw new ProblemError(500, 'unexpected_csv', 'Unexpected answer');
    return report;
  }
}
