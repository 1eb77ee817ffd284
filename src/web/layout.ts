import type { Principal } from '../access/principal.js';
import type { Role } from '../access/roles.js';
import { type Html, html } from './html.js';

/** Where the DSFR's built files are served from (web-plugins.ts): this origin, no CDN. */
export const DSFR = '/web/dsfr';

interface NavEntry {
  href: string;
  label: string;
  roles: readonly Role[];
}

/** The menu shows what the roles held open (the pages themselves decide, with the API's role lists). */
const NAV: readonly NavEntry[] = [
  { href: '/web/mes-parcours', label: 'Mes parcours', roles: ['referent', 'orientation_manager', 'coordinator'] },
  { href: '/web/territoire', label: 'Territoire', roles: ['coordinator', 'auditor'] },
  { href: '/web/ruptures', label: 'Ruptures', roles: ['coordinator', 'auditor'] },
  { href: '/web/caom', label: 'CAOM', roles: ['coordinator', 'auditor'] },
  { href: '/web/organisation', label: 'Mon organisation', roles: ['partner_admin', 'platform_admin'] },
];

export const ROLE_LABELS: Record<Role, string> = {
  referent: 'Référent',
  orientation_manager: "Chargé d'orientation",
  coordinator: 'Coordinateur',
  auditor: 'Auditeur',
  dpo: 'Délégué à la protection des données',
  partner_admin: "Administrateur de l'organisation",
  platform_admin: 'Administrateur de la plateforme',
};

export interface PageOptions {
  title: string;
  principal?: Principal;
  /** The session's CSRF token, for the sign-out form. */
  csrfToken?: string;
  /** The current path, to mark the menu entry. */
  path?: string;
}

/** A page in the Système de Design de l'État: header with the Marianne block, menu, main content, footer. */
export function page(options: PageOptions, content: Html): string {
  const { title, principal, csrfToken, path } = options;
  const nav = principal ? NAV.filter((entry) => entry.roles.some((role) => principal.roles.includes(role))) : [];
  return html`<!doctype html>
<html lang="fr" data-fr-scheme="light">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1, shrink-to-fit=no">
<meta name="format-detection" content="telephone=no">
<title>${title} — Parcours SPIE</title>
<link rel="stylesheet" href="${DSFR}/dsfr.min.css">
<link rel="stylesheet" href="${DSFR}/utility/icons/icons.min.css">
<link rel="stylesheet" href="/web/assets/web.css">
<link rel="icon" href="${DSFR}/favicon/favicon.svg" type="image/svg+xml">
<link rel="shortcut icon" href="${DSFR}/favicon/favicon.ico" type="image/x-icon">
</head>
<body>
<div class="fr-skiplinks">
  <nav class="fr-container" role="navigation" aria-label="Accès rapide">
    <ul class="fr-skiplinks__list"><li><a class="fr-link" href="#contenu">Contenu</a></li></ul>
  </nav>
</div>
<header role="banner" class="fr-header">
  <div class="fr-header__body">
    <div class="fr-container">
      <div class="fr-header__body-row">
        <div class="fr-header__brand fr-enlarge-link">
          <div class="fr-header__brand-top">
            <div class="fr-header__logo"><p class="fr-logo">République<br>Française</p></div>
            <div class="fr-header__navbar">
              <button class="fr-btn--menu fr-btn" data-fr-opened="false" aria-controls="menu-principal" aria-haspopup="menu" id="bouton-menu" title="Menu">Menu</button>
            </div>
          </div>
          <div class="fr-header__service">
            <a href="/web/accueil" title="Accueil — Parcours SPIE"><p class="fr-header__service-title">Parcours SPIE</p></a>
            <p class="fr-header__service-tagline">Service public de l'insertion et de l'emploi</p>
          </div>
        </div>
        <div class="fr-header__tools">
          <div class="fr-header__tools-links">
            ${principal
              ? html`<ul class="fr-btns-group">
                  <li><span class="fr-btn fr-icon-account-line">${principal.userId}</span></li>
                  <li><form method="post" action="/web/deconnexion"><input type="hidden" name="_csrf" value="${csrfToken}"><button type="submit" class="fr-btn fr-icon-logout-box-r-line">Se déconnecter</button></form></li>
                </ul>`
              : html``}
          </div>
        </div>
      </div>
    </div>
  </div>
  <div class="fr-header__menu fr-modal" id="menu-principal" aria-labelledby="bouton-menu">
    <div class="fr-container">
      <button class="fr-btn--close fr-btn" aria-controls="menu-principal" title="Fermer">Fermer</button>
      <div class="fr-header__menu-links"></div>
      ${nav.length > 0
        ? html`<nav class="fr-nav" role="navigation" aria-label="Menu principal"><ul class="fr-nav__list">
            ${nav.map((entry) => html`<li class="fr-nav__item"><a class="fr-nav__link" href="${entry.href}"${path?.startsWith(entry.href) ? html` aria-current="page"` : html``}>${entry.label}</a></li>`)}
          </ul></nav>`
        : html``}
    </div>
  </div>
</header>
<main id="contenu" role="main" class="fr-container fr-py-4w">
${content}
</main>
<footer class="fr-footer" role="contentinfo">
  <div class="fr-container">
    <div class="fr-footer__body">
      <div class="fr-footer__brand fr-enlarge-link"><a href="/web/accueil" title="Accueil — Parcours SPIE"><p class="fr-logo">République<br>Française</p></a></div>
      <div class="fr-footer__content"><p class="fr-footer__content-desc">Suivi des parcours d'insertion du Service public de l'insertion et de l'emploi.</p></div>
    </div>
  </div>
</footer>
<script type="module" src="${DSFR}/dsfr.module.min.js"></script>
</body>
</html>`.value;
}

/** A date YYYY-MM-DD as a French reader writes it (7 décembre 2026). */
export function frenchDate(isoDate: string | null | undefined): string {
  if (!isoDate) return '—';
  const [year, month, day] = isoDate.slice(0, 10).split('-').map(Number);
  return new Intl.DateTimeFormat('fr-FR', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' }).format(new Date(Date.UTC(year!, month! - 1, day!)));
}

/** An instant as a person in the Département reads it: `7 décembre 2026 à 22:31` (Europe/Paris). */
export function frenchDateTime(isoInstant: string | null | undefined): string {
  if (!isoInstant) return '—';
  return new Intl.DateTimeFormat('fr-FR', { day: 'numeric', month: 'long', year: 'numeric', hour: '2-digit', minute: '2-digit', timeZone: 'Europe/Paris' }).format(new Date(isoInstant));
}

/** A time elapsed, in the largest whole unit: `il y a 40 s`, `il y a 5 min`, `il y a 3 h`, `il y a 2 j`. */
export function elapsed(seconds: number): string {
  if (seconds < 60) return `il y a ${seconds} s`;
  if (seconds < 3_600) return `il y a ${Math.floor(seconds / 60)} min`;
  if (seconds < 86_400) return `il y a ${Math.floor(seconds / 3_600)} h`;
  return `il y a ${Math.floor(seconds / 86_400)} j`;
}
