// @ts-check
import { h, svg } from './dom.js';
import { formatCount } from './format.js';

/** @import { CostMonth } from './api.js' */

/**
 * Rows by month as a small bar chart (SVG, no library). The numbers are also the chart's
 * accessible name and each bar's tooltip.
 * @param {CostMonth[]} months  oldest first
 * @returns {HTMLElement}
 */
export function monthsChart(months) {
  if (months.length === 0) return h('span', { class: 'muted' }, 'no rows yet');
  const height = 36;
  const bar = 14;
  const gap = 3;
  const width = months.length * (bar + gap) - gap;
  const max = Math.max(...months.map((m) => m.rows), 1);
  const label = `Rows by month: ${months.map((m) => `${m.billed_month} ${formatCount(m.rows)}`).join(', ')}`;
  const bars = months.map((m, i) => {
    const barHeight = Math.max(2, Math.round((m.rows / max) * height));
    return svg(
      'rect',
      { x: i * (bar + gap), y: height - barHeight, width: bar, height: barHeight, rx: 2, class: 'bar' },
      svg('title', {}, `${m.billed_month}: ${formatCount(m.rows)} rows`),
    );
  });
  const first = months[0].billed_month;
  const last = months[months.length - 1].billed_month;
  const total = months.reduce((sum, m) => sum + m.rows, 0);
  return h(
    'figure',
    { class: 'chart' },
    svg('svg', { viewBox: `0 0 ${width} ${height}`, width, height, role: 'img', 'aria-label': label }, ...bars),
    h('figcaption', { class: 'muted' }, `${first === last ? first : `${first} – ${last}`}`, h('br'), `${formatCount(total)} rows`),
  );
}
