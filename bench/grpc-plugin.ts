import { makeSyntheticPlugin } from '../src/plugins/synthetic/plugin.js';

/** The synthetic plugin as a module for `costsync plugin serve`: the ingest benchmark's gRPC row. */
export const plugin = makeSyntheticPlugin();
