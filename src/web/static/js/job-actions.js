// @ts-check
import { api } from './api.js';
import { h } from './dom.js';
import { notify } from './live.js';

/** @import { ApiError, DataSource } from './api.js' */

/**
 * Cancel for a running job (rendered only for roles that may cancel).
 * @param {string} jobId
 * @param {() => Promise<void>} after  runs once the cancel is answered (redraws the page)
 * @param {string} [label]
 */
export function cancelButton(jobId, after, label = 'Cancel') {
  const button = h(
    'button',
    { type: 'button', class: 'danger', 'aria-label': `Cancel job ${jobId}`, 'data-focus-key': `cancel-${jobId}` },
    label,
  );
  button.addEventListener('click', async () => {
    button.disabled = true;
    try {
      await api.cancelJob(jobId);
      notify(`Job ${jobId} canceled.`);
    } catch (e) {
      const error = /** @type {ApiError} */ (e); // `call` rejects with ApiError only
      notify(`Could not cancel ${jobId}: ${error.code} ${error.message}`, 'error');
    }
    await after();
  });
  return button;
}

/**
 * Sync now for a data source; opens the new job, or explains why none started.
 * @param {DataSource} dataSource
 */
export function syncButton(dataSource) {
  const button = h(
    'button',
    { type: 'button', 'aria-label': `Sync ${dataSource.name} now`, 'data-focus-key': `sync-${dataSource.data_source_id}` },
    'Sync now',
  );
  button.addEventListener('click', async () => {
    button.disabled = true;
    try {
      const job = await api.sync(dataSource.data_source_id);
      notify(`Sync of ${dataSource.name} started: ${job.job_id}.`);
      location.hash = `#/jobs/${job.job_id}`;
    } catch (e) {
      const error = /** @type {ApiError} */ (e); // `call` rejects with ApiError only
      notify(`Sync of ${dataSource.name} did not start: ${error.code} ${error.message}`, 'error');
      button.disabled = false;
    }
  });
  return button;
}
