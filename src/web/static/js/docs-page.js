// @ts-check
import { h } from './dom.js';

/**
 * The API reference at /docs: this server's /openapi.json, read in the browser — each
 * operation with its path, what it does, the fields of its request (with the example the
 * document gives) and its answer, and the errors it can answer with their ERROR_* codes.
 * Everything it shows comes from the document; nothing is fetched from anywhere else.
 *
 * @typedef {Record<string, any>} Json
 */

const main = /** @type {HTMLElement} */ (document.getElementById('main'));

/** @param {Json} spec @param {Json | undefined} schema */
function resolve(spec, schema) {
  const ref = schema?.$ref;
  if (typeof ref !== 'string') return schema ?? {};
  return ref
    .replace(/^#\//, '')
    .split('/')
    .reduce((node, key) => node?.[key], spec);
}

/** A schema as a short type name: `JobQuery`, `array of Sort`, `string`. @param {Json} spec @param {Json | undefined} schema @returns {string} */
function typeName(spec, schema) {
  if (!schema) return 'any';
  if (schema.$ref) return String(schema.$ref).split('/').pop()?.split('.').pop() ?? 'object';
  if (schema.type === 'array') return `array of ${typeName(spec, schema.items)}`;
  if (schema.enum) return schema.enum.join(' | ');
  if (schema.anyOf) return schema.anyOf.map((/** @type {Json} */ s) => typeName(spec, s)).join(' or ');
  return schema.type ?? 'any';
}

/** @param {Json} spec @param {Json | undefined} schema */
function fieldsTable(spec, schema) {
  const properties = Object.entries(resolve(spec, schema).properties ?? {});
  if (properties.length === 0) return h('p', { class: 'muted' }, typeName(spec, schema));
  return h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      {},
      h('thead', {}, h('tr', {}, h('th', {}, 'field'), h('th', {}, 'type'))),
      h(
        'tbody',
        {},
        properties.map(([name, field]) => h('tr', {}, h('td', {}, h('code', {}, name)), h('td', {}, typeName(spec, field)))),
      ),
    ),
  );
}

/** @param {Json} spec @param {string} path @param {string} method @param {Json} operation */
function operationSection(spec, path, method, operation) {
  const body = operation.requestBody?.content?.['application/json'];
  const answer = operation.responses?.['200']?.content;
  const [type, content] = Object.entries(answer ?? {})[0] ?? [];
  const errors = Object.entries(operation.responses ?? {}).filter(([status]) => status !== '200');
  return h(
    'section',
    { class: 'operation', id: operation.operationId },
    h('h3', {}, h('code', { class: 'method' }, method.toUpperCase()), ' ', h('code', {}, path)),
    h('p', {}, operation.summary, operation.description ? ` — ${operation.description}` : ''),
    operation.security?.length === 0 ? h('p', { class: 'muted' }, 'No token needed.') : null,
    (operation.parameters ?? []).length > 0
      ? h(
          'p',
          {},
          'Parameters: ',
          (operation.parameters ?? []).map((/** @type {Json} */ p) => h('code', {}, `${p.name} (${p.in}) `)),
        )
      : null,
    body ? [h('h4', {}, 'Request'), fieldsTable(spec, body.schema)] : null,
    body?.example ? h('pre', { class: 'example' }, JSON.stringify(body.example, null, 2)) : null,
    h('h4', {}, `Answer (${type ?? 'none'})`),
    content ? fieldsTable(spec, content.schema) : null,
    errors.length > 0
      ? [
          h('h4', {}, 'Errors'),
          h(
            'ul',
            {},
            errors.map(([status, response]) => h('li', {}, h('code', {}, status), ' ', resolve(spec, response).description ?? '')),
          ),
        ]
      : null,
  );
}

async function render() {
  const response = await fetch('/openapi.json');
  if (!response.ok) {
    main.replaceChildren(h('p', { class: 'error-text' }, `The API document did not load (HTTP ${response.status}).`));
    return;
  }
  /** @type {Json} */
  const spec = await response.json();
  /** @type {Map<string, HTMLElement[]>} */
  const byTag = new Map();
  for (const [path, methods] of Object.entries(spec.paths ?? {})) {
    for (const [method, operation] of Object.entries(/** @type {Json} */ (methods))) {
      const tag = operation.tags?.[0] ?? 'Other';
      byTag.set(tag, [...(byTag.get(tag) ?? []), operationSection(spec, path, method, operation)]);
    }
  }
  const tags = [...byTag.keys()];
  main.replaceChildren(
    h(
      'div',
      {},
      h('h1', {}, `${spec.info?.title ?? 'API'} ${spec.info?.version ?? ''}`),
      h('p', {}, spec.info?.description ?? ''),
      h(
        'nav',
        { class: 'toc', 'aria-label': 'Services' },
        tags.map((tag) => h('a', { href: `#tag-${tag}` }, tag)),
      ),
      tags.map((tag) => h('section', { id: `tag-${tag}` }, h('h2', {}, tag), byTag.get(tag))),
    ),
  );
}

render().catch((/** @type {Error} */ error) =>
  main.replaceChildren(h('p', { class: 'error-text' }, `The reference failed: ${error.message}`)),
);
