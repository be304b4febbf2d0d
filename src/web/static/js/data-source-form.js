// @ts-check
import { call } from './api.js';
import { h } from './dom.js';

/** @import { ApiError, DataSource } from './api.js' */

/**
 * The form that registers a data source or edits one: name, plugin (a built-in or any plugin the
 * server has an endpoint for), options as JSON, the secret as JSON (write-only: never shown,
 * empty keeps the current one), the daily schedule and the retention. A mistake is shown next
 * to the field it concerns — JSON that does not parse before anything is sent, and the server's
 * own errors (ERROR_INVALID_PARAMETER naming `plugin_info.options.base_url`, a secret the plugin
 * refuses) under the field they name.
 */
const BUILT_IN = ['focus', 'aws-cur', 'azure-cost-export', 'gcp-billing-export', 'oci-cost-report', 'http-file', 'synthetic'];
const V1 = '/cost-analysis/v1';

/**
 * @param {string} id
 * @param {string} label
 * @param {HTMLElement} control
 * @param {string} [help]
 */
function field(id, label, control, help) {
  const error = h('p', { class: 'form-error', id: `${id}-error`, role: 'alert' });
  control.setAttribute('aria-describedby', `${id}-error${help ? ` ${id}-help` : ''}`);
  return {
    element: h(
      'div',
      { class: 'field' },
      h('label', { for: id }, label),
      control,
      help ? h('p', { class: 'muted', id: `${id}-help` }, help) : null,
      error,
    ),
    /** @param {string} message */
    fail(message) {
      error.textContent = message;
      control.setAttribute('aria-invalid', message ? 'true' : 'false');
    },
  };
}

/** A JSON object from a text area; throws a message to show. @param {string} text @param {string} what */
function jsonObject(text, what) {
  if (text.trim() === '') return {};
  let value;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new Error(`${what} is not JSON: ${/** @type {Error} */ (error).message}`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw new Error(`${what} must be a JSON object, like {"base_url": ["s3://…"]}`);
  return /** @type {Record<string, unknown>} */ (value);
}

/**
 * @param {DataSource | undefined} current  undefined: a new data source
 * @param {(saved: DataSource) => void} onSaved
 * @returns {HTMLFormElement}
 */
export function dataSourceForm(current, onSaved) {
  const name = h('input', { id: 'ds-name', name: 'name', required: true, value: current?.name ?? '', autocomplete: 'off' });
  const plugin = h('input', {
    id: 'ds-plugin',
    name: 'plugin',
    required: true,
    list: 'ds-plugins',
    value: current?.plugin_info?.plugin_id ?? '',
    disabled: Boolean(current),
  });
  const options = h(
    'textarea',
    { id: 'ds-options', name: 'options', rows: 6, spellcheck: 'false' },
    JSON.stringify(current?.plugin_info?.options ?? {}, null, 2),
  );
  const secret = h('textarea', {
    id: 'ds-secret',
    name: 'secret',
    rows: 4,
    spellcheck: 'false',
    autocomplete: 'off',
    placeholder: current ? 'Leave empty to keep the current secret' : '{"aws_access_key_id": "…", "aws_secret_access_key": "…"}',
  });
  const daily = h('input', {
    id: 'ds-daily',
    name: 'daily',
    type: 'checkbox',
    checked: current ? current.schedule?.state === 'ENABLED' : true,
  });
  const hour = h('input', { id: 'ds-hour', name: 'hour', type: 'number', min: 0, max: 23, value: current?.schedule?.hour ?? 16 });
  const retention = h('input', { id: 'ds-retention', name: 'retention', type: 'number', min: 0, value: current?.retention_months ?? '' });
  const fields = {
    name: field('ds-name', 'Name', name),
    plugin: field(
      'ds-plugin',
      'Plugin',
      plugin,
      current ? 'The plugin of a data source does not change.' : 'A built-in plugin, or one the server has an endpoint for.',
    ),
    options: field('ds-options', 'Options (JSON)', options, 'The plugin’s options, e.g. {"base_url": ["s3://bucket/prefix/"]}.'),
    secret: field('ds-secret', 'Secret (JSON, write-only)', secret, 'Credentials are encrypted on the server and never shown again.'),
    hour: field('ds-hour', 'Hour (UTC)', hour),
    retention: field('ds-retention', 'Retention (months)', retention, 'Empty: the server’s default; 0 keeps every month.'),
  };
  const formError = h('p', { class: 'form-error', role: 'alert' });
  const submit = h('button', { type: 'submit' }, current ? 'Save changes' : 'Register');
  const form = h(
    'form',
    { class: 'data-source-form', 'aria-label': current ? `Edit ${current.name}` : 'Register a data source', novalidate: true },
    h(
      'datalist',
      { id: 'ds-plugins' },
      BUILT_IN.map((id) => h('option', { value: id })),
    ),
    fields.name.element,
    fields.plugin.element,
    fields.options.element,
    fields.secret.element,
    h('div', { class: 'field' }, h('label', { for: 'ds-daily' }, daily, ' Sync daily')),
    fields.hour.element,
    fields.retention.element,
    formError,
    submit,
  );

  /** The server's error under the field it names. @param {ApiError} error */
  const showServerError = (error) => {
    const text = `${error.code}: ${error.message}`;
    const where = /options/.test(error.message)
      ? fields.options
      : /secret/.test(error.message)
        ? fields.secret
        : /\bname\b/.test(error.message)
          ? fields.name
          : /plugin/.test(error.message)
            ? fields.plugin
            : undefined;
    if (where) where.fail(text);
    else formError.textContent = text;
  };

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    for (const f of Object.values(fields)) f.fail('');
    formError.textContent = '';
    /** @type {Record<string, unknown>} */
    let optionValues;
    /** @type {Record<string, unknown>} */
    let secretValues;
    try {
      optionValues = jsonObject(options.value, 'Options');
    } catch (error) {
      return fields.options.fail(/** @type {Error} */ (error).message);
    }
    try {
      secretValues = jsonObject(secret.value, 'The secret');
    } catch (error) {
      return fields.secret.fail(/** @type {Error} */ (error).message);
    }
    if (name.value.trim() === '') return fields.name.fail('A data source needs a name.');
    if (!current && plugin.value.trim() === '') return fields.plugin.fail('Choose the plugin that reads this data source.');
    const hourValue = Number(hour.value);
    if (!Number.isInteger(hourValue) || hourValue < 0 || hourValue > 23) return fields.hour.fail('An hour from 0 to 23 (UTC).');
    const months = retention.value === '' ? null : Number(retention.value);
    if (months !== null && (!Number.isInteger(months) || months < 0)) return fields.retention.fail('A whole number of months, or empty.');
    const schedule = { state: daily.checked ? 'ENABLED' : 'DISABLED', hour: hourValue };
    submit.disabled = true;
    try {
      const hasSecret = Object.keys(secretValues).length > 0;
      /** @type {DataSource} */
      let saved;
      if (!current) {
        saved = await call(`${V1}/data-source/register`, {
          name: name.value.trim(),
          data_source_type: 'EXTERNAL',
          plugin_info: { plugin_id: plugin.value.trim(), options: optionValues, ...(hasSecret ? { secret_data: secretValues } : {}) },
          schedule,
          ...(months !== null ? { retention_months: months } : {}),
        });
      } else {
        const id = current.data_source_id;
        const stored = current.plugin_info?.options ?? {};
        if (JSON.stringify(stored) !== JSON.stringify(optionValues)) {
          const removed = Object.fromEntries(
            Object.keys(stored)
              .filter((key) => !Object.hasOwn(optionValues, key))
              .map((key) => [key, null]),
          );
          await call(`${V1}/data-source/update-plugin`, { data_source_id: id, options: { ...removed, ...optionValues } });
        }
        if (hasSecret) await call(`${V1}/data-source/update-secret-data`, { data_source_id: id, secret_data: secretValues });
        saved = await call(`${V1}/data-source/update`, { data_source_id: id, name: name.value.trim(), schedule, retention_months: months });
      }
      secret.value = '';
      onSaved(saved);
    } catch (error) {
      showServerError(/** @type {ApiError} */ (error));
    } finally {
      submit.disabled = false;
    }
  });
  return form;
}
