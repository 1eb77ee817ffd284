import type { Finding } from '../continuity/findings.js';
import { RULE_IDS } from '../continuity/policy.js';

export interface ParcoursFindings {
  parcoursId: string;
  findings: Finding[];
}

/** One row per rupture, French headers (`cli audit continuity`, `--format csv`). */
export function continuityReportRows(results: readonly ParcoursFindings[], territory: string): string[][] {
  return [
    ['Territoire', 'Parcours', 'Règle', 'Gravité', 'État', 'Échéance', 'Constatée le', 'Terminée le', 'Durée (j)', 'Politique', 'Preuves (événements)'],
    ...results.flatMap(({ parcoursId, findings }) =>
      findings.map((finding) => [
        territory,
        parcoursId,
        finding.ruleId,
        finding.severity === 'breach' ? 'rupture' : 'alerte',
        finding.status === 'open' ? 'en cours' : 'close',
        finding.dueOn ?? '',
        finding.observedOn,
        finding.endedOn ?? '',
        String(finding.durationDays),
        finding.policy.version,
        finding.evidence.eventIds.join(' '),
      ]),
    ),
  ];
}

/** A self-contained page: counts per rule, then every rupture (`--format html`). */
export function continuityReportHtml(results: readonly ParcoursFindings[], context: { territory: string; asOf: string; policyVersion: string }): string {
  const all = results.flatMap(({ parcoursId, findings }) => findings.map((finding) => ({ parcoursId, finding })));
  const summary = RULE_IDS.map((ruleId) => {
    const mine = all.filter(({ finding }) => finding.ruleId === ruleId);
    return `<tr><td>${ruleId}</td><td>${mine.filter(({ finding }) => finding.status === 'open').length}</td><td>${mine.filter(({ finding }) => finding.status === 'closed').length}</td><td>${mine.filter(({ finding }) => finding.severity === 'breach').length}</td><td>${mine.reduce((days, { finding }) => days + finding.durationDays, 0)}</td></tr>`;
  }).join('');
  const rows = all
    .map(
      ({ parcoursId, finding }) =>
        `<tr class="${finding.severity}"><td>${escape(parcoursId)}</td><td>${finding.ruleId}</td><td>${finding.severity === 'breach' ? 'rupture' : 'alerte'}</td><td>${finding.status === 'open' ? 'en cours' : 'close'}</td><td>${finding.dueOn ?? ''}</td><td>${finding.observedOn}</td><td>${finding.endedOn ?? ''}</td><td>${finding.durationDays}</td></tr>`,
    )
    .join('');
  return `<!doctype html>
<html lang="fr"><head><meta charset="utf-8"><title>Continuité des parcours — ${escape(context.territory)} au ${context.asOf}</title>
<style>body{font-family:system-ui,sans-serif;margin:2rem;color:#222}table{border-collapse:collapse;margin:1rem 0}th,td{border:1px solid #ccc;padding:.25rem .5rem;text-align:left}
tr.breach td{background:#fde2e1}tr.warning td{background:#fff1d6}caption{text-align:left;font-weight:600}</style></head>
<body><h1>Continuité des parcours — ${escape(context.territory)}</h1>
<p>Au ${context.asOf} · ${results.length} parcours · politique ${escape(context.policyVersion)}</p>
<table><caption>Par règle</caption><thead><tr><th>Règle</th><th>En cours</th><th>Closes</th><th>Ruptures</th><th>Jours cumulés</th></tr></thead><tbody>${summary}</tbody></table>
<table><caption>Ruptures et alertes</caption><thead><tr><th>Parcours</th><th>Règle</th><th>Gravité</th><th>État</th><th>Échéance</th><th>Constatée le</th><th>Terminée le</th><th>Durée (j)</th></tr></thead><tbody>${rows}</tbody></table>
</body></html>
`;
}

function escape(text: string): string {
  return text.replace(/[&<>"']/g, (char) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[char]!);
}
