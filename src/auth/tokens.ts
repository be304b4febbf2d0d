import { errors as joseErrors, jwtVerify, SignJWT } from 'jose';
import { err } from '../domain/errors.js';
import { isOneOf, ROLE, type Role } from '../domain/status.js';
import type { Principal } from './principal.js';

/**
 * API tokens: HS256 JWTs with the upstream claim names (spec §7.1) — `did` (domain), `wid`
 * (workspace), `rol` (role type) and `ver: "2.0"`. Every way a token can be wrong ends in
 * ERROR_AUTHENTICATE_FAILURE (401); the message says which check failed, never the key.
 */
export const TOKEN_VERSION = '2.0';
const ALGORITHM = 'HS256';
const DEFAULT_TTL_SECONDS = 3600;

export interface TokenClaims {
  domainId: string;
  role: Role;
  workspaceId?: string;
  ttlSeconds?: number;
}

export async function issueToken(key: Uint8Array, claims: TokenClaims): Promise<string> {
  const payload: Record<string, unknown> = { did: claims.domainId, rol: claims.role, ver: TOKEN_VERSION };
  if (claims.workspaceId !== undefined) payload.wid = claims.workspaceId;
  return new SignJWT(payload)
    .setProtectedHeader({ alg: ALGORITHM, typ: 'JWT' })
    .setIssuedAt()
    .setExpirationTime(Math.floor(Date.now() / 1000) + (claims.ttlSeconds ?? DEFAULT_TTL_SECONDS))
    .sign(key);
}

export async function verifyToken(key: Uint8Array, token: string | undefined): Promise<Principal> {
  if (!token) throw err.authenticate('empty token provided.');
  let payload: Record<string, unknown>;
  try {
    ({ payload } = await jwtVerify(token, key, { algorithms: [ALGORITHM], requiredClaims: ['exp'] }));
  } catch (error) {
    throw err.authenticate(describeJoseError(error));
  }
  const { did, rol, wid, ver } = payload;
  if (ver !== TOKEN_VERSION) throw err.authenticate(`unsupported token version; expected "${TOKEN_VERSION}".`);
  if (typeof did !== 'string' || did === '') throw err.authenticate('empty domain_id provided.');
  if (!isOneOf(ROLE, rol)) throw err.authenticate(`unknown role type; expected one of ${Object.values(ROLE).join(', ')}.`);
  if (rol === ROLE.DOMAIN_ADMIN) return { domainId: did, role: rol };
  if (typeof wid !== 'string' || wid === '' || wid === '*') {
    throw err.authenticate(`a ${rol} token needs a workspace id (wid).`);
  }
  return { domainId: did, role: rol, workspaceId: wid };
}

function describeJoseError(error: unknown): string {
  if (error instanceof joseErrors.JWTExpired) return 'token expired.';
  if (error instanceof joseErrors.JWSSignatureVerificationFailed) return 'invalid token signature.';
  if (error instanceof joseErrors.JWTClaimValidationFailed) return `invalid token claim "${error.claim}".`;
  return 'token cannot be decoded.';
}
