import { type ArgumentsHost, Catch, type ExceptionFilter, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { toProblem } from '../http/problem.js';
import { html } from './html.js';
import { page } from './layout.js';

const TITLES: Record<number, string> = {
  400: 'Demande invalide',
  401: 'Connexion requise',
  403: 'Accès refusé',
  404: 'Page introuvable',
  409: 'Conflit',
  412: 'Le parcours a changé',
  429: 'Trop de demandes',
  503: 'Service indisponible',
};

/** Not signed in (or the session is over): the page sends the browser to the sign-in page. */
export class SignInRequired extends Error {
  constructor(readonly returnTo: string) {
    super('sign-in required');
  }
}

/**
 * A page's errors in HTML and in French, with the API's own status codes: the problem the API
 * would have answered (toProblem) says the status; the page shows a French title and the detail.
 * Not signed in: a redirect to the sign-in page, which comes back here afterwards.
 */
@Catch()
export class WebErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('WebPages');

  catch(error: unknown, host: ArgumentsHost): void {
    const request = host.switchToHttp().getRequest<FastifyRequest>();
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    if (error instanceof SignInRequired) {
      void reply.redirect(`/web/connexion?retour=${encodeURIComponent(error.returnTo)}`, 303);
      return;
    }
    const { problem, headers } = toProblem(error, request, this.logger);
    const title = TITLES[problem.status] ?? (problem.status >= 500 ? 'Erreur du service' : 'Demande refusée');
    void reply
      .status(problem.status)
      .headers(headers)
      .type('text/html; charset=utf-8')
      .send(
        page(
          { title },
          html`<div class="fr-alert fr-alert--error"><h1 class="fr-alert__title">${title}</h1>
            <p>${problem.status < 500 ? (problem.detail ?? problem.title) : 'Une erreur est survenue. Réessayez plus tard.'}</p>
            <p class="fr-text--xs">Référence : ${problem.correlationId}</p></div>
            <p class="fr-mt-4w"><a class="fr-link" href="/web/accueil">Retour à l'accueil</a></p>`,
        ),
      );
  }
}
