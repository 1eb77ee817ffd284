import type { RecordedEvent } from '../../event-store/event-store.js';
import type { Finding } from '../../continuity/findings.js';
import { DEFAULT_POLICY } from '../../continuity/policy.js';
import { evaluateContinuity } from '../../continuity/rules.js';
import { continuityEventsOf } from '../../continuity/parcours-history.js';
import { aParcoursFollowedByClaire, aParcoursWithACerPastItsTerm, CONSEIL_DEPARTEMENTAL, opened, oriented, TODAY } from '../../parcours/domain/parcours.fixtures.js';
import { buildTimeline, type Timeline } from './timeline.js';
import { timelineToHtml, type TimelineHtmlOptions } from './timeline-html.js';
import { aHistoryWithEveryEventType, CIPHERTEXT, PARTNER_NAMES, recordedHistory } from './timeline.fixtures.js';

const OPTIONS: TimelineHtmlOptions = { title: 'Frise du parcours', generatedAt: '2026-09-20T08:15:00.000Z', policyVersion: DEFAULT_POLICY.version };

function fullTimeline(partnerNames: ReadonlyMap<string, string> = PARTNER_NAMES): { events: RecordedEvent[]; findings: Finding[]; timeline: Timeline } {
  const events = recordedHistory(aHistoryWithEveryEventType());
  const findings = evaluateContinuity(continuityEventsOf(events), '2026-09-20', DEFAULT_POLICY);
  return { events, findings, timeline: buildTimeline(events, findings, { partnerNames, asOf: '2026-09-20' }) };
}

function svgOf(html: string): string {
  const match = /<svg[\s\S]*?<\/svg>/.exec(html);
  if (match === null) throw new Error('no svg in the page');
  return match[0];
}

function count(text: string, pattern: RegExp): number {
  return [...text.matchAll(pattern)].length;
}

/** Every element closed in order, void elements aside: enough to trust a browser and a printer with it. */
function unbalancedTags(html: string): string[] {
  const VOID = new Set(['meta', 'br', 'img', 'link', 'input', 'hr']);
  const stack: string[] = [];
  const problems: string[] = [];
  for (const [, closing, name, selfClosing] of html.matchAll(/<(\/?)([a-zA-Z][\w-]*)(?:\s[^<>]*?)?(\/?)>/g)) {
    const tag = name.toLowerCase();
    if (closing === '/') {
      const open = stack.pop();
      if (open !== tag) problems.push(`</${tag}> closes <${open ?? 'nothing'}>`);
    } else if (selfClosing !== '/' && !VOID.has(tag)) {
      stack.push(tag);
    }
  }
  return [...problems, ...stack.map((tag) => `<${tag}> never closed`)];
}

describe('timelineToHtml', () => {
  const { timeline } = fullTimeline();
  const html = timelineToHtml(timeline, OPTIONS);
  const svg = svgOf(html);

  it('is one well-formed HTML document with an inline SVG', () => {
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).toContain('<html lang="fr">');
    expect(html).toContain('<meta charset="utf-8">');
    expect(count(html, /<svg /g)).toBe(1);
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" viewBox="0 0 \d+(\.\d+)? \d+(\.\d+)?"/);
    expect(unbalancedTags(html)).toEqual([]);
  });

  it('is self-contained: no script, no external resource, no web font', () => {
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/<link|<img|<iframe|@import|@font-face/i);
    expect(html).not.toMatch(/url\((?!#)/);
    // The only address is the SVG namespace, which is a name, not a download.
    expect([...html.matchAll(/https?:\/\/[^\s"')]+/g)].map((match) => match[0])).toEqual(['http://www.w3.org/2000/svg']);
  });

  it('draws one rect per bar, and rects only for bars', () => {
    const { lanes } = timeline;
    const bars =
      lanes.phases.length + lanes.referents.length + lanes.engagementContracts.length + lanes.employmentContracts.length + lanes.suspensions.length + lanes.ruptures.length;
    expect(bars).toBe(7 + 3 + 3 + 1 + 1 + lanes.ruptures.length);
    expect(count(svg, /<rect /g)).toBe(bars);
    expect(count(svg, /<rect class="bar[ "]/g)).toBe(bars);
  });

  it('draws a diamond per point event', () => {
    expect(count(svg, /<path class="marker"/g)).toBe(timeline.markers.length);
  });

  it('shows ruptures in red (breach) or orange (warning) with their rule id', () => {
    const breaches = [...svg.matchAll(/<rect class="bar rupture breach"[^>]*fill="([^"]+)"/g)].map((match) => match[1]);
    const warnings = [...svg.matchAll(/<rect class="bar rupture warning"[^>]*fill="([^"]+)"/g)].map((match) => match[1]);
    expect(breaches).toHaveLength(timeline.lanes.ruptures.filter((rupture) => rupture.severity === 'breach').length);
    expect(warnings).toHaveLength(timeline.lanes.ruptures.filter((rupture) => rupture.severity === 'warning').length);
    expect(warnings.length).toBeGreaterThan(0);
    expect(new Set(breaches)).toEqual(new Set(['#c62828']));
    expect(new Set(warnings)).toEqual(new Set(['#ef6c00']));
    for (const ruleId of ['R1', 'R3', 'R5', 'R10']) expect(svg).toMatch(new RegExp(`font-weight="700"[^>]*>${ruleId}</text>`));
    expect(html).toContain('<h2>Ruptures de continuité</h2>');
    expect(html).toContain('<td>Passation de référent interrompue</td>');
    expect(html).toContain('<td><code title="0e1d0000-0000-4000-8000-000000000015">v15</code>, <code title="0e1d0000-0000-4000-8000-000000000018">v18</code></td>');
  });

  it('shades suspensions across the lanes', () => {
    expect(svg).toContain('<pattern id="suspension-hatch"');
    expect(count(svg, /fill="url\(#suspension-hatch\)"/g)).toBe(timeline.lanes.suspensions.length);
  });

  it('has a month axis in French, a legend, and the table of entries with the CSV content', () => {
    for (const month of ['janv.', 'févr.', 'mars', 'avr.', 'mai', 'juin', 'juil.', 'août', 'sept.']) expect(svg).toContain(`>${month}</text>`);
    expect(svg).toContain('>2026</text>');
    expect(html).toContain('<ul class="legend"');
    expect(html).toContain('<th>Date</th><th>Enregistré le</th><th>Version</th><th>Événement</th><th>Détail</th><th>Organisation</th><th>Rôle</th><th>Identifiant</th><th>Empreinte</th>');
    expect(count(html, /<tr(?: class="backdated")?><td>/g)).toBe(timeline.entries.length);
    expect(count(html, /<tr class="backdated">/g)).toBe(1);
    const hash = timeline.entries[0].hash;
    expect(html).toContain(`<code class="hash">${hash}</code>`);
    expect(html).toContain('<td>Orientation décidée</td>');
  });

  it('states the policy, the generation time in Paris and the period', () => {
    expect(html).toContain(`politique de continuité ${DEFAULT_POLICY.version}`);
    expect(html).toContain('généré le 20/09/2026 10:15 (heure de Paris)');
    expect(html).toContain('du 05/01/2026 au 20/09/2026');
  });

  it('escapes every text: a partner name cannot inject markup', () => {
    const hostile = new Map([[CONSEIL_DEPARTEMENTAL, '<script>alert("x")</script> & Cie']]);
    const page = timelineToHtml(fullTimeline(hostile).timeline, { ...OPTIONS, title: 'Parcours <b>audit</b>', policyVersion: '"><svg onload=x>' });
    expect(page).not.toMatch(/<script/i);
    expect(page).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Cie');
    expect(page).toContain('<title>Parcours &lt;b&gt;audit&lt;/b&gt;</title>');
    expect(page).not.toContain('<svg onload');
    expect(unbalancedTags(page)).toEqual([]);
  });

  it('contains no identity and no ciphertext', () => {
    expect(html).not.toContain(CIPHERTEXT);
    expect(html).not.toMatch(/ciphertext|identity/i);
  });

  it('makes the chart wider by the same step for every month spanned, and never too narrow', () => {
    const widthFor = (asOf: string): number => {
      const page = timelineToHtml(buildTimeline(recordedHistory(aParcoursFollowedByClaire), [], { asOf }), OPTIONS);
      const match = /viewBox="0 0 ([\d.]+) /.exec(page);
      return Number(match?.[1]);
    };
    // The history starts in January 2026.
    const sixMonths = widthFor('2026-06-30');
    const sevenMonths = widthFor('2026-07-31');
    const eighteenMonths = widthFor('2027-06-30');
    const step = sevenMonths - sixMonths;
    expect(step).toBeGreaterThan(0);
    expect(eighteenMonths - sixMonths).toBeCloseTo(12 * step, 5);
    // A parcours of a few weeks is drawn on six months' width, its months wider.
    expect(widthFor('2026-02-28')).toBe(sixMonths);
    expect(widthFor('2026-03-31')).toBe(sixMonths);
  });

  it('draws an open period up to the audit date with a chevron, and says when there is nothing to draw', () => {
    const open = timelineToHtml(buildTimeline(recordedHistory(aParcoursFollowedByClaire), [], { asOf: '2026-03-20' }), OPTIONS);
    // The référent and the orientation phase run on past the audit date.
    expect(count(svgOf(open), /<path d="M[\d.]+ [\d.]+l6 /g)).toBe(2);
    expect(open).toContain('Aucune rupture de continuité constatée.');
    const empty = timelineToHtml(buildTimeline([], [], {}), OPTIONS);
    expect(empty).not.toContain('<svg');
    expect(empty).toContain('Aucun événement à représenter.');
    expect(unbalancedTags(empty)).toEqual([]);
  });

  it('stops a contract past its term and never ended at its term, flagged as lapsed', () => {
    const page = timelineToHtml(buildTimeline(recordedHistory(aParcoursWithACerPastItsTerm), [], { partnerNames: PARTNER_NAMES, asOf: TODAY }), OPTIONS);
    const contract = /<rect class="bar"[^>]*fill="#8e24aa"[^>]*><title>([^<]*)<\/title><\/rect>(<path[^>]*\/>)*<text[^>]*>([^<]*)<\/text>/.exec(svgOf(page));
    expect(contract?.[0]).toContain('fill-opacity="0.55"');
    expect(contract?.[1]).toContain('échu le 01/03/2026, fin non enregistrée');
    expect(contract?.[3]).toContain('(échu)');
    // No chevron after it: only the référent and the orientation phase run on.
    expect(count(svgOf(page), /<path d="M[\d.]+ [\d.]+l6 /g)).toBe(2);
  });

  it('names a partner by its id when its name is unknown', () => {
    const page = timelineToHtml(buildTimeline(recordedHistory([opened(), oriented()]), [], {}), OPTIONS);
    expect(page).toContain(`organisme référent ${CONSEIL_DEPARTEMENTAL}`);
  });
});
