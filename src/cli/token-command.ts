import { issueToken } from '../auth/tokens.js';
import { loadConfig } from '../config/config.js';
import { isOneOf, ROLE, type Role } from '../domain/status.js';
import { readOrCreateKey } from '../secrets/key-file.js';

export interface TokenOptions {
  domain: string;
  role: string;
  workspace?: string;
  ttl?: string;
}

/** Parses `90s`, `15m`, `12h`, `30d` or plain seconds. */
export function parseTtl(text: string): number {
  const match = /^(\d+)\s*([smhd]?)$/.exec(text.trim());
  if (!match) throw new Error(`--ttl must look like 3600, 90s, 15m, 12h or 30d; got "${text}"`);
  const unit = { '': 1, s: 1, m: 60, h: 3600, d: 86400 }[match[2] as '' | 's' | 'm' | 'h' | 'd'];
  return Number(match[1]) * unit;
}

/** `costsync token`: prints, alone on stdout, a token the server started from the same data directory accepts. */
export async function tokenCommand(options: TokenOptions): Promise<number> {
  if (!isOneOf(ROLE, options.role)) throw new Error(`--role must be one of ${Object.values(ROLE).join(', ')}`);
  const role = options.role as Role;
  if (role !== ROLE.DOMAIN_ADMIN && !options.workspace) throw new Error(`--workspace is required for ${role}`);
  const config = loadConfig();
  const key = config.tokenSecret ? new TextEncoder().encode(config.tokenSecret) : readOrCreateKey(config.dataDir, 'token.key');
  const token = await issueToken(key, {
    domainId: options.domain,
    role,
    ...(role !== ROLE.DOMAIN_ADMIN ? { workspaceId: options.workspace } : {}),
    ttlSeconds: parseTtl(options.ttl ?? '1h'),
  });
  process.stdout.write(token + '\n');
  return 0;
}
