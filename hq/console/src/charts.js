// charts.js - the report charts, drawn by Apache ECharts (see README.md for
// why ECharts). Only what we draw is imported (bar, pie, grid, tooltip,
// legend; canvas renderer), so the bundle carries a fraction of the
// library; the reports page loads this module on demand. Tooltips render
// in the canvas ("richText"), never as HTML, so a branch's name in a chart
// can never become markup, and no inline style is needed (the CSP).
import { use, init } from 'echarts/core';
import { BarChart, PieChart } from 'echarts/charts';
import { GridComponent, TooltipComponent, LegendComponent } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';

use([BarChart, PieChart, GridComponent, TooltipComponent, LegendComponent, CanvasRenderer]);

const FONT = '"Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC", sans-serif';
const COLORS = ['#2f6fb0', '#3fa66b', '#e0a030', '#d64545', '#7a5cc0', '#2aa5a5', '#8a8f98'];

const base = {
  color: COLORS,
  animation: false, // the screenshots and slow PCs: draw once, at once
  textStyle: { fontFamily: FONT, fontSize: 13 },
  tooltip: { renderMode: 'richText', trigger: 'axis', confine: true },
  legend: { top: 0, textStyle: { fontFamily: FONT } },
  grid: { left: 8, right: 16, top: 36, bottom: 8 },
};

/* Draws option into el (a fresh chart); returns the chart (dispose() it). */
function draw(el, option) {
  const chart = init(el, null, { renderer: 'canvas' });
  chart.setOption({ ...base, ...option });
  return chart;
}

/* Grouped bars: categories on x, one series per {name, data}. */
export function bars(el, categories, series, { stack = false, horizontal = false } = {}) {
  const cat = { type: 'category', data: categories, axisLabel: { interval: 0, hideOverlap: true } };
  const val = { type: 'value', minInterval: 1 };
  return draw(el, {
    xAxis: horizontal ? val : cat,
    yAxis: horizontal ? { ...cat, inverse: true } : val,
    series: series.map((s) => ({ type: 'bar', name: s.name, data: s.data, stack: stack ? 'all' : undefined,
      itemStyle: s.color ? { color: s.color } : undefined,
      barMaxWidth: 36, label: { show: !stack, position: horizontal ? 'right' : 'top', fontSize: 11 } })),
  });
}

/* A ring of parts: [{name, value}]. */
export function ring(el, parts) {
  return draw(el, {
    tooltip: { renderMode: 'richText', trigger: 'item', confine: true },
    legend: { orient: 'vertical', left: 0, top: 'middle', textStyle: { fontFamily: FONT } },
    series: [{ type: 'pie', radius: ['40%', '70%'], center: ['65%', '52%'], data: parts,
      label: { formatter: '{b}: {c}', fontSize: 12 }, avoidLabelOverlap: true }],
  });
}
