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
