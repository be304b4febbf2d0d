// @ts-check
import { h } from './dom.js';

/** @import { Job } from './api.js' */

/** @param {number} n */
const pad = (n) => String(n).padStart(2, '0');

/**
 * UTC, labelled so — `2026-12-03 16:37:48 UTC` (or only the time) — as the CLI prints it and as
 * schedules are set; the viewer's local time is in the element's title.
 * @param {string | undefined} iso
 * @param {{ timeOnly?: boolean }} [options]
 * @returns {HTMLElement}
 */
export function timeCell(iso, { timeOnly = false } = {}) {
  if (!iso) return h('span', { class: 'muted' }, '—');
  const d = new Date(iso);
  const time = `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
  const text = timeOnly ? time : `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${time}`;
  return h('time', { datetime: iso, title: `${d.toLocaleString()} (your time)` }, `${text} UTC`);
}

/** @param {number | undefined} n */
export function formatCount(n) {
  return Number(n ?? 0).toLocaleString('en-US');
}

/** @param {number | undefined} ms */
export function formatDuration(ms) {
  if (ms === undefined || ms === null || Number.isNaN(ms)) return '—';
  if (ms < 1000) return `${Math.max(0, Math.round(ms))} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${Math.round(s % 60)} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

/**
 * How long a job or task ran (until now while it runs).
 * @param {string | undefined} startIso
 * @param {string | undefined} endIso
 * @returns {number | undefined}
 */
export function elapsedMs(startIso, endIso) {
  if (!startIso) return undefined;
  return (endIso ? Date.parse(endIso) : Date.now()) - Date.parse(startIso);
}

/**
 * @param {number} rows
 * @param {number | undefined} ms
 */
export function rate(rows, ms) {
  return ms !== undefined && ms > 0 ? `${formatCount(Math.round(rows / (ms / 1000)))} rows/s` : '—';
}

/**
 * A status as a badge: the word itself, coloured; never colour alone.
 * @param {string | undefined} status
 */
export function badge(status) {
  return h('span', { class: `badge badge-${String(status).toLowerCase().replace(/_/g, '-')}` }, status ?? '—');
}

/**
 * Tasks done out of total, as a native progress bar plus its numbers.
 * @param {Pick<Job, 'total_tasks' | 'remained_tasks'> & { status?: string }} job  coloured by its status
 */
export function progress(job) {
  const total = job.total_tasks ?? 0;
  const done = total - (job.remained_tasks ?? 0);
  const status = job.status;
  return h(
    'span',
    { class: `progress${status ? ` progress-${status.toLowerCase().replace(/_/g, '-')}` : ''}` },
    h('progress', { max: Math.max(total, 1), value: done, 'aria-label': `${done} of ${total} tasks done` }),
    h('span', { class: 'num' }, `${done}/${total}`),
  );
}

/** @param {{ error_code?: string, error_message?: string }} item  a Job or JobTask */
export function errorText(item) {
  if (!item.error_code) return h('span', { class: 'muted' }, '—');
  return h('span', { class: 'error-text' }, h('code', {}, item.error_code), item.error_message ? ` ${item.error_message}` : '');
}
