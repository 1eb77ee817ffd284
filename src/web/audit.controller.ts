import { Controller, Get, Inject, Param, ParseUUIDPipe, Query, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { AUDITORS } from '../access/functions.js';
import { AuditController, ReplayQuery, TimelineQuery } from '../audit/audit.controller.js';
import type { Timeline } from '../audit/timeline/timeline.js';
import { Clock } from '../kernel/clock.js';
import { ApiCall } from './api-call.js';
import { html } from './html.js';
import { frenchDate, page } from './layout.js';
import { type WebRequest, WebPage } from './web-auth.js';

interface Filters {
  date?: string;
  selon?: string;
}

/**
 * Auditor: a parcours' history, its state replayed as of a date (as the facts were, or as the
 * system knew them), the verification of its hash chain — the API's audit endpoints, pseudonymised
 * as they are (no identity in any of them).
 */
@ApiExcludeController()
@Controller('web/audit')
export class AuditPagesController {
  constructor(@Inject(ApiCall) private readonly api: ApiCall, @Inject(Clock) private readonly clock: Clock) {}

  @Get(':parcoursId')
  @WebPage(...AUDITORS)
  async parcours(@Param('parcoursId', new ParseUUIDPipe()) parcoursId: string, @Query() filters: Filters, @Req() request: WebRequest, @Res() reply: FastifyReply) {
    const asKnown = filters.selon === 'connu';
    const replayQuery = await this.api.validate({ asOf: filters.date || this.clock.today(), asKnown: String(asKnown) }, ReplayQuery, 'query');
    const replay = await this.api.invoke(request, AuditController, 'state', (api) => [parcoursId, replayQuery, api]);
    const timelineQuery = await this.api.validate({}, TimelineQuery, 'query');
    const timeline = (await this.api.invoke(request, AuditController, 'timeline', (api) => [parcoursId, timelineQuery, 'application/json', api, reply])) as Timeline;
    const verification = await this.api.invoke(request, AuditController, 'verify', (api) => [parcoursId, api]);
    const state = replay.state;
    const content = html`<h1>Audit du parcours ${parcoursId.slice(0, 8)}</h1>
      <p class="fr-text--sm">Données pseudonymisées : l'identité de la personne n'est jamais montrée à l'audit.</p>
      <h2 class="fr-h4">Intégrité</h2>
      ${verification.tamperings === 0
        ? html`<div class="fr-alert fr-alert--success fr-mb-4w" id="verification"><p>Chaîne vérifiée : ${verification.events} événement(s), aucune altération.</p></div>`
        : html`<div class="fr-alert fr-alert--error fr-mb-4w" id="verification"><p>${verification.tamperings} altération(s) trouvée(s) :</p><ul>${verification.breaks.map((entry) => html`<li>${entry.kind} — versions ${entry.firstVersion} à ${entry.lastVersion} : ${entry.detail}</li>`)}</ul></div>`}
      <h2 class="fr-h4">État à une date</h2>
      <form method="get" action="/web/audit/${parcoursId}" id="rejeu" class="fr-mb-2w">
        <div class="fr-grid-row fr-grid-row--gutters fr-grid-row--bottom">
          <div class="fr-col-12 fr-col-md-4"><div class="fr-input-group"><label class="fr-label" for="date">Date</label><input class="fr-input" type="date" id="date" name="date" value="${replay.asOf}"></div></div>
          <div class="fr-col-12 fr-col-md-5"><fieldset class="fr-fieldset" id="selon"><legend class="fr-fieldset__legend--regular fr-fieldset__legend">Selon</legend>
            <div class="fr-fieldset__element fr-fieldset__element--inline"><div class="fr-radio-group"><input type="radio" id="selon-faits" name="selon" value="faits"${asKnown ? '' : html` checked`}><label class="fr-label" for="selon-faits">les faits (dates métier)</label></div></div>
            <div class="fr-fieldset__element fr-fieldset__element--inline"><div class="fr-radio-group"><input type="radio" id="selon-connu" name="selon" value="connu"${asKnown ? html` checked` : ''}><label class="fr-label" for="selon-connu">ce que le système savait</label></div></div>
          </fieldset></div>
          <div class="fr-col-12 fr-col-md-3"><button type="submit" class="fr-btn">Rejouer</button></div>
        </div>
      </form>
      ${state === null
        ? html`<p id="etat-rejoue">Le parcours n'existait pas encore à cette date.</p>`
        : html`<dl id="etat-rejoue">
            <dt>Statut</dt><dd>${state.status}</dd>
            <dt>Territoire</dt><dd>${state.territory}</dd>
            <dt>Entrée</dt><dd>${frenchDate(state.entryOn)}</dd>
            <dt>Orientation</dt><dd>${state.parcoursType ?? 'aucune'}</dd>
            <dt>Référent</dt><dd>${state.referent ? state.referent.userId : 'aucun'}</dd>
            <dt>Version</dt><dd>${replay.version} (${replay.eventsApplied} événement(s) pris en compte, ${replay.eventsAfter} après)</dd>
          </dl>`}
      <h2 class="fr-h4 fr-mt-4w">Historique</h2>
      <div class="fr-table" id="historique"><table>
        <caption>${timeline.entries.length} événement(s)</caption>
        <thead><tr><th scope="col">N°</th><th scope="col">Date</th><th scope="col">Enregistré le</th><th scope="col">Fait</th><th scope="col">Par</th><th scope="col">Empreinte</th></tr></thead>
        <tbody>${timeline.entries.map((entry) => html`<tr><td>${entry.streamVersion}</td><td>${frenchDate(entry.on)}</td><td>${frenchDate(entry.recordedAt)}</td><td>${entry.label}</td><td>${entry.actor.partnerName ?? entry.actor.partnerId ?? '—'}${entry.actor.role ? ` (${entry.actor.role})` : ''}</td><td><code>${entry.hash.slice(0, 12)}</code></td></tr>`)}</tbody>
      </table></div>`;
    return reply.type('text/html; charset=utf-8').send(page({ title: 'Audit', principal: request.principal, csrfToken: reply.generateCsrf() }, content));
  }
}
