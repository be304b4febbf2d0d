// @ts-check

/**
 * The API token lives in sessionStorage: it is gone when the tab closes and is never put in a
 * URL the server sees. `/#token=…` (the link `costsync serve` prints) signs in directly; the
 * token is then removed from the address bar and the history.
 */
const KEY = 'costsync.token';

const WRITER_ROLES = ['DOMAIN_ADMIN', 'WORKSPACE_OWNER'];

/**
 * What the page knows about who signed in (from the token, unverified).
 * @typedef {object} Claims
 * @property {string} domainId
 * @property {string} role  DOMAIN_ADMIN, WORKSPACE_OWNER or WORKSPACE_MEMBER
 * @property {string} [workspaceId]  absent for DOMAIN_ADMIN
 */

/**
 * The session a page renders for.
 * @typedef {{ claims: Claims, canWrite: boolean }} Session
 */

export function takeTokenFromLocation() {
  const match = /^#token=([^&]+)/.exec(location.hash);
  if (!match) return;
  sessionStorage.setItem(KEY, decodeURIComponent(match[1]));
  history.replaceState(null, '', `${location.pathname}#/jobs`);
}

export const currentToken = () => sessionStorage.getItem(KEY);
/** @param {string} token */
export const signIn = (token) => sessionStorage.setItem(KEY, token.trim());
export const signOut = () => sessionStorage.removeItem(KEY);

/**
 * The token's claims, read without verifying (the server verifies every call); they only
 * decide what the page offers. `undefined` when the token is not a readable JWT or expired.
 * @param {string} token
 * @returns {Claims | undefined}
 */
export function claimsOf(token) {
  try {
    const payload = token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
    /** @type {{ exp?: unknown, did: string, rol: string, wid?: string }} the costsync token's claim names */
    const claims = JSON.parse(atob(payload.padEnd(Math.ceil(payload.length / 4) * 4, '=')));
    if (typeof claims.exp === 'number' && claims.exp * 1000 < Date.now()) return undefined;
    return { domainId: claims.did, role: claims.rol, workspaceId: claims.wid };
  } catch {
    return undefined;
  }
}

/**
 * Cancel and Sync now are offered only to roles that may write (the API checks again).
 * @param {Claims} claims
 */
export const canWrite = (claims) => WRITER_ROLES.includes(claims?.role);
