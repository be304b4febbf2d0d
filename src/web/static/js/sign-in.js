// @ts-check
import { h } from './dom.js';

/**
 * The sign-in form: an API token (`costsync token …`, or the link `costsync serve` prints).
 * `onSubmit(token)` rejects with a message to show.
 * @param {(token: string) => Promise<void>} onSubmit
 * @param {string} [message]
 */
export function signInForm(onSubmit, message) {
  const error = h('p', { class: 'form-error', id: 'sign-in-error', role: 'alert' }, message ?? '');
  const input = h('input', {
    id: 'token',
    name: 'token',
    type: 'password',
    autocomplete: 'off',
    spellcheck: 'false',
    required: true,
    'aria-describedby': 'token-help sign-in-error',
  });
  const button = h('button', { type: 'submit' }, 'Sign in');
  const form = h(
    'form',
    { class: 'sign-in', 'aria-labelledby': 'sign-in-title' },
    h('h1', { id: 'sign-in-title' }, 'Sign in to costsync'),
    h('label', { for: 'token' }, 'API token'),
    input,
    h(
      'p',
      { id: 'token-help', class: 'muted' },
      'Paste a token from ',
      h('code', {}, 'costsync token --domain <domain_id> --role DOMAIN_ADMIN'),
      ', or open the link ',
      h('code', {}, 'costsync serve'),
      ' prints. It is kept in this tab only.',
    ),
    button,
    error,
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    button.disabled = true;
    error.textContent = '';
    try {
      await onSubmit(input.value.trim());
    } catch (e) {
      error.textContent = /** @type {Error} */ (e).message;
      input.focus();
    } finally {
      button.disabled = false;
    }
  });
  return form;
}
