import type { ContinuityMode } from '../continuity/as-known.js';
import type { Finding } from '../continuity/findings.js';
import { RULE_IDS } from '../continuity/policy.js';
import { REGIMES, type Regime } from '../parcours/domain/regimes.js';

export interface ParcoursFindings {
  parcoursId: string;
  /** The parcours' regime on the audit date (regimes.ts); null if it had not opened by then. */
  regime: Regime | null;
  findings: Finding[];
}

const REGIME_LABELS: Record<Regime, string> = {
  spie_2021: 'SPIE 2021',
  transition: 'transition (ouvert au 1er janvier 2025)',
  plein_emploi: 'loi pour le plein emploi',
};

const MODE_LABELS: Record<ContinuityMode, string> = {
  facts: 'tels que les faits se sont produits (dates métier)',
  known: "tels que le système les connaissait ce jour-là (événements enregistrés à cette date)",
};

/** One row per rupture, French headers (`cli audit continuity`, `--format csv`). */
export function continuityReportRows(results: readonly ParcoursFindings[], territory: string): string[][] {
  return [
    ['Territoire', 'Parcours', 'Régime du parcours', 'Règle', 'Régime de la règle appliquée', 'Gravité', 'État', 'Échéance', 'Constatée le', 'Terminée le', 'Durée (j)', 'Politique', 'Preuves (événements)'],
    ...results.flatMap(({ parcoursId, regime, findings }) =>
      findings.map((finding) => [
        territory,
        parcoursId,
        regime === null ? '' : REGIME_LABELS[regime],
        finding.ruleId,
        REGIME_LABELS[finding.policy.regime],
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
export function continuityReportHtml(results: readonly ParcoursFindings[], context: { territory: string; asOf: string; policyVersion: string; mode?: ContinuityMode }): string {
  const all = results.flatMap(({ parcoursId, findings }) => findings.map((finding) => ({ parcoursId, finding })));
  const byRegime = REGIMES.map((regime) => {
    const parcours = results.filter((result) => result.regime === regime);
    const findings = parcours.flatMap((result) => result.findings);
    const perRule = RULE_IDS.map((ruleId) => findings.filter((finding) => finding.ruleId === ruleId && finding.severity === 'breach').length).map((count) => `<td>${count}</td>`).join('');
    return `<tr><td>${REGIME_LABELS[regime]}</td><td>${parcours.length}</td><td>${parcours.filter((result) => result.findings.some((finding) => finding.status === 'open')).length}</td>${perRule}</tr>`;
  }).join('');
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
<p>Au ${context.asOf} · ${results.length} parcours · politique ${escape(context.policyVersion)} · faits ${MODE_LABELS[context.mode ?? 'facts']}</p>
<table><caption>Par régime (ruptures par règle)</caption><thead><tr><th>Régime</th><th>Parcours</th><th>Avec une rupture en cours</th>${RULE_IDS.map((ruleId) => `<th>${ruleId}</th>`).join('')}</tr></thead><tbody>${byRegime}</tbody></table>
<table><caption>Par règle</caption><thead><tr><th>Règle</th><th>En cours</th><th>Closes</th><th>Ruptures</th><th>Jours cumulés</th></tr></thead><tbody>${summary}</tbody></table>
<table><caption>Ruptures et alertes</caption><thead><tr><th>Parcours</th><th>Règle</th><th>Gravité</th><th>État</th><th>Échéance</th><th>Constatée le</th><th>Terminée le</th><th>Durée (j)</th></tr></thead><tbody>${rows}</tbody></table>
</body></html>
`;
}

function escape(text: string): string {
  return text.replace(/[&<>"']/g, (char) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[char]!);
}
