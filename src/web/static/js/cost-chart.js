// @ts-check
import { h, svg } from './dom.js';

/**
 * Cost over time as stacked bars (SVG drawn here, no library): one bar per period, one colour
 * per group, the largest groups first and the rest stacked as "others". Each segment's
 * tooltip and the chart's accessible name give the numbers; it scales to the page's width.
 *
 * @typedef {{ name: string, values: number[], total: number }} Series
 */

export const PALETTE = ['#1f5fbf', '#e07b00', '#2e8b57', '#b03a48', '#6a4fb3', '#00838f', '#8d6e00', '#c2185b'];

/**
 * @param {string[]} periods  the x axis, oldest first
 * @param {Series[]} series  largest first
 * @param {(value: number) => string} money
 * @returns {HTMLElement}
 */
export function stackedBars(periods, series, money) {
  const shown = series.slice(0, PALETTE.length - 1);
  const rest = series.slice(PALETTE.length - 1);
  if (rest.length > 0) {
    shown.push({
      name: `${rest.length} others`,
      values: periods.map((_, i) => rest.reduce((sum, s) => sum + s.values[i], 0)),
      total: rest.reduce((sum, s) => sum + s.total, 0),
    });
  }
  const height = 180;
  const slot = 24;
  const bar = 16;
  const width = Math.max(periods.length * slot, 120);
  const totals = periods.map((_, i) => shown.reduce((sum, s) => sum + Math.max(0, s.values[i]), 0));
  const max = Math.max(...totals, 0) || 1;
  /** @type {SVGElement[]} */
  const rects = [];
  periods.forEach((period, i) => {
    let top = height;
    shown.forEach((s, k) => {
      const value = Math.max(0, s.values[i]);
      if (value === 0) return;
      const barHeight = (value / max) * (height - 4);
      top -= barHeight;
      rects.push(
        svg(
          'rect',
          { x: i * slot + (slot - bar) / 2, y: top, width: bar, height: barHeight, fill: PALETTE[k % PALETTE.length] },
          svg('title', {}, `${period} · ${s.name}: ${money(s.values[i])}`),
        ),
      );
    });
  });
  const label = `Cost by ${periods.length === 1 ? 'period' : 'periods'} ${periods[0] ?? ''} to ${periods[periods.length - 1] ?? ''}: ${periods
    .map((p, i) => `${p} ${money(totals[i])}`)
    .join(', ')}`;
  return h(
    'figure',
    { class: 'cost-chart' },
    svg('svg', { viewBox: `0 0 ${width} ${height}`, preserveAspectRatio: 'none', role: 'img', 'aria-label': label }, ...rects),
    h('div', { class: 'axis muted' }, h('span', {}, periods[0] ?? ''), h('span', {}, periods[periods.length - 1] ?? '')),
    h(
      'ul',
      { class: 'legend' },
      shown.map((s, k) =>
        h(
          'li',
          {},
          svg(
            'svg',
            { class: 'swatch', viewBox: '0 0 10 10', width: 10, height: 10, 'aria-hidden': 'true' },
            svg('rect', { width: 10, height: 10, fill: PALETTE[k % PALETTE.length] }),
          ),
          ` ${s.name} ${money(s.total)}`,
        ),
      ),
    ),
  );
}
