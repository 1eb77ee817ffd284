import { randomUUID } from 'node:crypto';
import { Body, Controller, Get, Inject, Logger, Param, ParseUUIDPipe, Post, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CASEWORKERS, READERS } from '../access/functions.js';
import { Clock } from '../kernel/clock.js';
import { ContinuityController } from '../continuity/read-models/continuity.controller.js';
import { type FieldError, ProblemError, toProblem } from '../http/problem.js';
import { CONTACT_CHANNELS } from '../parcours/domain/events.js';
import { ParcoursController } from '../parcours/http/parcours.controller.js';
import { type CaseloadItem, CaseloadController, CaseloadQuery } from '../parcours/read-models/caseload/caseload.controller.js';
import type { ParcoursView } from '../parcours/read-models/parcours-details/parcours-details.query.js';
import { ApiCall } from './api-call.js';
import { RULE_LABELS } from './ruptures.controller.js';
import { timelineSvg } from './charts.js';
import { PartnersController } from '../partners/http/partners.controller.js';
import { ListPartnersQuery } from '../partners/http/partner.dto.js';
import { COMMAND_FORMS, type CommandForm, type FormContext, type FormField, type Options, bodyOf, optionsOf, pathIdOf } from './parcours-forms.js';
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

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

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

/**
 * One everyday command as a DSFR form, in a disclosure (<details>) opened when it is the one just
 * sent back with errors. Ids are prefixed by the form's slug: several forms share field names.
 */
function commandForm(form: CommandForm, context: FormContext, today: string, csrfToken: string, outcome: { errors?: FieldError[]; conflict?: string; form?: Record<string, string> }): Html {
  const view = context.view;
  const id = (field: string) => `${form.slug}-${field}`;
  const submitted = outcome.form;
  // A select with neither a submitted value nor a default marks no option: the browser then selects the first.
  const valueOf = (field: FormField) => submitted?.[field.name] ?? form.defaults[field.name] ?? (field.kind === 'date' ? today : field.kind === 'select' ? undefined : '');
  const messages = (field: string) => (outcome.errors ?? []).filter((error) => error.field === field).map((error) => error.message);
  const fieldHtml = (field: FormField): Html => {
    const errors = messages(field.name);
    const group = field.kind === 'select' ? 'fr-select-group' : 'fr-input-group';
    const described = errors.length ? html` aria-describedby="erreur-${id(field.name)}"` : '';
    const control =
      field.kind === 'select'
        ? html`<select class="fr-select" id="${id(field.name)}" name="${field.name}"${described}>${optionsOf(field, context).map(([value, label]) => html`<option value="${value}"${valueOf(field) === value ? html` selected` : ''}>${label}</option>`)}</select>`
        : field.kind === 'textarea'
          ? html`<textarea class="fr-input" id="${id(field.name)}" name="${field.name}" maxlength="2000"${described}>${valueOf(field)}</textarea>`
          : html`<input class="fr-input" type="${field.kind === 'date' ? 'date' : 'text'}"${field.kind === 'number' ? html` inputmode="decimal"` : ''}${field.kind === 'text' ? html` maxlength="200"` : ''} id="${id(field.name)}" name="${field.name}" value="${valueOf(field)}"${described}>`;
    return html`<div class="fr-fieldset__element"><div class="${group}${errors.length ? ` ${group}--error` : ''}">
      <label class="fr-label" for="${id(field.name)}">${field.label}${field.hint ? html` <span class="fr-hint-text">${field.hint}</span>` : ''}</label>
      ${control}${errors.length ? html`<p class="fr-error-text" id="erreur-${id(field.name)}">${errors.join(' ; ')}</p>` : ''}
    </div></div>`;
  };
  const open = outcome.errors !== undefined || outcome.conflict !== undefined || form.slug === 'contacts';
  return html`<details class="fr-mb-2w spie-command"${open ? html` open` : ''}><summary class="fr-text--lg">${form.title}</summary>
    <form method="post" action="/web/parcours/${view.id}/${form.slug}" id="formulaire-${form.slug}" novalidate>
      ${outcome.conflict ? html`<div class="fr-alert fr-alert--warning fr-mb-2w" role="alert"><p>${outcome.conflict}</p></div>` : ''}
      ${outcome.errors?.length ? html`<div class="fr-alert fr-alert--error fr-mb-2w" role="alert"><p>Le formulaire contient ${outcome.errors.length} erreur(s).</p></div>` : ''}
      <fieldset class="fr-fieldset"><legend class="fr-fieldset__legend">${form.title}</legend>
        <input type="hidden" name="_csrf" value="${csrfToken}">
        <input type="hidden" name="version" value="${outcome.conflict ? view.version : (submitted?.version ?? view.version)}">
        ${form.idField ? html`<input type="hidden" name="${form.idField}" value="${outcome.conflict || !submitted?.[form.idField] ? randomUUID() : submitted[form.idField]}">` : ''}
        ${form.fields.map(fieldHtml)}
        <div class="fr-fieldset__element"><button type="submit" class="fr-btn">${form.button}</button></div>
      </fieldset>
    </form></details>`;
}

/** The référent's caseload and a parcours page with its everyday forms. */
@ApiExcludeController()
@Controller('web')
export class ReferentController {
  private readonly logger = new Logger('WebPages');

  constructor(@Inject(ApiCall) private readonly api: ApiCall, @Inject(Clock) private readonly clock: Clock) {}

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

  /** An everyday command (contact, rendez-vous, contracts, actions, reorientation, exit): the API's DTO checks it, the API's command records it, with the version read as If-Match. */
  @Post('parcours/:parcoursId/:form')
  @WebPage(...CASEWORKERS)
  async command(
    @Param('parcoursId', new ParseUUIDPipe()) parcoursId: string,
    @Param('form') slug: string,
    @Body() submitted: Record<string, string> | undefined,
    @Req() request: WebRequest,
    @Res() reply: FastifyReply,
  ) {
    const form = COMMAND_FORMS.find((candidate) => candidate.slug === slug);
    if (!form) throw new ProblemError(404, 'not_found', 'Not found', "Ce formulaire n'existe pas.");
    const fields = submitted ?? {};
    const outcome = { slug: form.slug, form: fields };
    // The id in the API's path (the contract to end, the action) is checked here, as the API's ParseUUIDPipe would, beside the body's fields.
    const pathId = pathIdOf(form, fields);
    const pathErrors: FieldError[] = pathId && !UUID.test(pathId.value) ? [{ field: pathId.field, message: `${pathId.field} must be chosen from the list` }] : [];
    let body: object | undefined;
    let bodyErrors: FieldError[] = [];
    try {
      body = await this.api.validate(bodyOf(form, fields, request.principal!.partnerId), form.dto);
    } catch (error) {
      if (!(error instanceof ProblemError) || error.status !== 400) throw error;
      bodyErrors = (error.extensions.errors as FieldError[] | undefined) ?? [];
    }
    if (body === undefined || pathErrors.length) {
      return this.renderParcours(request, reply.status(400), parcoursId, { ...outcome, errors: [...pathErrors, ...bodyErrors] });
    }
    const apiPath = pathId ? form.apiPath.replace('{id}', pathId.value) : form.apiPath;
    const headers: Record<string, string> = { 'if-match': `"${fields.version ?? ''}"`, ...(form.idField ? { 'idempotency-key': String(fields[form.idField]) } : {}) };
    try {
      await this.api.invoke(request, ParcoursController, form.method, (api) => (pathId ? [parcoursId, pathId.value, body, api, reply] : [parcoursId, body, api, reply]), {
        url: `/v1/parcours/${parcoursId}/${apiPath}`,
        headers,
      });
    } catch (error) {
      // The status the API would answer (412 for a stale If-Match, 409, 422 for a rule of the parcours): shown on the form.
      const { problem } = toProblem(error, Object.create(request, { headers: { value: { ...request.headers, ...headers } } }) as FastifyRequest, this.logger);
      if (problem.status === 412 || problem.status === 409 || problem.status === 422) {
        const conflict = problem.status === 412 ? "Le parcours a été modifié depuis que vous l'avez ouvert : voici son état actuel. Vérifiez puis envoyez à nouveau." : (problem.detail ?? problem.title);
        return this.renderParcours(request, reply.status(problem.status), parcoursId, { ...outcome, conflict });
      }
      throw error;
    }
    return reply.redirect(`/web/parcours/${parcoursId}?enregistre=${form.slug}`, 303);
  }

  /** The parcours' timeline as a picture (ECharts SVG, shown through <img>): what the parcours page shows, in time. */
  @Get('parcours/:parcoursId/frise.svg')
  @WebPage(...READERS)
  async timeline(@Param('parcoursId', new ParseUUIDPipe()) parcoursId: string, @Req() request: WebRequest, @Res() reply: FastifyReply) {
    const view = await this.api.invoke(request, ParcoursController, 'get', (api) => [parcoursId, api, reply]);
    const today = this.clock.today();
    const end = view.lastExit?.exitedOn ?? today;
    const lanes = ['Parcours', 'Orientation', 'Référent', "Contrats d'engagement", 'Contrats de travail', 'Rendez-vous', 'Contacts'];
    const svg = timelineSvg({
      lanes,
      start: view.entryOn,
      until: today,
      periods: [
        { lane: 'Parcours', from: view.entryOn, to: end, label: 'Parcours' },
        ...(view.orientation ? [{ lane: 'Orientation', from: view.orientation.decidedOn, to: end, label: view.parcoursType ?? '' }] : []),
        ...(view.referent ? [{ lane: 'Référent', from: view.referent.since, to: end, label: view.referent.userId }] : []),
        ...view.engagementContracts.map((contract) => ({ lane: "Contrats d'engagement", from: contract.startsOn, to: contract.ended?.endedOn ?? contract.endsOn, label: contract.kind })),
        ...view.employmentContracts.map((contract) => ({ lane: 'Contrats de travail', from: contract.startsOn, to: contract.ended?.endedOn ?? contract.plannedEndOn, label: contract.kind })),
      ],
      points: [
        ...view.appointments.map((appointment) => ({ lane: 'Rendez-vous', on: appointment.scheduledOn, label: appointment.outcome })),
        ...view.contacts.map((contact) => ({ lane: 'Contacts', on: contact.contactedOn, label: contact.channel })),
      ],
    });
    return reply.type('image/svg+xml; charset=utf-8').header('cache-control', 'private, no-store').send(svg);
  }

  private async renderParcours(
    request: WebRequest,
    reply: FastifyReply,
    parcoursId: string,
    outcome: { slug?: string; errors?: FieldError[]; conflict?: string; form?: Record<string, string> } = {},
  ) {
    const view = await this.api.invoke(request, ParcoursController, 'get', (api) => [parcoursId, api, reply]);
    // The ruptures are for those the continuity endpoint accepts (a DPO reads the parcours, not its ruptures).
    const continuity = await this.api.invoke(request, ContinuityController, 'forParcours', (api) => [parcoursId, {}, api]).catch((error: unknown) => {
      if (error instanceof ProblemError && error.status === 403) return undefined;
      throw error;
    });
    // The forms whose command the caller's roles may send (the endpoint's @Roles), and that have something to act on.
    const forms = view.archived ? [] : COMMAND_FORMS.filter((form) => (form.appliesTo?.(view) ?? true) && this.api.allows(request, ParcoursController, form.method));
    // A form sent back refused while it no longer applies (its contract ended meanwhile, an id not offered): said at the top.
    const sent = COMMAND_FORMS.find((form) => form.slug === outcome.slug);
    const unshown = sent && (outcome.conflict !== undefined || outcome.errors !== undefined) && !forms.includes(sent) ? sent : undefined;
    const context: FormContext = {
      view,
      partnerId: request.principal!.partnerId,
      organisations: forms.some((form) => form.needsOrganisations) ? await this.organisations(request) : [],
    };
    const saved = COMMAND_FORMS.find((form) => form.slug === (request.query as Record<string, unknown>).enregistre);
    const today = this.clock.today();
    const csrfToken = reply.generateCsrf();
    const auditor = request.principal!.roles.includes('auditor');
    const content = html`<h1>Parcours de ${personName(view)}</h1>
      ${auditor ? html`<p><a class="fr-link" id="lien-audit" href="/web/audit/${view.id}">Audit : historique, rejeu à une date, vérification</a></p>` : ''}
      ${saved ? html`<div class="fr-alert fr-alert--success fr-mb-4w" role="status"><p>${saved.done}</p></div>` : ''}
      ${unshown
        ? html`<div class="fr-alert fr-alert--error fr-mb-4w" role="alert" id="refus"><p>${unshown.title} : ${outcome.conflict ?? (outcome.errors ?? []).map((error) => error.message).join(' ; ')}</p></div>`
        : ''}
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
      <figure class="fr-content-media fr-mt-4w" role="group" aria-label="Frise chronologique du parcours">
        <img class="spie-chart" id="frise" src="/web/parcours/${view.id}/frise.svg" alt="Frise chronologique : entrée, orientation, référent, contrats, rendez-vous et contacts ; les mêmes faits sont listés sur cette page." width="900" height="312">
        <figcaption class="fr-content-media__caption">Le parcours dans le temps, de l'entrée à aujourd'hui.</figcaption>
      </figure>
      <h2 class="fr-h4 fr-mt-4w">Contacts</h2>
      ${view.contacts.length === 0
        ? html`<p>Aucun contact enregistré.</p>`
        : html`<ul id="contacts">${view.contacts.map((contact) => html`<li>${frenchDate(contact.contactedOn)} — ${CHANNEL_LABELS[contact.channel] ?? contact.channel}${contact.note ? html` : ${contact.note}` : ''}</li>`)}</ul>`}
      ${forms.length
        ? html`<h2 class="fr-h4 fr-mt-4w">Enregistrer</h2>
          ${forms.map((form) => commandForm(form, context, today, csrfToken, outcome.slug === form.slug ? outcome : {}))}`
        : ''}`;
    return reply.type('text/html; charset=utf-8').send(page({ title: `Parcours ${view.id.slice(0, 8)}`, principal: request.principal, csrfToken }, content));
  }

  /** The active organisations of the directory (the API's list, every page), for a choice of organisme référent. */
  private async organisations(request: WebRequest): Promise<Options> {
    const all: (readonly [string, string])[] = [];
    let cursor: string | undefined;
    do {
      const query = await this.api.validate({ active: 'true', limit: '100', ...(cursor ? { cursor } : {}) }, ListPartnersQuery, 'query');
      const page = await this.api.invoke(request, PartnersController, 'list', () => [query]);
      all.push(...page.items.map((partner) => [partner.id, partner.name] as const));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    return all;
  }
}
