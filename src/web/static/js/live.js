// @ts-check

/**
 * Live updates by polling the API: `refresh()` runs now and again after `delay()` ms (it may
 * change, e.g. faster while a job runs), until the page is left (`signal`) or `delay()`
 * returns 0. A failed refresh is shown by the caller and retried.
 * @param {AbortSignal} signal
 * @param {() => Promise<void>} refresh
 * @param {() => number} delay
 */
export async function poll(signal, refresh, delay) {
  while (!signal.aborted) {
    try {
      await refresh();
    } catch (error) {
      if (signal.aborted) return;
      console.warn('refresh failed', error);
    }
    const ms = delay();
    if (!ms || signal.aborted) return;
    await /** @type {Promise<void>} */ (
      new Promise((resolve) => {
        const timer = setTimeout(resolve, ms);
        signal.addEventListener(
          'abort',
          () => {
            clearTimeout(timer);
            resolve();
          },
          { once: true },
        );
      })
    );
  }
}

/** @type {number | undefined} */
let noticeTimer;

/**
 * Shows a short message in the page's status region (read out by screen readers).
 * @param {string} text
 * @param {'info' | 'error'} [kind]
 */
export function notify(text, kind = 'info') {
  const region = /** @type {HTMLElement} */ (document.getElementById('notice')); // in index.html
  region.className = `notice notice-${kind}`;
  region.textContent = text;
  clearTimeout(noticeTimer);
  noticeTimer = setTimeout(() => {
    region.textContent = '';
    region.className = 'notice';
  }, 8000);
}
