/**
 * A tiny element builder: text always goes in as text (never parsed as HTML), so nothing an
 * API returns can inject markup.
 *
 *   h('a', { href: '#/jobs', class: 'x' }, 'Jobs')
 *   h('button', { type: 'button', onclick: () => … }, 'Cancel')
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

function append(element, children) {
  for (const child of children) {
    if (child === undefined || child === null || child === false) continue;
    if (Array.isArray(child)) append(element, child);
    else element.append(child instanceof Node ? child : String(child));
  }
}

/** SVG elements (the chart). */
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
 */
export function replaceContent(target, ...content) {
  const key = document.activeElement?.closest?.('[data-focus-key]')?.dataset.focusKey;
  const hadFocus = key !== undefined && target.contains(document.activeElement);
  target.replaceChildren(...content.filter(Boolean));
  if (hadFocus) target.querySelector(`[data-focus-key="${CSS.escape(key)}"]`)?.focus();
}
