import { randomUUID } from 'node:crypto';
import { Body, Controller, Get, Inject, Logger, Param, ParseUUIDPipe, Post, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CASEWORKERS, READERS } from '../access/functions.js';
import { Clock } from '../clock.js';
import { ContinuityController } from '../continuity/read-model/continuity.controller.js';
import { type FieldError, ProblemError, toProblem } from '../http/problem.js';
import { CONTACT_CHANNELS } from '../parcours/domain/events.js';
import { ParcoursController } from '../parcours/http/parcours.controller.js';
import { RecordContactDto } from '../parcours/http/parcours.dto.js';
import { type CaseloadItem, CaseloadController, CaseloadQuery } from '../parcours/read-models/caseload/caseload.controller.js';
import type { ParcoursView } from '../parcours/read-models/parcours-details/parcours-details.query.js';
import { ApiCall } from './api-call.js';
import { RULE_LABELS } from './ruptures.controller.js';
import { type Html, html } from './html.js';
import { frenchDate, page } from './layout.js';
import { type WebRequest, WebPage } from './web-auth.js';

const CHANNEL_LABELS: Record<(typeof CONTACT_CHANNELS)[number], string> = {
  in_person: 'Entretien en présence',
  phone: 'Téléphone',
  email: 'Courriel',
  sms: 'SMS',
  letter: 'Courrier',
  video: 'Visioconférence',
};

const STATUS_LABELS: Record<string, string> = { open: 'Ouvert', suspended: 'Suspendu', exited: 'Sorti', archived: 'Archivé' };

/** Most urgent first: a breach, then the nearest deadline, then alerts; a parcours with nothing due last. */
export function byUrgency(a: CaseloadItem, b: CaseloadItem): number {
  if ((a.openBreaches > 0) !== (b.openBreaches > 0)) return a.openBreaches > 0 ? -1 : 1;
  const deadlineA = a.nextDeadlineOn ?? '9999-12-31';
  const deadlineB = b.nextDeadlineOn ?? '9999-12-31';
  if (deadlineA !== deadlineB) return deadlineA < deadlineB ? -1 : 1;
  if (a.openAlerts !== b.openAlerts) return b.openAlerts - a.openAlerts;
  return a.parcoursId < b.parcoursId ? -1 : 1;
}

function personName(view: ParcoursView): string {
  const identity = view.identity;
  if (identity === null) return 'Personne pseudonymisée';
  if ('erased' in identity) return 'Données personnelles effacées';
  return `${identity.firstName} ${identity.lastName}`;
}

/** The référent's caseload and a parcours page with its everyday forms. */
@ApiExcludeController()
@Controller('web')
export class ReferentController {
  private readonly logger = new Logger('WebPages');

  constructor(
    @Inject(ApiCall) private readonly api: ApiCall,
    @Inject(Clock) private readonly clock: Clock,
  ) {}

  @Get('mes-parcours')
  @WebPage(...CASEWORKERS)
  async caseload(@Req() request: WebRequest, @Res() reply: FastifyReply) {
    // A référent sees the parcours they follow; the other caseworkers, those of their organisation.
    const mine = request.actingRole === 'referent';
    const query = await this.api.validate({ ...(mine ? { referent: 'me' } : {}), limit: '200' }, CaseloadQuery, 'query');
    const { items } = await this.api.invoke(request, CaseloadController, 'caseload', (api) => [query, api]);
    const sorted = [...items].sort(byUrgency);
    const content = html`<h1>${mine ? 'Mes parcours' : 'Parcours de mon organisation'}</h1>
      <p>${sorted.length} parcours ouverts ou suspendus, les plus urgents d'abord.</p>
      <div class="fr-table" id="portefeuille"><table>
        <caption>Parcours suivis, par urgence</caption>
        <thead><tr><th scope="col">Parcours</th><th scope="col">Statut</th><th scope="col">Entrée</th><th scope="col">Dernier contact</th><th scope="col">Prochaine échéance</th><th scope="col">Alertes ouvertes</th><th scope="col">Dont manquements</th></tr></thead>
        <tbody>
          ${sorted.map(
            (item) => html`<tr data-parcours="${item.parcoursId}">
              <td><a href="/web/parcours/${item.parcoursId}">${item.parcoursId.slice(0, 8)}</a></td>
              <td>${STATUS_LABELS[item.status] ?? item.status}</td>
              <td>${frenchDate(item.entryOn)}</td>
              <td>${frenchDate(item.lastContactOn)}</td>
              <td>${frenchDate(item.nextDeadlineOn)}</td>
              <td class="spie-numeric">${item.openAlerts}</td>
              <td class="spie-numeric">${item.openBreaches > 0 ? html`<span class="fr-badge fr-badge--error fr-badge--sm">${item.openBreaches}</span>` : '0'}</td>
            </tr>`,
          )}
        </tbody>
      </table></div>`;
    return reply.type('text/html; charset=utf-8').send(page({ title: 'Mes parcours', principal: request.principal, csrfToken: reply.generateCsrf(), path: '/web/mes-parcours' }, content));
  }

  @Get('parcours/:parcoursId')
  @WebPage(...READERS)
  async parcours(@Param('parcoursId', new ParseUUIDPipe()) parcoursId: string, @Req() request: WebRequest, @Res() reply: FastifyReply) {
    return this.renderParcours(request, reply, parcoursId);
  }

  /** The contact form: the API's DTO checks it, the API's command records it, with the version read as If-Match. */
  @Post('parcours/:parcoursId/contacts')
  @WebPage(...CASEWORKERS)
  async contact(@Param('parcoursId', new ParseUUIDPipe()) parcoursId: string, @Body() form: Record<string, string> | undefined, @Req() request: WebRequest, @Res() reply: FastifyReply) {
    const version = form?.version ?? '';
    let body: RecordContactDto;
    try {
      body = await this.api.validate(
        { contactId: form?.contactId, channel: form?.channel, contactedOn: form?.contactedOn, partnerId: request.principal!.partnerId, ...(form?.note ? { note: form.note } : {}) },
        RecordContactDto,
      );
    } catch (error) {
      if (!(error instanceof ProblemError) || error.status !== 400) throw error;
      return this.renderParcours(request, reply.status(400), parcoursId, { errors: (error.extensions.errors as FieldError[] | undefined) ?? [], form });
    }
    const headers = { 'if-match': `"${version}"`, 'idempotency-key': body.contactId };
    try {
      await this.api.invoke(request, ParcoursController, 'contact', (api) => [parcoursId, body, api, reply], { url: `/v1/parcours/${parcoursId}/contacts`, headers });
    } catch (error) {
      // The status the API would answer (412 for a stale If-Match, 409, 422 for a rule of the parcours): shown on the form.
      const { problem } = toProblem(error, Object.create(request, { headers: { value: { ...request.headers, ...headers } } }) as FastifyRequest, this.logger);
      if (problem.status === 412 || problem.status === 409 || problem.status === 422) {
        const conflict = problem.status === 412 ? "Le parcours a été modifié depuis que vous l'avez ouvert : voici son état actuel. Vérifiez puis envoyez à nouveau." : (problem.detail ?? problem.title);
        return this.renderParcours(request, reply.status(problem.status), parcoursId, { conflict, form });
      }
      throw error;
    }
    return reply.redirect(`/web/parcours/${parcoursId}?enregistre=contact`, 303);
  }

  private async renderParcours(
    request: WebRequest,
    reply: FastifyReply,
    parcoursId: string,
    outcome: { errors?: FieldError[]; conflict?: string; form?: Record<string, string> } = {},
  ) {
    const view = await this.api.invoke(request, ParcoursController, 'get', (api) => [parcoursId, api, reply]);
    // The ruptures are for those the continuity endpoint accepts (a DPO reads the parcours, not its ruptures).
    const continuity = await this.api.invoke(request, ContinuityController, 'forParcours', (api) => [parcoursId, {}, api]).catch((error: unknown) => {
      if (error instanceof ProblemError && error.status === 403) return undefined;
      throw error;
    });
    const canWrite = request.principal!.roles.some((role) => (CASEWORKERS as readonly string[]).includes(role)) && !view.archived;
    const saved = (request.query as Record<string, unknown>).enregistre === 'contact';
    const today = this.clock.today();
    const fieldError = (field: string): Html | string => {
      const messages = (outcome.errors ?? []).filter((error) => error.field === field).map((error) => error.message);
      return messages.length ? html`<p class="fr-error-text" id="erreur-${field}">${messages.join(' ; ')}</p>` : '';
    };
    const invalid = (field: string) => (outcome.errors ?? []).some((error) => error.field === field);
    const auditor = request.principal!.roles.includes('auditor');
    const content = html`<h1>Parcours de ${personName(view)}</h1>
      ${auditor ? html`<p><a class="fr-link" id="lien-audit" href="/web/audit/${view.id}">Audit : historique, rejeu à une date, vérification</a></p>` : ''}
      ${saved ? html`<div class="fr-alert fr-alert--success fr-mb-4w" role="status"><p>Le contact est enregistré.</p></div>` : ''}
      ${outcome.conflict ? html`<div class="fr-alert fr-alert--warning fr-mb-4w" role="alert"><p>${outcome.conflict}</p></div>` : ''}
      ${outcome.errors?.length ? html`<div class="fr-alert fr-alert--error fr-mb-4w" role="alert"><p>Le formulaire contient ${outcome.errors.length} erreur(s).</p></div>` : ''}
      <div class="fr-grid-row fr-grid-row--gutters">
        <div class="fr-col-12 fr-col-md-6">
          <h2 class="fr-h4">État</h2>
          <dl id="etat">
            <dt>Statut</dt><dd>${STATUS_LABELS[view.status] ?? view.status}</dd>
            <dt>Territoire</dt><dd>${view.territory}</dd>
            <dt>Entrée</dt><dd>${frenchDate(view.entryOn)}</dd>
            <dt>Orientation</dt><dd>${view.parcoursType ?? 'pas encore orienté'}</dd>
            <dt>Référent</dt><dd>${view.referent ? view.referent.userId : 'aucun'}</dd>
            <dt>Dernier contact</dt><dd>${frenchDate(view.lastContactOn)}</dd>
            <dt>Version</dt><dd>${view.version}</dd>
          </dl>
        </div>
        <div class="fr-col-12 fr-col-md-6">
          <h2 class="fr-h4" id="continuite">Continuité au ${frenchDate(today)}</h2>
          ${continuity === undefined
            ? html`<p>Vos rôles ne donnent pas accès aux ruptures de ce parcours.</p>`
            : continuity.findings.length === 0
              ? html`<p>Aucune rupture.</p>`
              : html`<ul id="ruptures">${continuity.findings.map(
                  (finding) => html`<li><span class="fr-badge ${finding.severity === 'breach' ? 'fr-badge--error' : 'fr-badge--warning'} fr-badge--sm">${finding.ruleId}</span>
                    ${finding.severity === 'breach' ? 'Manquement' : 'Alerte'} ${finding.status === 'open' ? 'ouvert' : 'clos'} depuis le ${frenchDate(finding.observedOn)}
                    (échéance ${frenchDate(finding.dueOn)}, ${finding.durationDays} jour(s)) — ${RULE_LABELS[finding.ruleId]} ;
                    preuves : événement(s) n° ${finding.evidence.streamVersions.join(', ')} du parcours</li>`,
                )}</ul>`}
        </div>
      </div>
      <h2 class="fr-h4 fr-mt-4w">Contacts</h2>
      ${view.contacts.length === 0
        ? html`<p>Aucun contact enregistré.</p>`
        : html`<ul id="contacts">${view.contacts.map((contact) => html`<li>${frenchDate(contact.contactedOn)} — ${CHANNEL_LABELS[contact.channel] ?? contact.channel}${contact.note ? html` : ${contact.note}` : ''}</li>`)}</ul>`}
      ${canWrite
        ? html`<form method="post" action="/web/parcours/${view.id}/contacts" class="fr-mt-4w" id="formulaire-contact" novalidate>
            <fieldset class="fr-fieldset"><legend class="fr-fieldset__legend">Enregistrer un contact</legend>
              <input type="hidden" name="_csrf" value="${reply.generateCsrf()}">
              <input type="hidden" name="version" value="${outcome.conflict ? view.version : (outcome.form?.version ?? view.version)}">
              <input type="hidden" name="contactId" value="${randomUUID()}">
              <div class="fr-fieldset__element"><div class="fr-select-group${invalid('channel') ? ' fr-select-group--error' : ''}">
                <label class="fr-label" for="canal">Canal</label>
                <select class="fr-select" id="canal" name="channel"${invalid('channel') ? html` aria-describedby="erreur-channel"` : ''}>
                  ${CONTACT_CHANNELS.map((channel) => html`<option value="${channel}"${(outcome.form?.channel ?? 'in_person') === channel ? html` selected` : ''}>${CHANNEL_LABELS[channel]}</option>`)}
                </select>${fieldError('channel')}
              </div></div>
              <div class="fr-fieldset__element"><div class="fr-input-group${invalid('contactedOn') ? ' fr-input-group--error' : ''}">
                <label class="fr-label" for="date-contact">Date du contact</label>
                <input class="fr-input" type="date" id="date-contact" name="contactedOn" value="${outcome.form?.contactedOn ?? today}"${invalid('contactedOn') ? html` aria-describedby="erreur-contactedOn"` : ''}>${fieldError('contactedOn')}
              </div></div>
              <div class="fr-fieldset__element"><div class="fr-input-group${invalid('note') ? ' fr-input-group--error' : ''}">
                <label class="fr-label" for="note">Note (facultative) <span class="fr-hint-text">Donnée personnelle chiffrée, jamais partagée avec les partenaires.</span></label>
                <textarea class="fr-input" id="note" name="note" maxlength="2000">${outcome.form?.note ?? ''}</textarea>${fieldError('note')}
              </div></div>
              <div class="fr-fieldset__element"><button type="submit" class="fr-btn">Enregistrer le contact</button></div>
            </fieldset>
          </form>`
        : ''}`;
    return reply.type('text/html; charset=utf-8').send(page({ title: `Parcours ${view.id.slice(0, 8)}`, principal: request.principal, csrfToken: reply.generateCsrf() }, content));
  }
}
