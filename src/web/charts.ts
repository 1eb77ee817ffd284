import * as echarts from 'echarts';

export interface BarSeries {
  name: string;
  values: number[];
}

/**
 * A stacked bar chart drawn on the server by ECharts (its SSR SVG renderer: no DOM, no script in
 * the result), in the DSFR's illustrative colours. Shown through <img> with a text alternative, and
 * always beside the table of the same figures.
 */
export function stackedBarsSvg(options: { categories: string[]; series: BarSeries[]; title: string; width?: number; height?: number }): string {
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width: options.width ?? 800, height: options.height ?? 360, locale: 'FR' });
  try {
    chart.setOption({
      animation: false,
      aria: { enabled: true, label: { description: options.title } },
      color: ['#000091', '#c9191e', '#18753c', '#b34000', '#695240', '#6a6af4', '#009081', '#a558a0'],
      textStyle: { fontFamily: 'Marianne, arial, sans-serif' },
      title: { text: options.title, textStyle: { fontSize: 14, fontWeight: 'bold' } },
      legend: { bottom: 0, type: 'plain' },
      grid: { left: 40, right: 16, top: 40, bottom: 60 },
      xAxis: { type: 'category', data: options.categories },
      yAxis: { type: 'value', minInterval: 1 },
      series: options.series.map((series) => ({ type: 'bar', stack: 'total', name: series.name, data: series.values })),
    });
    return chart.renderToSVGString();
  } finally {
    chart.dispose();
  }
}

export interface TimelinePeriod {
  lane: string;
  from: string;
  /** Included; null: still running (drawn to `until`). */
  to: string | null;
  label: string;
}

export interface TimelinePoint {
  lane: string;
  on: string;
  label: string;
}

const DAY_MS = 86_400_000;
const dayNumber = (isoDate: string) => Math.round(Date.parse(`${isoDate.slice(0, 10)}T00:00:00Z`) / DAY_MS);
const isoOf = (day: number) => new Date(day * DAY_MS).toISOString().slice(0, 10);

/**
 * A parcours' timeline as a picture, drawn on the server by ECharts: one lane per kind of fact,
 * periods as bars on a day axis (a custom series: from the first day to the last, included) and
 * dated facts as points.
 */
export function timelineSvg(options: { lanes: string[]; periods: TimelinePeriod[]; points: TimelinePoint[]; start: string; until: string; width?: number }): string {
  const first = dayNumber(options.start);
  const last = Math.max(dayNumber(options.until), first + 1);
  const lanes = [...options.lanes].reverse();
  const height = 60 + lanes.length * 36;
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width: options.width ?? 900, height });
  try {
    chart.setOption({
      animation: false,
      aria: { enabled: true, label: { description: 'Frise chronologique du parcours' } },
      textStyle: { fontFamily: 'Marianne, arial, sans-serif' },
      grid: { left: 170, right: 24, top: 16, bottom: 36 },
      xAxis: { type: 'value', min: first, max: last, axisLabel: { formatter: (value: number) => isoOf(value) }, splitNumber: 6 },
      yAxis: { type: 'category', data: lanes },
      series: [
        {
          type: 'custom',
          renderItem: (_params: unknown, api: { value: (dimension: number) => number; coord: (point: number[]) => number[]; size: (size: number[]) => number[] }) => {
            const start = api.coord([api.value(0), api.value(2)]);
            const end = api.coord([api.value(1) + 1, api.value(2)]);
            const barHeight = api.size([0, 1])[1]! * 0.5;
            return { type: 'rect', shape: { x: start[0], y: start[1]! - barHeight / 2, width: Math.max(end[0]! - start[0]!, 2), height: barHeight }, style: { fill: '#000091', opacity: 0.75 } };
          },
          data: options.periods.map((period) => [Math.max(dayNumber(period.from), first), Math.min(period.to ? dayNumber(period.to) : last, last), lanes.indexOf(period.lane), period.label]),
          encode: { x: [0, 1], y: 2 },
        },
        {
          type: 'scatter',
          symbolSize: 10,
          itemStyle: { color: '#c9191e' },
          data: options.points.map((point) => [dayNumber(point.on), lanes.indexOf(point.lane), point.label]),
        },
      ],
    });
    return chart.renderToSVGString();
  } finally {
    chart.dispose();
  }
}
