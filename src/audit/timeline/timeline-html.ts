/**
 * The audit timeline as one self-contained HTML page: an inline SVG chart (a month axis, one row
 * per lane, bars for periods, diamonds for point events, ruptures in red or orange), a legend, the
 * ruptures, then the table of entries (the CSV rows). No script, no external resource, no web font:
 * the page is archived with an audit and must open the same way years later, offline.
 *
 * Every text is escaped: partner names come from the database and an event type outside the
 * catalogue is shown as stored. In the SVG, `<rect>` is used for bars only, so that a bar is a
 * rect and a rect is a bar.
 */
import { addDays } from '../../kernel/calendar.js';
import { daysInMonth } from '../../kernel/business-date.js';
import { timelineToCsvRows } from './timeline-csv.js';
import { frenchDate, frenchDateTime } from '../../kernel/french.js';
import { RULE_TITLES } from './timeline-labels.js';
import {
  type MarkerGroup,
  type MarkerTone,
  type PhaseKind,
  type RupturePeriod,
  type Timeline,
  type TimelineMarker,
  type TimelinePeriod,
} from './timeline.js';

export interface TimelineHtmlOptions {
  title: string;
  /** ISO instant the page was produced, shown in Paris time. */
  generatedAt: string;
  /** The continuity policy that judged the ruptures. */
  policyVersion: string;
}

// Layout, in SVG user units (≈ CSS pixels on screen; the viewBox scales the whole to an A4 page).
const LABEL_WIDTH = 190;
const MONTH_WIDTH = 96;
/** A parcours of a few weeks still gets a chart wide enough for its bars to carry their labels. */
const MIN_CHART_WIDTH = 6 * MONTH_WIDTH;
const RIGHT_MARGIN = 18;
const AXIS_HEIGHT = 40;
const BOTTOM_MARGIN = 10;
const BAR_HEIGHT = 18;
const TRACK_GAP = 4;
const ROW_PADDING = 7;
const MARKER_RADIUS = 6;
const FONT_SIZE = 11;
/** Average advance of a sans-serif glyph at FONT_SIZE: enough to decide whether a label fits. */
const CHAR_WIDTH = 6.3;

const PHASE_COLORS: Record<PhaseKind, string> = {
  entry: '#78909c',
  orientation: '#3f51b5',
  accompaniment: '#00897b',
  exited: '#cfd8dc',
  archived: '#eceff1',
};
const REFERENT_COLORS = ['#1e88e5', '#0d47a1'];
const ENGAGEMENT_COLOR = '#8e24aa';
const EMPLOYMENT_COLOR = '#2e7d32';
const SUSPENSION_COLOR = '#616161';
const BREACH_COLOR = '#c62828';
const WARNING_COLOR = '#ef6c00';
const MARKER_COLORS: Record<MarkerGroup, string> = { decision: '#37474f', followUp: '#00838f' };
const DARK_TEXT = '#263238';

const PHASE_SHORT_LABELS: Record<PhaseKind, readonly string[]> = {
  entry: ['Entrée'],
  orientation: ['Orientation', 'Orient.'],
  accompaniment: ['Accompagnement', 'Accomp.'],
  exited: ['Sorti'],
  archived: ['Archive intermédiaire', 'Archive'],
};

const MONTHS = ['janv.', 'févr.', 'mars', 'avr.', 'mai', 'juin', 'juil.', 'août', 'sept.', 'oct.', 'nov.', 'déc.'];
const SEVERITY_LABELS = { breach: 'manquement', warning: 'alerte' } as const;
const STATUS_LABELS = { open: 'en cours', closed: 'close' } as const;

export function timelineToHtml(timeline: Timeline, options: TimelineHtmlOptions): string {
  const rows = timelineToCsvRows(timeline);
  const ruptures = timeline.lanes.ruptures;
  const breaches = ruptures.filter((rupture) => rupture.severity === 'breach').length;
  const open = ruptures.filter((rupture) => rupture.status === 'open').length;
  const meta = [
    timeline.streamId === null ? null : `Flux <code>${escapeHtml(timeline.streamId)}</code>`,
    timeline.span === null ? null : `du ${frenchDate(timeline.span.start)} au ${frenchDate(timeline.span.end)}`,
    `${timeline.entries.length} événement${plural(timeline.entries.length)}`,
    `politique de continuité ${escapeHtml(options.policyVersion)}`,
    `généré le ${escapeHtml(frenchDateTime(options.generatedAt))} (heure de Paris)`,
  ].filter((part) => part !== null);
  const summary =
    ruptures.length === 0
      ? 'Aucune rupture de continuité constatée.'
      : `${ruptures.length} rupture${plural(ruptures.length)} de continuité : ${breaches} manquement${plural(breaches)}, ${ruptures.length - breaches} alerte${plural(ruptures.length - breaches)} ; ${open} en cours.`;

  return `<!doctype html>
<html lang="fr">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(options.title)}</title>
<style>${STYLE}</style>
</head>
<body>
<header>
<h1>${escapeHtml(options.title)}</h1>
<p class="meta">${meta.join(' · ')}</p>
<p class="summary${breaches > 0 ? ' has-breach' : ''}">${summary}</p>
</header>
<section class="chart" aria-label="Frise du parcours">
${timeline.span === null ? '<p class="empty">Aucun événement à représenter.</p>' : chartSvg(timeline, timeline.span)}
</section>
${LEGEND}
${rupturesTable(ruptures)}
<section>
<h2>Journal des événements</h2>
<p class="note">Ordre des dates métier, puis des versions du flux. Une saisie différée (enregistrée plus d'un jour après la date du fait) est signalée. L'empreinte est le maillon SHA-256 de la chaîne du flux.</p>
${entriesTable(timeline, rows)}
</section>
<footer>Document sans donnée personnelle : seuls des faits codés, des dates, des organisations et des rôles y figurent.</footer>
</body>
</html>
`;
}

// ---------------------------------------------------------------------------------------------
// Chart

/** Equal-width calendar months, each day a fraction of its month: the grid reads like a wall planner. */
class MonthScale {
  readonly firstMonth: number;
  readonly months: number;
  readonly monthWidth: number;

  constructor(start: string, end: string) {
    this.firstMonth = monthIndexOf(start);
    this.months = monthIndexOf(end) - this.firstMonth + 1;
    this.monthWidth = Math.max(MONTH_WIDTH, MIN_CHART_WIDTH / this.months);
  }

  /** Grows by one month's width per month spanned, from six months on. */
  get width(): number {
    return LABEL_WIDTH + this.months * this.monthWidth + RIGHT_MARGIN;
  }

  /** The left edge of a day. */
  x(date: string): number {
    const day = Number(date.slice(8, 10));
    const month = Number(date.slice(5, 7));
    const fraction = (day - 1) / daysInMonth(Number(date.slice(0, 4)), month);
    return round(LABEL_WIDTH + (monthIndexOf(date) - this.firstMonth + fraction) * this.monthWidth);
  }

  /** The right edge of a day: an inclusive end date covers its whole day. */
  xEnd(date: string): number {
    return this.x(addDays(date, 1));
  }

  /** The year is written on the first month drawn and on every January. */
  monthStart(index: number): { x: number; label: string; showYear: boolean } {
    const absolute = this.firstMonth + index;
    const month = absolute % 12;
    return { x: round(LABEL_WIDTH + index * this.monthWidth), label: MONTHS[month], showYear: month === 0 || index === 0 };
  }

  yearOf(index: number): number {
    return Math.floor((this.firstMonth + index) / 12);
  }
}

function monthIndexOf(date: string): number {
  return Number(date.slice(0, 4)) * 12 + Number(date.slice(5, 7)) - 1;
}

interface Item {
  /** Horizontal extent taken, label included, for packing into tracks. */
  from: number;
  to: number;
  draw: (y: number) => string;
  height: number;
}

interface Row {
  title: string;
  items: Item[];
  empty: string;
}

function chartSvg(timeline: Timeline, span: { start: string; end: string }): string {
  const scale = new MonthScale(span.start, span.end);
  const horizon = scale.xEnd(span.end);
  const { lanes } = timeline;
  const bar = (period: TimelinePeriod, fill: string, texts: readonly string[], options: BarOptions = {}): Item =>
    barItem(scale, horizon, span.end, period, fill, texts, options);
  const referentIndex = new Map<number, number>();

  const rows: Row[] = [
    {
      title: 'Phases',
      items: lanes.phases.map((phase) => bar(phase, PHASE_COLORS[phase.phase], [phase.label, ...PHASE_SHORT_LABELS[phase.phase]], {
        darkText: phase.phase === 'exited' || phase.phase === 'archived',
        truncate: false,
      })),
      empty: 'aucune',
    },
    {
      title: 'Ruptures',
      items: lanes.ruptures.map((rupture) => ruptureItem(scale, horizon, rupture)),
      empty: 'aucune',
    },
    {
      title: 'Référents',
      items: lanes.referents.map((referent) => {
        // Alternate shades so that two référents back to back read as two bars.
        const shade = referentIndex.get(referent.ordinal) ?? referentIndex.size;
        referentIndex.set(referent.ordinal, shade);
        return bar(referent, REFERENT_COLORS[shade % REFERENT_COLORS.length], [referent.label, `Réf. n° ${referent.ordinal}`]);
      }),
      empty: 'aucun',
    },
    {
      title: "Contrats d'engagement",
      items: lanes.engagementContracts.map((contract) => bar(contract, ENGAGEMENT_COLOR, [contract.label, contract.kind], { plannedEnd: contract.plannedEnd })),
      empty: 'aucun',
    },
    {
      title: 'Contrats de travail',
      items: lanes.employmentContracts.map((contract) => bar(contract, EMPLOYMENT_COLOR, [contract.label, contract.kind], { plannedEnd: contract.plannedEnd })),
      empty: 'aucun',
    },
    {
      title: 'Suspensions',
      items: lanes.suspensions.map((suspension) => bar(suspension, SUSPENSION_COLOR, [suspension.label, 'Suspension', 'Susp.'])),
      empty: 'aucune',
    },
    { title: 'Décisions', items: markerItems(scale, timeline.markers, 'decision'), empty: 'aucune' },
    { title: 'RDV, contacts, actions', items: markerItems(scale, timeline.markers, 'followUp'), empty: 'aucun' },
  ];

  // Lay the rows out: each row as tall as the tracks its overlapping items need.
  const body: string[] = [];
  const separators: string[] = [];
  const labels: string[] = [];
  let y = AXIS_HEIGHT;
  for (const row of rows) {
    const tracks = pack(row.items);
    const trackHeight = Math.max(BAR_HEIGHT, ...row.items.map((item) => item.height)) + TRACK_GAP;
    const height = Math.max(1, tracks.length) * trackHeight - TRACK_GAP + 2 * ROW_PADDING;
    labels.push(`<text x="8" y="${round(y + height / 2 + 4)}" font-weight="600" fill="${DARK_TEXT}">${escapeHtml(row.title)}</text>`);
    if (row.items.length === 0) {
      labels.push(`<text x="${LABEL_WIDTH + 8}" y="${round(y + height / 2 + 4)}" fill="#90a4ae" font-style="italic">${row.empty}</text>`);
    }
    tracks.forEach((track, index) => {
      for (const item of track) body.push(item.draw(y + ROW_PADDING + index * trackHeight));
    });
    y += height;
    separators.push(`<path d="M0 ${y}H${scale.width}" stroke="#cfd8dc" stroke-width="1"/>`);
  }
  const bottom = y;
  const height = bottom + BOTTOM_MARGIN;

  const grid: string[] = [];
  for (let index = 0; index < scale.months; index++) {
    const month = scale.monthStart(index);
    const monthWidth = round(scale.monthWidth);
    if (index % 2 === 1) grid.push(`<path d="M${month.x} ${AXIS_HEIGHT}h${monthWidth}V${bottom}h-${monthWidth}Z" fill="#f5f7f8"/>`);
    grid.push(`<path d="M${month.x} ${month.showYear ? 6 : 22}V${bottom}" stroke="${month.showYear ? '#90a4ae' : '#cfd8dc'}" stroke-width="1"/>`);
    grid.push(`<text x="${round(month.x + monthWidth / 2)}" y="34" text-anchor="middle" fill="${DARK_TEXT}">${month.label}</text>`);
    if (month.showYear) grid.push(`<text x="${month.x + 4}" y="16" font-weight="600" fill="${DARK_TEXT}">${scale.yearOf(index)}</text>`);
  }
  grid.push(`<path d="M${round(LABEL_WIDTH + scale.months * scale.monthWidth)} 22V${bottom}" stroke="#cfd8dc" stroke-width="1"/>`);

  // Suspensions shade every lane: the rules' clocks stop while a parcours is suspended.
  const shading = lanes.suspensions.map((suspension) => {
    const x1 = scale.x(suspension.start);
    const x2 = suspension.end === null ? horizon : scale.xEnd(suspension.end);
    return `<path d="M${x1} ${AXIS_HEIGHT}H${x2}V${bottom}H${x1}Z" fill="url(#suspension-hatch)"><title>${escapeHtml(periodTitle(suspension.label, suspension))}</title></path>`;
  });

  const horizonLine = [
    `<path d="M${horizon} ${AXIS_HEIGHT - 4}V${bottom}" stroke="${DARK_TEXT}" stroke-width="1.2" stroke-dasharray="4 3"/>`,
    `<text x="${horizon - 3}" y="${AXIS_HEIGHT - 6}" text-anchor="end" font-size="9.5" fill="${DARK_TEXT}">au ${frenchDate(span.end)}</text>`,
  ];

  const width = scale.width;
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-labelledby="chart-title" font-family="${FONT_FAMILY}" font-size="${FONT_SIZE}">
<title id="chart-title">Frise du parcours du ${frenchDate(span.start)} au ${frenchDate(span.end)}</title>
<defs><pattern id="suspension-hatch" width="7" height="7" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><path d="M0 0V7" stroke="#9e9e9e" stroke-width="2.2" stroke-opacity="0.45"/></pattern></defs>
${grid.join('\n')}
${shading.join('\n')}
${separators.join('\n')}
${labels.join('\n')}
${body.join('\n')}
${horizonLine.join('\n')}
</svg>`;
}

/** Greedy interval packing: each item goes to the first track where it does not overlap. */
function pack(items: readonly Item[]): Item[][] {
  const tracks: Item[][] = [];
  const ends: number[] = [];
  for (const item of [...items].sort((a, b) => a.from - b.from)) {
    // Touching is not overlapping: a phase ends where the next one begins.
    let track = ends.findIndex((end) => end <= item.from + 0.01);
    if (track < 0) {
      track = tracks.length;
      tracks.push([]);
      ends.push(0);
    }
    tracks[track].push(item);
    ends[track] = item.to;
  }
  return tracks;
}

interface BarOptions {
  darkText?: boolean;
  /** False when the shorter forms read better than the first text cut short. */
  truncate?: boolean;
  /** A contract's stated last day: the bar stops there when no end was recorded, and a tick marks it. */
  plannedEnd?: string | null;
}

function barItem(
  scale: MonthScale,
  horizon: number,
  spanEnd: string,
  period: TimelinePeriod,
  fill: string,
  /** The period's label, then shorter forms for a narrow bar; the tooltip always has the first. */
  texts: readonly string[],
  options: BarOptions,
): Item {
  const plannedEnd = options.plannedEnd ?? null;
  // A contract never closed but past its term is not running: draw it to its term, flagged.
  const lapsed = period.end === null && plannedEnd !== null && plannedEnd < spanEnd;
  const running = period.end === null && !lapsed;
  const x1 = scale.x(period.start);
  const x2 = Math.max(x1 + 3, period.end !== null ? scale.xEnd(period.end) : lapsed ? scale.xEnd(plannedEnd) : horizon);
  const tooltip = [periodTitle(texts[0] ?? '', period), lapsed ? `échu le ${frenchDate(plannedEnd)}, fin non enregistrée` : null, plannedEnd !== null && !lapsed ? `fin prévue le ${frenchDate(plannedEnd)}` : null]
    .filter((part) => part !== null)
    .join(' — ');
  const tick = plannedEnd !== null && plannedEnd <= spanEnd && period.end === null ? scale.xEnd(plannedEnd) : null;
  return {
    from: x1,
    to: x2 + (running ? 7 : 0),
    height: BAR_HEIGHT,
    draw: (y) => {
      const parts = [
        `<rect class="bar" x="${x1}" y="${y}" width="${round(x2 - x1)}" height="${BAR_HEIGHT}" rx="3" fill="${fill}"${lapsed ? ' fill-opacity="0.55" stroke="' + fill + '" stroke-dasharray="3 2"' : ''}><title>${escapeHtml(tooltip)}</title></rect>`,
      ];
      // A running period continues past the audit date: a chevron says so.
      if (running) parts.push(`<path d="M${x2 + 1} ${y + 3}l6 ${BAR_HEIGHT / 2 - 3}l-6 ${BAR_HEIGHT / 2 - 3}Z" fill="${fill}"/>`);
      if (tick !== null) parts.push(`<path d="M${tick} ${y - 2}v${BAR_HEIGHT + 4}" stroke="${DARK_TEXT}" stroke-width="1.5"/>`);
      const label = fitted(
        texts.map((text) => (lapsed ? `${text} (échu)` : text)),
        x2 - x1 - 8,
        options.truncate ?? true,
      );
      if (label !== null) {
        parts.push(`<text x="${x1 + 4}" y="${y + BAR_HEIGHT / 2 + 4}" fill="${options.darkText === true || lapsed ? DARK_TEXT : '#ffffff'}">${escapeHtml(label)}</text>`);
      }
      return parts.join('');
    },
  };
}

function ruptureItem(scale: MonthScale, horizon: number, rupture: RupturePeriod): Item {
  const x1 = scale.x(rupture.start);
  const x2 = Math.max(x1 + 4, rupture.end === null ? horizon : scale.xEnd(rupture.end));
  const fill = rupture.severity === 'breach' ? BREACH_COLOR : WARNING_COLOR;
  const text = rupture.ruleId;
  const inside = x2 - x1 - 8 >= text.length * CHAR_WIDTH;
  const textWidth = text.length * CHAR_WIDTH + 6;
  const tooltip = [
    rupture.label,
    `${SEVERITY_LABELS[rupture.severity]} ${STATUS_LABELS[rupture.status]}`,
    rupture.end === null ? `depuis le ${frenchDate(rupture.start)}` : `du ${frenchDate(rupture.start)} au ${frenchDate(rupture.end)}`,
    `${rupture.durationDays} jour${plural(rupture.durationDays)}`,
    rupture.dueOn === null ? null : `échéance le ${frenchDate(rupture.dueOn)}`,
  ]
    .filter((part) => part !== null)
    .join(' — ');
  return {
    from: x1,
    to: inside ? x2 : x2 + textWidth,
    height: BAR_HEIGHT,
    draw: (y) => {
      // An open rupture is outlined: it still needs someone to act.
      const outline = rupture.status === 'open' ? ` stroke="#3e0000" stroke-width="1.5"` : ' fill-opacity="0.72"';
      const label = inside
        ? `<text x="${x1 + 4}" y="${y + BAR_HEIGHT / 2 + 4}" font-weight="700" fill="#ffffff">${text}</text>`
        : `<text x="${x2 + 3}" y="${y + BAR_HEIGHT / 2 + 4}" font-weight="700" fill="${fill}">${text}</text>`;
      return `<rect class="bar rupture ${rupture.severity}" x="${x1}" y="${y}" width="${round(x2 - x1)}" height="${BAR_HEIGHT}" rx="2" fill="${fill}"${outline}><title>${escapeHtml(tooltip)}</title></rect>${label}`;
    },
  };
}

function markerItems(scale: MonthScale, markers: readonly TimelineMarker[], group: MarkerGroup): Item[] {
  const size = MARKER_RADIUS;
  return markers
    .filter((marker) => marker.group === group)
    .map((marker) => {
      const cx = round((scale.x(marker.on) + scale.xEnd(marker.on)) / 2);
      const { fill, stroke } = markerPaint(group, marker.tone);
      return {
        from: cx - size,
        to: cx + size,
        height: 2 * size,
        draw: (y: number) =>
          `<path class="marker" d="M${cx} ${y}l${size} ${size}l-${size} ${size}l-${size} -${size}Z" fill="${fill}" stroke="${stroke}" stroke-width="1.3"><title>${escapeHtml(`${frenchDate(marker.on)} — ${marker.label}`)}</title></path>`,
      };
    });
}

function markerPaint(group: MarkerGroup, tone: MarkerTone): { fill: string; stroke: string } {
  switch (tone) {
    case 'normal':
      return { fill: MARKER_COLORS[group], stroke: MARKER_COLORS[group] };
    case 'alert':
      return { fill: BREACH_COLOR, stroke: BREACH_COLOR };
    case 'muted':
      return { fill: '#ffffff', stroke: '#90a4ae' };
  }
}

function periodTitle(label: string, period: TimelinePeriod): string {
  return period.end === null ? `${label} — depuis le ${frenchDate(period.start)}` : `${label} — du ${frenchDate(period.start)} au ${frenchDate(period.end)}`;
}

/**
 * The first text if it fits in `width`; else, when `truncate` and a useful part of it fits, that
 * part with an ellipsis (a partner's name cut short still says more than an abbreviation); else
 * the first shorter form that fits; else nothing (the tooltip still has it all).
 */
function fitted(texts: readonly string[], width: number, truncate: boolean): string | null {
  const chars = Math.floor(width / CHAR_WIDTH);
  const [first = '', ...shorter] = texts;
  if (first.length <= chars) return first;
  if (truncate && chars >= 16) return `${first.slice(0, chars - 1).trimEnd()}…`;
  return shorter.find((text) => text.length <= chars) ?? null;
}

// ---------------------------------------------------------------------------------------------
// Legend and tables

const LEGEND = `<ul class="legend" aria-label="Légende">
<li><span class="swatch" style="background:${PHASE_COLORS.entry}"></span>Entrée</li>
<li><span class="swatch" style="background:${PHASE_COLORS.orientation}"></span>Orientation</li>
<li><span class="swatch" style="background:${PHASE_COLORS.accompaniment}"></span>Accompagnement</li>
<li><span class="swatch" style="background:${PHASE_COLORS.exited}"></span>Sorti</li>
<li><span class="swatch" style="background:${PHASE_COLORS.archived}"></span>Archive intermédiaire</li>
<li><span class="swatch" style="background:${REFERENT_COLORS[0]}"></span>Référent</li>
<li><span class="swatch" style="background:${ENGAGEMENT_COLOR}"></span>Contrat d'engagement</li>
<li><span class="swatch" style="background:${EMPLOYMENT_COLOR}"></span>Contrat de travail</li>
<li><span class="swatch hatch"></span>Suspension-remobilisation</li>
<li><span class="swatch" style="background:${BREACH_COLOR}"></span>Rupture : manquement</li>
<li><span class="swatch" style="background:${WARNING_COLOR}"></span>Rupture : alerte</li>
<li><span class="swatch outlined" style="background:${BREACH_COLOR}"></span>Rupture en cours (contour foncé)</li>
<li><span class="diamond" style="background:${MARKER_COLORS.decision}"></span>Décision</li>
<li><span class="diamond" style="background:${MARKER_COLORS.followUp}"></span>Rendez-vous, contact, action</li>
<li><span class="diamond" style="background:${BREACH_COLOR}"></span>Absence, abandon</li>
<li><span class="diamond muted"></span>Annulé, excusé</li>
<li><span class="chevron"></span>En cours au-delà de la date d'audit</li>
<li><span class="tick"></span>Fin prévue d'un contrat</li>
<li><span class="horizon"></span>Date d'audit</li>
</ul>`;

function rupturesTable(ruptures: readonly RupturePeriod[]): string {
  if (ruptures.length === 0) return '';
  const lines = ruptures.map(
    (rupture) => `<tr class="${rupture.severity}">
<td><strong>${rupture.ruleId}</strong></td><td>${escapeHtml(RULE_TITLES[rupture.ruleId])}</td>
<td><span class="badge ${rupture.severity}">${SEVERITY_LABELS[rupture.severity]}</span></td><td>${STATUS_LABELS[rupture.status]}</td>
<td>${rupture.dueOn === null ? '' : frenchDate(rupture.dueOn)}</td><td>${frenchDate(rupture.start)}</td><td>${rupture.end === null ? '' : frenchDate(rupture.end)}</td>
<td class="number">${rupture.durationDays}</td><td>${evidence(rupture)}</td>
</tr>`,
  );
  return `<section>
<h2>Ruptures de continuité</h2>
<table class="ruptures">
<thead><tr><th>Règle</th><th>Rupture</th><th>Gravité</th><th>Statut</th><th>Échéance</th><th>Du</th><th>Au</th><th>Jours</th><th>Preuves (versions)</th></tr></thead>
<tbody>
${lines.join('\n')}
</tbody>
</table>
</section>`;
}

/** Stream versions, as in the entries table, each with its event id on hover. */
function evidence(rupture: RupturePeriod): string {
  return rupture.eventIds
    .map((eventId, index) => `<code title="${escapeHtml(eventId)}">v${rupture.streamVersions[index] ?? '?'}</code>`)
    .join(', ');
}

function entriesTable(timeline: Timeline, rows: readonly (readonly string[])[]): string {
  const [header, ...body] = rows;
  const lines = body.map((row, index) => {
    const backDated = timeline.entries[index]?.backDated === true;
    const cells = row.map((cell, column) => {
      const text = escapeHtml(cell);
      if (column === 1 && backDated) return `<td>${text} <span class="badge late">saisie différée</span></td>`;
      if (column === 2) return `<td class="number">${text}</td>`;
      if (column >= 7) return `<td><code class="${column === 8 ? 'hash' : 'id'}">${text}</code></td>`;
      return `<td>${text}</td>`;
    });
    return `<tr${backDated ? ' class="backdated"' : ''}>${cells.join('')}</tr>`;
  });
  return `<table class="entries">
<thead><tr>${header.map((cell) => `<th>${escapeHtml(cell)}</th>`).join('')}</tr></thead>
<tbody>
${lines.join('\n')}
</tbody>
</table>`;
}

// ---------------------------------------------------------------------------------------------

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => HTML_ESCAPES[character] ?? character);
}

const HTML_ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

function plural(count: number): string {
  return count > 1 ? 's' : '';
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}

/** System fonts only: a web font would be an external resource. */
const FONT_FAMILY = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif";

const STYLE = `
@page { size: A4 landscape; margin: 10mm; }
* { box-sizing: border-box; }
html { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
body { margin: 24px; font-family: ${FONT_FAMILY}; font-size: 13px; color: ${DARK_TEXT}; background: #fff; }
h1 { font-size: 20px; margin: 0 0 4px; }
h2 { font-size: 15px; margin: 24px 0 6px; }
.meta { margin: 0; color: #546e7a; }
.summary { margin: 6px 0 12px; font-weight: 600; }
.summary.has-breach { color: ${BREACH_COLOR}; }
code { font-family: ui-monospace, 'SFMono-Regular', Menlo, Consolas, monospace; font-size: 11px; }
.chart { overflow-x: auto; border: 1px solid #cfd8dc; border-radius: 4px; padding: 6px 0; }
.chart svg { display: block; max-width: none; height: auto; }
.empty { margin: 12px; font-style: italic; color: #78909c; }
.legend { display: flex; flex-wrap: wrap; gap: 4px 16px; list-style: none; padding: 0; margin: 10px 0; font-size: 12px; }
.legend li { display: flex; align-items: center; gap: 6px; }
.swatch { display: inline-block; width: 22px; height: 11px; border-radius: 2px; }
.swatch.hatch { background: repeating-linear-gradient(45deg, #bdbdbd 0 2px, #fff 2px 5px); border: 1px solid #bdbdbd; }
.swatch.outlined { border: 1.5px solid #3e0000; }
.diamond { display: inline-block; width: 9px; height: 9px; transform: rotate(45deg); margin: 0 3px; }
.diamond.muted { background: #fff; border: 1.3px solid #90a4ae; }
.chevron { display: inline-block; width: 0; height: 0; border-top: 6px solid transparent; border-bottom: 6px solid transparent; border-left: 7px solid #546e7a; }
.tick { display: inline-block; width: 2px; height: 14px; background: ${DARK_TEXT}; }
.horizon { display: inline-block; width: 0; height: 14px; border-left: 1.5px dashed ${DARK_TEXT}; }
.note { color: #546e7a; font-size: 12px; margin: 0 0 6px; }
table { border-collapse: collapse; width: 100%; font-size: 12px; }
th, td { border: 1px solid #dfe5e8; padding: 3px 6px; text-align: left; vertical-align: top; }
th { background: #eceff1; }
tbody tr:nth-child(even) { background: #fafbfc; }
td.number { text-align: right; }
code.hash { word-break: break-all; font-size: 10px; color: #546e7a; }
code.id { white-space: nowrap; font-size: 10px; }
.badge { display: inline-block; padding: 0 5px; border-radius: 8px; font-size: 10.5px; font-weight: 600; white-space: nowrap; }
.badge.breach { background: #ffebee; color: ${BREACH_COLOR}; }
.badge.warning { background: #fff3e0; color: #bf360c; }
.badge.late { background: #fff8e1; color: #8d6e00; }
tr.backdated td:first-child { box-shadow: inset 3px 0 #ffb300; }
footer { margin-top: 18px; color: #78909c; font-size: 11px; }
@media print {
  body { margin: 0; font-size: 11px; }
  .chart { overflow: visible; border: none; padding: 0; }
  .chart svg { width: 100%; }
  table { font-size: 9.5px; }
  code.hash { font-size: 8px; }
  thead { display: table-header-group; }
  tr, .chart { break-inside: avoid; }
}
`;
