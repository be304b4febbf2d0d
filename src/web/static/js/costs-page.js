// @ts-check
import { api, call } from './api.js';
import { stackedBars } from './cost-chart.js';
import { h, replaceContent } from './dom.js';

/** @import { PageContext } from './main.js' */
/** @import { Series } from './cost-chart.js' */

/**
 * The cost explorer (`#/costs`): a data source's published cost over a period, daily, monthly
 * or yearly, through Cost.analyze — stacked by a field (provider, account, product, region,
 * usage type or a tag key), narrowed by one field's value — with the period's total, its change
 * against the period before, a table of the same numbers and a CSV download of it. Every amount
 * is in the data source's currency. The choices live in the address, so a view can be shared.
 *
 * @typedef {'DAILY' | 'MONTHLY' | 'YEARLY'} Granularity
 * @typedef {{ ds: string, g: Granularity, start: string, end: string, by: string, tag: string, fk: string, fv: string }} View
 */

const GRANULARITIES = /** @type {const} */ (['DAILY', 'MONTHLY', 'YEARLY']);
const FIELDS = [
  ['provider', 'Provider'],
  ['account_id', 'Account'],
  ['product', 'Product'],
  ['region_code', 'Region'],
  ['usage_type', 'Usage type'],
];
const V1 = '/cost-analysis/v1';

/** YYYY-MM-DD, YYYY-MM or YYYY moved by `n` days, months or years. @param {Granularity} g @param {string} period @param {number} n */
export function shift(g, period, n) {
  if (g === 'YEARLY') return String(Number(period) + n);
  if (g === 'MONTHLY') {
    const [y, m] = period.split('-').map(Number);
    const date = new Date(Date.UTC(y, m - 1 + n, 1));
    return date.toISOString().slice(0, 7);
  }
  return new Date(Date.parse(`${period}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
}

/** Every period from `start` to `end`, inclusive. @param {Granularity} g @param {string} start @param {string} end */
export function periods(g, start, end) {
  const out = [];
  for (let p = start; p <= end && out.length < 400; p = shift(g, p, 1)) out.push(p);
  return out;
}

/** The same period written at another granularity. @param {Granularity} g @param {string} month YYYY-MM @param {'start' | 'end'} side */
function periodOf(g, month, side) {
  if (g === 'YEARLY') return month.slice(0, 4);
  if (g === 'MONTHLY') return month;
  return side === 'start' ? `${month}-01` : shift('DAILY', `${shift('MONTHLY', month, 1)}-01`, -1);
}

/** @param {URLSearchParams} params @param {string} latestMonth @param {string} ds @returns {View} */
function viewOf(params, latestMonth, ds) {
  const g = /** @type {Granularity} */ (GRANULARITIES.find((x) => x === params.get('g')) ?? 'MONTHLY');
  const defaultStart =
    g === 'DAILY' ? periodOf(g, latestMonth, 'start') : periodOf(g, shift('MONTHLY', latestMonth, g === 'MONTHLY' ? -5 : -24), 'start');
  return {
    ds,
    g,
    start: params.get('start') || defaultStart,
    end: params.get('end') || periodOf(g, latestMonth, 'end'),
    by: params.get('by') ?? 'provider',
    tag: params.get('tag') ?? '',
    fk: params.get('fk') ?? '',
    fv: params.get('fv') ?? '',
  };
}

/** @param {View} view */
const groupKey = (view) => (view.by === 'tag' ? (view.tag ? `tags.${view.tag}` : '') : view.by);

/** Cost.analyze over the view's filter; with `by`, one series per group. @param {View} view @param {string} start @param {string} end @param {string} by */
async function analyze(view, start, end, by) {
  /** @type {{ results: Record<string, any>[] }} */
  const answer = await call(`${V1}/cost/analyze`, {
    data_source_id: view.ds,
    query: {
      granularity: view.g,
      start,
      end,
      ...(by ? { group_by: [{ key: by, name: 'group' }] } : {}),
      fields: { cost: { key: 'cost', operator: 'sum' } },
      ...(view.fk && view.fv ? { filter: [{ k: view.fk, v: view.fv, o: 'eq' }] } : {}),
      page: { limit: 1000 },
    },
  });
  return answer.results;
}

/** @param {View} view */
function go(view) {
  const params = new URLSearchParams(Object.entries(view).filter(([, value]) => value !== ''));
  location.hash = `#/costs?${params}`;
}

/** @param {Series[]} series @param {string[]} axis @param {string} currency */
function csvOf(series, axis, currency) {
  const cell = (/** @type {string | number} */ value) =>
    /[",\n]/.test(String(value)) ? `"${String(value).replaceAll('"', '""')}"` : String(value);
  const lines = [['group', ...axis, `total (${currency})`], ...series.map((s) => [s.name, ...s.values, s.total])];
  return lines.map((line) => line.map(cell).join(',')).join('\n') + '\n';
}

/**
 * @param {HTMLElement} main
 * @param {PageContext} context
 */
export async function costsPage(main, context) {
  const sources = (await api.dataSources()).results;
  if (sources.length === 0) {
    replaceContent(
      main,
      h('h1', {}, 'Costs'),
      h('p', { class: 'empty' }, 'No data source yet: register one, sync it, and its costs show here.'),
    );
    return;
  }
  const ds = sources.find((s) => s.data_source_id === context.params.get('ds')) ?? sources[0];
  const months = (await api.costMonths(ds.data_source_id)).results;
  const latest = months[months.length - 1]?.billed_month ?? new Date().toISOString().slice(0, 7);
  const view = viewOf(context.params, latest, ds.data_source_id);
  const currency = ds.plugin_info?.metadata?.currency ?? 'USD';
  const format = new Intl.NumberFormat('en-US', { style: 'currency', currency, maximumFractionDigits: 2 });
  const money = (/** @type {number} */ value) => format.format(value);

  const axis = periods(view.g, view.start, view.end);
  const before = { start: shift(view.g, view.start, -axis.length), end: shift(view.g, view.start, -1) };
  const [grouped, previous] = await Promise.all([
    analyze(view, view.start, view.end, groupKey(view)),
    analyze(view, before.start, before.end, ''),
  ]);
  if (context.signal.aborted) return;
  /** @type {Series[]} */
  const series = grouped
    .map((result) => {
      const byDate = new Map((result.cost ?? []).map((/** @type {{ date: string, value: number }} */ p) => [p.date, p.value]));
      const values = axis.map((p) => Number(byDate.get(p) ?? 0));
      return {
        name: result.group === undefined || result.group === null || result.group === '' ? '(none)' : String(result.group),
        values,
        total: Number(result._total_cost ?? 0),
      };
    })
    .sort((a, b) => b.total - a.total);
  const total = series.reduce((sum, s) => sum + s.total, 0);
  const prior = previous.reduce((sum, result) => sum + Number(result._total_cost ?? 0), 0);
  const change =
    prior === 0
      ? 'no cost in the period before'
      : `${total >= prior ? '+' : ''}${(((total - prior) / Math.abs(prior)) * 100).toFixed(1)}% against ${before.start} – ${before.end} (${money(prior)})`;

  const select = (
    /** @type {string} */ name,
    /** @type {string} */ label,
    /** @type {[string, string][]} */ options,
    /** @type {string} */ value,
  ) =>
    h(
      'div',
      { class: 'field' },
      h('label', { for: `costs-${name}` }, label),
      h(
        'select',
        { id: `costs-${name}`, name },
        options.map(([v, text]) => h('option', { value: v, selected: v === value }, text)),
      ),
    );
  const text = (/** @type {string} */ name, /** @type {string} */ label, /** @type {string} */ value, /** @type {string} */ placeholder) =>
    h(
      'div',
      { class: 'field' },
      h('label', { for: `costs-${name}` }, label),
      h('input', { id: `costs-${name}`, name, value, placeholder, size: 10 }),
    );
  const form = h(
    'form',
    { class: 'filters', 'aria-label': 'Cost view' },
    select(
      'ds',
      'Data source',
      sources.map((s) => [s.data_source_id, s.name]),
      view.ds,
    ),
    select(
      'g',
      'Granularity',
      GRANULARITIES.map((g) => [g, g.toLowerCase()]),
      view.g,
    ),
    text('start', 'From', view.start, ''),
    text('end', 'To', view.end, ''),
    select(
      'by',
      'Group by',
      [...FIELDS.map(([k, label]) => /** @type {[string, string]} */ ([k, label])), ['tag', 'Tag key'], ['', 'Nothing']],
      view.by,
    ),
    text('tag', 'Tag key', view.tag, 'team'),
    select('fk', 'Filter on', [['', '—'], ...FIELDS.map(([k, label]) => /** @type {[string, string]} */ ([k, label]))], view.fk),
    text('fv', 'equal to', view.fv, 'value'),
    h('button', { type: 'submit' }, 'Show'),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const data = new FormData(form);
    const next = /** @type {View} */ (
      Object.fromEntries(['ds', 'g', 'start', 'end', 'by', 'tag', 'fk', 'fv'].map((k) => [k, String(data.get(k) ?? '')]))
    );
    // A new data source or granularity starts from its own default period.
    if (next.ds !== view.ds || next.g !== view.g) Object.assign(next, { start: '', end: '' });
    go(next);
  });

  const csv = csvOf(series, axis, currency);
  const csvUrl = URL.createObjectURL(new Blob([csv], { type: 'text/csv' }));
  // The file lives while the page shows it; leaving the page (or a new view) lets it go.
  context.signal.addEventListener('abort', () => URL.revokeObjectURL(csvUrl), { once: true });
  const download = h(
    'a',
    {
      href: csvUrl,
      download: `costs-${view.ds}-${view.g.toLowerCase()}-${view.start}-${view.end}.csv`,
    },
    'Download CSV',
  );
  replaceContent(
    main,
    h(
      'div',
      {},
      h('h1', {}, 'Costs'),
      form,
      h(
        'section',
        { class: 'summary', 'aria-label': 'Total' },
        h(
          'p',
          { class: 'total' },
          h('span', { 'data-testid': 'cost-total', 'data-value': String(total) }, money(total)),
          ` ${currency}, ${view.start} – ${view.end}`,
        ),
        h('p', { class: 'muted', 'data-testid': 'cost-change', 'data-value': String(prior) }, change),
      ),
      series.length === 0 ? h('p', { class: 'empty' }, 'No cost in this period.') : stackedBars(axis, series, money),
      h(
        'div',
        { class: 'table-wrap' },
        h(
          'table',
          { 'aria-label': 'Cost by group' },
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              h('th', { scope: 'col' }, view.by ? 'group' : 'all'),
              axis.map((p) => h('th', { scope: 'col', class: 'num' }, p)),
              h('th', { scope: 'col', class: 'num' }, `total (${currency})`),
            ),
          ),
          h(
            'tbody',
            {},
            series.map((s) =>
              h(
                'tr',
                { dataset: { group: s.name } },
                h('th', { scope: 'row' }, s.name),
                s.values.map((v) => h('td', { class: 'num' }, money(v))),
                h('td', { class: 'num', 'data-value': String(s.total) }, money(s.total)),
              ),
            ),
          ),
        ),
      ),
      h('p', {}, download),
    ),
  );
}
