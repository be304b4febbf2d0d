import type { Config } from '../config/config.js';
import type { QuerySlots } from '../api/services/query-slots.js';
import type { Clock } from '../domain/clock.js';
import type { Engine } from '../engine/types.js';
import type { PluginResolver } from '../plugins/registry.js';
import type { SecretBox } from '../secrets/secret-box.js';
import type { Database } from '../store/database.js';
import type { Logger } from './logger.js';

/** Everything a running costsync holds, built once by `openApp` and passed down explicitly. */
export interface AppContext {
  readonly config: Config;
  readonly db: Database;
  readonly engine: Engine;
  readonly plugins: PluginResolver;
  readonly secrets: SecretBox;
  /** HMAC key that signs and verifies API tokens (HS256). */
  readonly tokenKey: Uint8Array;
  readonly log: Logger;
  /** The calendar (see domain/clock.ts). */
  readonly clock: Clock;
  /** Slots for cost queries, overall and per domain (config `api`). */
  readonly costQueries: QuerySlots;
  /** Closes the databases this context opened (the API's and the engine's). */
  close(): Promise<void>;
}
