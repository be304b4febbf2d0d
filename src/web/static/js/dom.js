// @ts-check

/**
 * An attribute's value: `false`, `null` and `undefined` leave it out, `true` sets it empty,
 * `on…` takes a listener and `dataset` an object of `data-*` values.
 * @typedef {string | number | boolean | null | undefined | EventListener | Record<string, string>} AttributeValue
 */

/**
 * What goes inside an element: nodes and text (numbers become text), or a list of them (from
 * a `map`); `false`, `null` and `undefined` are skipped.
 * @typedef {Node | string | number | false | null | undefined} Leaf
 * @typedef {Leaf | Leaf[]} Child
 */

/**
 * A tiny element builder: text always goes in as text (never parsed as HTML), so nothing an
 * API returns can inject markup.
 *
 *   h('a', { href: '#/jobs', class: 'x' }, 'Jobs')
 *   h('button', { type: 'button', onclick: () => … }, 'Cancel')
 *
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {Record<string, AttributeValue>} [attributes]
 * @param {...Child} children
 * @returns {HTMLElementTagNameMap[K]}
 */
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') element.addEventListener(name.slice(2), value);
    else if (name === 'dataset') Object.assign(element.dataset, value);
    else element.setAttribute(name, value === true ? '' : String(value));
  }
  append(element, children);
  return element;
}

/**
 * @param {Element} element
 * @param {Child[]} children
 */
function append(element, children) {
  for (const child of children) {
    if (child === undefined || child === null || child === false) continue;
    if (Array.isArray(child)) append(element, child);
    else element.append(child instanceof Node ? child : String(child));
  }
}

/**
 * SVG elements (the chart).
 * @template {keyof SVGElementTagNameMap} K
 * @param {K} tag
 * @param {Record<string, string | number>} [attributes]
 * @param {...Child} children
 * @returns {SVGElementTagNameMap[K]}
 */
export function svg(tag, attributes = {}, ...children) {
  const element = document.createElementNS('http://www.w3.org/2000/svg', tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, String(value));
  append(element, children);
  return element;
}

/**
 * Replaces `target`'s content with `content`. The element that had the keyboard focus is
 * focused again when the new content has one with the same `data-focus-key`, so a live
 * refresh never throws a keyboard user back to the top of the page.
 *
 * @param {Element} target
 * @param {...(Node | null)} content  `null` is left out
 */
export function replaceContent(target, ...content) {
  // `data-focus-key` is set only on links and buttons (HTML elements, with `dataset` and `focus`).
  const key = /** @type {HTMLElement | null | undefined} */ (document.activeElement?.closest?.('[data-focus-key]'))?.dataset.focusKey;
  const hadFocus = key !== undefined && target.contains(document.activeElement);
  target.replaceChildren(...content.filter(/** @returns {node is Node} */ (node) => Boolean(node)));
  if (hadFocus) /** @type {HTMLElement | null} */ (target.querySelector(`[data-focus-key="${CSS.escape(key)}"]`))?.focus();
}
