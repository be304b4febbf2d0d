import type { Role } from '../domain/status.js';

/**
 * Who is calling, as established from a verified token. Everything below the API edge decides
 * visibility and permissions from this alone (see scope.ts); request bodies never override it.
 */
export interface Principal {
  readonly domainId: string;
  readonly role: Role;
  /** Set for WORKSPACE_OWNER and WORKSPACE_MEMBER; never for DOMAIN_ADMIN. */
  readonly workspaceId?: string;
}
