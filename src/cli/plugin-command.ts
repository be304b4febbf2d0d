import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Command } from 'commander';
import { DEFAULT_PLUGIN_HOST, DEFAULT_PLUGIN_PORT, servePlugin } from '../sdk/serve.js';
import type { PluginClient } from '../plugins/plugin.js';
import type { CostDataSourcePlugin } from '../sdk/plugin-definition.js';

/**
 * `costsync plugin serve <module | built-in id>`: serves the plugin a module exports (default
 * export, or an export named `plugin`), or one of costsync's built-in plugins by its id (`focus`,
 * `aws-cur`, …: so the upstream service can use them too), over gRPC with reflection and
 * health, until SIGINT/SIGTERM. Prints `plugin listening on <host>:<port>` once ready.
 */
async function pluginServeCommand(module: string, options: { host: string; port: string; pluginVersion?: string }): Promise<void> {
  const port = Number(options.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be 0…65535, got ${options.port}`);
  const plugin = /^[a-z][a-z0-9-]*$/.test(module) ? await builtinPlugin(module) : await modulePlugin(module);
  const running = await servePlugin(plugin, {
    host: options.host,
    port,
    ...(options.pluginVersion ? { version: options.pluginVersion } : {}),
  });
  process.stdout.write(`plugin listening on ${options.host}:${running.port}\n`);
  const stop = async () => {
    await running.stop();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
}

async function modulePlugin(module: string): Promise<CostDataSourcePlugin | PluginClient> {
  const loaded = (await import(pathToFileURL(resolve(module)).href)) as { default?: unknown; plugin?: unknown };
  const plugin = (loaded.plugin ?? loaded.default) as CostDataSourcePlugin | undefined;
  if (!plugin || typeof plugin !== 'object') {
    throw new Error(`${module} must export a plugin ({ getTasks, getData, init?, verify? }) as default or as "plugin"`);
  }
  return plugin;
}

/**
 * A built-in plugin, reaching only what the operator allows (`COSTSYNC_ALLOW_FILE_ROOTS`,
 * `COSTSYNC_ALLOW_HOSTS`), as inside the server. Loaded on demand: serving a module keeps
 * the SDK's small import graph.
 */
async function builtinPlugin(id: string): Promise<PluginClient> {
  const [{ loadConfig }, { makePluginRegistry }] = await Promise.all([import('../config/config.js'), import('../plugins/registry.js')]);
  const config = loadConfig(process.env);
  const registry = makePluginRegistry({}, { access: config.access });
  if (!registry.builtins.includes(id)) {
    throw new Error(`"${id}" is not a built-in plugin (${registry.builtins.join(', ')}) nor a module path (./my-plugin.js)`);
  }
  return registry.resolve(id);
}

/** Wraps a command's action (which resolves to an exit code, or to nothing for 0) for commander. */
export type RunAction = <A extends unknown[]>(
  action: (...args: A) => Promise<number | undefined> | Promise<void>,
) => (...args: A) => Promise<void>;

/** Registers `plugin serve` on the program. */
export function registerPluginCommand(program: Command, run: RunAction): void {
  program
    .command('plugin')
    .description('run cost data-source plugins written with costsync/sdk')
    .addHelpText('after', '\nExample:\n  costsync plugin serve ./my-plugin.js')
    .command('serve <module>')
    .description(
      'serve a plugin module, or a built-in plugin by id (focus, aws-cur, …), over gRPC (SpaceONE plugin protocol, reflection, health)',
    )
    .option('--host <host>', 'address to listen on (0.0.0.0: every interface, e.g. in a container)', DEFAULT_PLUGIN_HOST)
    .option('--port <port>', 'port to listen on (0: any free port)', String(DEFAULT_PLUGIN_PORT))
    .option('--plugin-version <version>', 'the version ServerInfo.get_version answers', '0.0.0')
    .addHelpText(
      'after',
      '\nExamples:\n  costsync plugin serve ./dist/my-plugin.js\n  COSTSYNC_ALLOW_FILE_ROOTS=/srv/exports costsync plugin serve focus --host 0.0.0.0   # a built-in plugin, for SpaceONE\n  costsync plugin serve ./dist/my-plugin.js --host 0.0.0.0 --port 50051   # in its own container, as SpaceONE expects',
    )
    .action(run(pluginServeCommand));
}
