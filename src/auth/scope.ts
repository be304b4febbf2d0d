import { err } from '../domain/errors.js';
import { DOMAIN_WORKSPACE, ROLE } from '../domain/status.js';
import { sql, type Fragment } from '../query/sql.js';
import type { Principal } from './principal.js';

/**
 * Who sees and writes what — the only place these rules live. They hold identically for get,
 * list and stat of every resource (JobTask.list included):
 *
 * - nobody ever sees another domain;
 * - DOMAIN_ADMIN sees the whole domain; with a requested `workspace_id` it narrows to that
 *   workspace plus the domain-level (`"*"`) resources;
 * - WORKSPACE_OWNER and WORKSPACE_MEMBER see their workspace plus `"*"`;
 * - only DOMAIN_ADMIN and WORKSPACE_OWNER write, and a WORKSPACE_OWNER only resources of its
 *   own workspace (not `"*"`);
 * - a resource the caller cannot see is ERROR_NOT_FOUND, never "permission denied", so
 *   existence is not revealed; a visible resource the caller may not change is
 *   ERROR_PERMISSION_DENIED.
 *
 * Every source table and view has `domain_id` and `workspace_id` columns, so visibility is one
 * SQL condition with bound parameters.
 */
export function visibleTo(principal: Principal, requestedWorkspaceId?: string): Fragment {
  const domain = sql`domain_id = ${principal.domainId}`;
  const workspace = principal.role === ROLE.DOMAIN_ADMIN ? requestedWorkspaceId : principal.workspaceId;
  if (workspace === undefined) return domain;
  return sql`${domain} AND workspace_id = ANY(${[workspace, DOMAIN_WORKSPACE]}::text[])`;
}

/** Role check for any write, before looking anything up. */
export function assertWriter(principal: Principal): void {
  if (principal.role === ROLE.WORKSPACE_MEMBER) {
    throw err.permission('WORKSPACE_MEMBER can only read; this needs DOMAIN_ADMIN or WORKSPACE_OWNER');
  }
}

/** For a resource already found through `visibleTo`: may this caller change it? */
export function assertCanWrite(principal: Principal, resource: { workspace_id: string | null }): void {
  assertWriter(principal);
  if (principal.role === ROLE.DOMAIN_ADMIN) return;
  if (resource.workspace_id !== principal.workspaceId) {
    throw err.permission(
      resource.workspace_id === DOMAIN_WORKSPACE
        ? 'domain-level resources can only be changed by DOMAIN_ADMIN'
        : 'the resource belongs to another workspace',
    );
  }
}

/**
 * The workspace a new data source is registered in. DOMAIN resources are `"*"` and only a
 * DOMAIN_ADMIN creates them; a WORKSPACE_OWNER creates WORKSPACE resources in its own workspace.
 */
export function workspaceForNew(
  principal: Principal,
  resourceGroup: 'DOMAIN' | 'WORKSPACE',
  requestedWorkspaceId: string | undefined,
): string {
  assertWriter(principal);
  if (resourceGroup === 'DOMAIN') {
    if (principal.role !== ROLE.DOMAIN_ADMIN) throw err.permission('only DOMAIN_ADMIN registers DOMAIN resources');
    return DOMAIN_WORKSPACE;
  }
  if (principal.role === ROLE.DOMAIN_ADMIN) {
    if (requestedWorkspaceId === undefined) throw err.required('workspace_id');
    if (requestedWorkspaceId === DOMAIN_WORKSPACE) {
      throw err.invalid('workspace_id', 'a WORKSPACE resource needs a real workspace id, not "*"');
    }
    return requestedWorkspaceId;
  }
  if (requestedWorkspaceId !== undefined && requestedWorkspaceId !== principal.workspaceId) {
    throw err.permission('a WORKSPACE_OWNER registers resources in its own workspace only');
  }
  return principal.workspaceId as string;
}
