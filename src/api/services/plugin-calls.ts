import type { AppContext } from '../../app/context.js';
import { CostsyncError, err, isCostsyncError } from '../../domain/errors.js';
import { PluginError, type PluginClient } from '../../plugins/plugin.js';

/** Plugin error codes that mean "the options or secret you gave are wrong": the caller's 400. */
const CLIENT_CODES = new Set(['ERROR_REQUIRED_PARAMETER', 'ERROR_INVALID_PARAMETER', 'ERROR_INVALID_PARAMETER_TYPE'] as const);

/**
 * Calls a plugin on behalf of an API request, with the plan timeout. A plugin that rejects
 * its input answers with the plugin's own code (400); anything else is ERROR_PLUGIN (502).
 */
export async function callPlugin<T>(ctx: AppContext, call: string, run: (signal: AbortSignal) => Promise<T>): Promise<T> {
  try {
    return await run(AbortSignal.timeout(ctx.config.engine.planTimeoutMs));
  } catch (error) {
    if (isCostsyncError(error)) throw error;
    if (error instanceof PluginError && (CLIENT_CODES as Set<string>).has(error.code)) {
      throw new CostsyncError(error.code as 'ERROR_INVALID_PARAMETER', `Plugin ${call} rejected the request: ${error.message}`);
    }
    const reason = error instanceof Error ? error.message : String(error);
    throw err.plugin(`${call}: ${error instanceof PluginError ? `${error.code}: ` : ''}${reason}`);
  }
}

export async function initPlugin(
  ctx: AppContext,
  plugin: PluginClient,
  options: Record<string, unknown>,
  domainId: string,
): Promise<Record<string, unknown>> {
  const answer = await callPlugin(ctx, 'init', (signal) => plugin.init({ options, domain_id: domainId }, signal));
  return answer?.metadata ?? {};
}

export async function verifyPlugin(
  ctx: AppContext,
  plugin: PluginClient,
  request: { options: Record<string, unknown>; secretData: Record<string, unknown>; domainId: string },
): Promise<void> {
  await callPlugin(ctx, 'verify', (signal) =>
    plugin.verify(
      {
        options: request.options,
        secret_data: request.secretData,
        domain_id: request.domainId,
      },
      signal,
    ),
  );
}

/** The accounts a routing plugin's credentials reach (`Cost.get_linked_accounts`, spec §1.5: schema unset). */
export async function linkedAccounts(
  ctx: AppContext,
  plugin: PluginClient,
  request: { options: Record<string, unknown>; secretData: Record<string, unknown>; domainId: string },
): Promise<{ account_id: string; name?: string }[]> {
  if (!plugin.getLinkedAccounts) throw err.plugin('get_linked_accounts: the plugin asks for account routing but does not list accounts');
  const answer = await callPlugin(ctx, 'get_linked_accounts', (signal) =>
    plugin.getLinkedAccounts!({ options: request.options, secret_data: request.secretData, domain_id: request.domainId }, signal),
  );
  return (answer?.results ?? []).filter((a) => typeof a?.account_id === 'string' && a.account_id !== '');
}
