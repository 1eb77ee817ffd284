import { escapeHtml } from '../../audit/timeline/timeline-html.js';
import { frenchDate, frenchDateTime } from '../../kernel/french.js';
import type { Identity } from '../../privacy/identity.js';
import type { PersonalDataExport } from './personal-data-export.js';

/**
 * The export as a document the person can read (and print): French, self-contained (no script,
 * no external resource), every value escaped.
 */
export function personalDataExportToHtml(data: PersonalDataExport): string {
  const identity = 'erased' in data.identity ? '<p>Les données d\'identité ont été effacées : plus rien ne permet de vous identifier dans ce dossier.</p>' : identityTable(data.identity);
  const replaced = data.replacedIdentities.length
    ? `<h2>Valeurs remplacées par une rectification</h2>${data.replacedIdentities.map((entry) => `<h3>Jusqu'au ${date(entry.until)}</h3>${identityTable(entry.identity)}`).join('\n')}`
    : '';
  const events = data.events
    .map(
      (event) =>
        `<tr><td>${date(event.on)}</td><td>${escapeHtml(event.title)}</td><td>${escapeHtml(event.detail)}${noteOf(event.note)}</td><td>${escapeHtml(event.organisation ?? '')}</td></tr>`,
    )
    .join('\n');
  const recipients = data.recipients
    .map((recipient) => `<tr><td>${escapeHtml(recipient.partnerName ?? recipient.partnerId ?? 'service (traitement automatique)')}</td><td class="number">${recipient.accesses}</td><td>${moment(recipient.firstAt)}</td><td>${moment(recipient.lastAt)}</td></tr>`)
    .join('\n');
  const accesses = data.accessJournal
    .map(
      (access) =>
        `<tr><td>${moment(access.at)}</td><td>${escapeHtml(access.partnerName ?? access.partnerId ?? 'service (traitement automatique)')}</td><td>${escapeHtml(access.role ?? '')}</td><td><code>${escapeHtml(access.operation)}</code></td><td>${escapeHtml(access.outcome)}</td></tr>`,
    )
    .join('\n');
  const status = [
    `Parcours : ${escapeHtml(STATUS_LABELS[data.status.parcoursStatus] ?? data.status.parcoursStatus)}`,
    data.status.archivedOn ? `archivé le ${date(data.status.archivedOn)}` : null,
    data.status.restrictedSince ? `traitement limité depuis le ${date(data.status.restrictedSince)}` : null,
    data.status.opposedSince ? `opposition depuis le ${date(data.status.opposedSince)}` : null,
  ].filter((part): part is string => part !== null);
  return `<!doctype html>
<html lang="fr">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Vos données personnelles — parcours ${escapeHtml(data.parcoursId)}</title>
<style>${STYLE}</style>
</head>
<body>
<h1>Vos données personnelles dans le parcours d'insertion</h1>
<p class="meta">Droit d'accès (RGPD, article 15). Dossier ${escapeHtml(data.parcoursId)}, document établi le ${moment(data.generatedAt)}.</p>
<p>${status.join(' ; ')}.</p>
<h2>Votre identité</h2>
${identity}
${replaced}
<h2>Votre parcours (${data.events.length} événement${data.events.length > 1 ? 's' : ''})</h2>
<table>
<thead><tr><th>Date</th><th>Événement</th><th>Détail</th><th>Organisme</th></tr></thead>
<tbody>
${events}
</tbody>
</table>
<h2>Organismes qui ont consulté ou modifié votre dossier</h2>
<p class="meta">D'après le journal des accès, conservé ${data.accessJournalRetentionMonths} mois.</p>
<table>
<thead><tr><th>Organisme</th><th>Accès</th><th>Premier</th><th>Dernier</th></tr></thead>
<tbody>
${recipients}
</tbody>
</table>
<h2>Journal des accès</h2>
<table>
<thead><tr><th>Quand</th><th>Organisme</th><th>Rôle</th><th>Opération</th><th>Résultat</th></tr></thead>
<tbody>
${accesses}
</tbody>
</table>
</body>
</html>
`;
}

function identityTable(identity: Identity): string {
  const rows: Array<[string, string | null | undefined]> = [
    ['Prénom', identity.firstName],
    ['Nom', identity.lastName],
    ['Date de naissance', date(identity.birthDate)],
    ['NIR', identity.nir],
    ['Adresse', identity.address ? [identity.address.line1, identity.address.line2, `${identity.address.postalCode} ${identity.address.city}`].filter(Boolean).join(', ') : null],
    ['Téléphone', identity.phone],
    ['Courriel', identity.email],
  ];
  return `<table class="identity"><tbody>${rows
    .filter(([, value]) => value)
    .map(([label, value]) => `<tr><th scope="row">${label}</th><td>${escapeHtml(value!)}</td></tr>`)
    .join('')}</tbody></table>`;
}

function noteOf(note: PersonalDataExport['events'][number]['note']): string {
  if (note === undefined) return '';
  if (typeof note !== 'string') return '<br><em>note effacée</em>';
  return `<blockquote>${escapeHtml(note)}</blockquote>`;
}

function date(value: string): string {
  return escapeHtml(frenchDate(value));
}

/** An instant of the journal, as a Paris wall-clock time. */
function moment(iso: string): string {
  return escapeHtml(frenchDateTime(iso));
}

const STATUS_LABELS: Readonly<Record<string, string>> = { open: 'en cours', exited: 'sorti', unknown: 'inconnu' };

const STYLE = `
body { font-family: system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif; color: #263238; margin: 2rem; max-width: 60rem; }
h1 { font-size: 1.5rem; } h2 { font-size: 1.15rem; margin-top: 2rem; } h3 { font-size: 1rem; }
.meta { color: #546e7a; font-size: .9rem; }
table { border-collapse: collapse; width: 100%; font-size: .9rem; }
th, td { border-bottom: 1px solid #cfd8dc; padding: .3rem .5rem; text-align: left; vertical-align: top; }
table.identity { width: auto; } .number { text-align: right; }
blockquote { margin: .3rem 0 0; padding-left: .6rem; border-left: 3px solid #90a4ae; white-space: pre-wrap; }
`;
