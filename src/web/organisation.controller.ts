import { Controller, Get, Inject, Optional, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { ORGANISATION_ADMINS } from '../access/functions.js';
import { PartnersController } from '../partners/http/partners.controller.js';
import { ProjectionsService } from '../projections/projections.module.js';
import { FeedStatusController } from '../webhooks/feed-status.controller.js';
import { ApiCall } from './api-call.js';
import { html } from './html.js';
import { ROLE_LABELS, elapsed, frenchDate, frenchDateTime, page } from './layout.js';

const WEBHOOK_STATES: Record<string, string> = {
  active: 'actif',
  retrying: 'en échec, nouvel essai prévu',
  dead: "arrêté après trop d'échecs (à relancer)",
  stopped: 'organisation désactivée',
};
import { type WebRequest, WebPage } from './web-auth.js';

/**
 * Partner admin: the organisation's members and API keys, where its feed's readers and webhook
 * endpoints stand (all from the API's endpoints), and where the feed's read model stands.
 */
@ApiExcludeController()
@Controller('web/organisation')
export class OrganisationController {
  constructor(
    @Inject(ApiCall) private readonly api: ApiCall,
    @Optional() @Inject(ProjectionsService) private readonly projections?: ProjectionsService,
  ) {}

  @Get()
  @WebPage(...ORGANISATION_ADMINS)
  async organisation(@Req() request: WebRequest, @Res() reply: FastifyReply) {
    const partnerId = request.principal!.partnerId;
    const partner = await this.api.invoke(request, PartnersController, 'get', () => [partnerId, reply]);
    const members = await this.api.invoke(request, PartnersController, 'members', (api) => [partnerId, api]);
    const keys = await this.api.invoke(request, PartnersController, 'apiKeys', (api) => [partnerId, api]);
    const status = await this.api.invoke(request, FeedStatusController, 'status', (api) => [partnerId, api]);
    const readers = status.readers;
    // The feed's read model, as this process runs it (an `api` process runs none: said so).
    const feed = (await this.projections?.statuses())?.find((status) => status.name === 'partner_feed');
    const content = html`<h1>${partner.name}</h1>
      <h2 class="fr-h4">Membres</h2>
      <div class="fr-table" id="membres"><table>
        <caption>${members.length} membre(s)</caption>
        <thead><tr><th scope="col">Identifiant</th><th scope="col">Nom</th><th scope="col">Rôles</th><th scope="col">Depuis le</th></tr></thead>
        <tbody>${members.map((member) => html`<tr data-membre="${member.userId}"><td>${member.userId}</td><td>${member.displayName}</td><td>${member.roles.map((role) => ROLE_LABELS[role]).join(', ')}</td><td>${frenchDate(member.addedAt)}</td></tr>`)}</tbody>
      </table></div>
      <h2 class="fr-h4">Clés d'API</h2>
      <div class="fr-table" id="cles"><table>
        <caption>${keys.length} clé(s) (jamais la clé elle-même)</caption>
        <thead><tr><th scope="col">Nom</th><th scope="col">Droits</th><th scope="col">Expire le</th><th scope="col">Dernier usage</th><th scope="col">État</th></tr></thead>
        <tbody>${keys.map((key) => html`<tr data-cle="${key.keyId}"><td>${key.name}</td><td>${key.scopes.map((role) => ROLE_LABELS[role]).join(', ')}</td><td>${frenchDate(key.expiresAt)}</td><td>${key.lastUsedAt ? frenchDate(key.lastUsedAt) : 'jamais'}</td><td>${key.revokedAt ? `révoquée le ${frenchDate(key.revokedAt)}` : 'active'}</td></tr>`)}</tbody>
      </table></div>
      <h2 class="fr-h4">Flux de l'organisation</h2>
      <p>Ce que les logiciels de l'organisation ont lu de son flux (<code>GET /v1/feed</code> et le flux continu), et ce qui les attend.</p>
      <dl id="flux-lecteurs">
        <dt>Dernier événement du flux</dt><dd id="flux-tete">${status.headCursor ? html`${status.headCursor} (enregistré le ${frenchDateTime(status.headRecordedAt)})` : 'aucun : le flux est vide'}</dd>
        <dt>Position servie</dt><dd id="flux-position">${readers.servedCursor ?? 'aucune page servie'}</dd>
        <dt>Événements en attente</dt><dd id="flux-attente">${readers.pendingEvents}</dd>
        <dt>Dernière lecture</dt><dd id="flux-lecture">${readers.lastReadAt ? `${frenchDateTime(readers.lastReadAt)} (${elapsed(readers.secondsSinceLastRead ?? 0)})` : 'jamais'}</dd>
        <dt>Pages servies</dt><dd id="flux-pages">${readers.pagesServed}</dd>
      </dl>
      <div class="fr-table" id="webhooks"><table>
        <caption>${status.webhooks.length} webhook(s)</caption>
        <thead><tr><th scope="col">Adresse</th><th scope="col">État</th><th scope="col">Position acquittée</th><th scope="col">Événements en attente</th><th scope="col">Dernier envoi réussi</th></tr></thead>
        <tbody>${status.webhooks.map((webhook) => html`<tr data-webhook="${webhook.id}"><td>${webhook.url}</td><td>${WEBHOOK_STATES[webhook.state] ?? webhook.state}</td><td>${webhook.cursor}</td><td class="spie-numeric">${webhook.pendingEvents}</td><td>${webhook.lastSuccessAt ? frenchDateTime(webhook.lastSuccessAt) : 'jamais'}</td></tr>`)}</tbody>
      </table></div>
      <h3 class="fr-h5">Construction du flux (projection)</h3>
      ${feed
        ? html`<dl id="flux"><dt>Position</dt><dd>${feed.position ?? 'pas encore démarré'}</dd><dt>Événements appliqués</dt><dd>${feed.eventsApplied}</dd><dt>Retard</dt><dd>${feed.lagEvents} événement(s), ${feed.lagSeconds} seconde(s)</dd><dt>Erreurs</dt><dd>${feed.errors}</dd></dl>`
        : html`<p id="flux">L'état du flux est tenu par les processus de travail (PROCESS_ROLE=worker) : voir leur /metrics.</p>`}`;
    return reply.type('text/html; charset=utf-8').send(page({ title: 'Mon organisation', principal: request.principal, csrfToken: reply.generateCsrf(), path: '/web/organisation' }, content));
  }
}
