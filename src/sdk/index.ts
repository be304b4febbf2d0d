/**
 * costsync/sdk — write a SpaceONE cost data-source plugin in TypeScript and serve it over
 * gRPC (reflection and health included), usable by costsync and by SpaceONE. See docs/sdk.md.
 */
export { servePlugin, PLUGIN_SERVICES, type RunningPlugin, type ServeOptions } from './serve.js';
export { definePlugin, DEFAULT_METADATA, type CostDataSourcePlugin } from './plugin-definition.js';
export { PluginError } from '../plugins/plugin.js';
export type {
  AccountInfo,
  ChangedInfo,
  CostInfo,
  GetDataRequest,
  GetLinkedAccountsRequest,
  GetTasksRequest,
  InitRequest,
  LinkedAccount,
  PluginClient,
  Struct,
  TaskInfo,
  TasksInfo,
  VerifyRequest,
} from '../plugins/plugin.js';
