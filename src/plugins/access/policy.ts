import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { realpath } from 'node:fs/promises';
import { BlockList, isIP, type LookupFunction } from 'node:net';
import { resolve, sep } from 'node:path';
import { PluginError } from '../plugin.js';

/**
 * What plugins may reach, as the operator allows it (`COSTSYNC_ALLOW_FILE_ROOTS`,
 * `COSTSYNC_ALLOW_HOSTS`). A data source is configured by workspace owners, so without this a
 * `file://` URL or an internal address in `base_url` would make the server read its own files
 * or probe its network for them. The rules:
 *   - a local file only under an allowed root (its real path: a symlink out of a root is out);
 *     by default no local file at all;
 *   - public addresses always; a loopback, private, link-local, carrier-grade NAT, multicast or
 *     unspecified address only when allowed by host name, `host:port` or CIDR range;
 *   - checked on every address a name resolves to, at connect time (`lookup`), so a name that
 *     resolves elsewhere later (DNS rebinding) is caught too.
 */
export interface AccessRules {
  /** Directories under which local files may be read. */
  readonly fileRoots: readonly string[];
  /** Host names, `host:port`, IP addresses or CIDR ranges that may be reached although not public. */
  readonly hosts: readonly string[];
}

export interface AccessPolicy {
  /** The real path of a local file a plugin may read; a PluginError when it may not. */
  file(path: string): Promise<string>;
  /** Resolves `hostname` and checks `port` on it; a PluginError when it may not be reached. */
  host(hostname: string, port: number): Promise<void>;
  /** A `lookup` for node:http(s) connections that yields only addresses the policy allows. */
  readonly lookup: LookupFunction;
}

export const NO_EXTRA_ACCESS: AccessRules = { fileRoots: [], hosts: [] };

const NOT_PUBLIC = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  NOT_PUBLIC.addSubnet(net, prefix, 'ipv4');
}
// (No ::ffff:0:0/96 here: BlockList maps every IPv4 address into it; `unmapped` judges those.)
for (const [net, prefix] of [
  ['::', 127],
  ['64:ff9b::', 96],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const) {
  NOT_PUBLIC.addSubnet(net, prefix, 'ipv6');
}

const family = (address: string) => (isIP(address) === 6 ? 'ipv6' : 'ipv4');

/** An IPv4 address written as IPv6 (`::ffff:10.0.0.1`) is judged as the IPv4 address it is. */
function unmapped(address: string): string {
  const match = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return match ? match[1] : address;
}

export function isPublicAddress(address: string): boolean {
  const plain = unmapped(address);
  return !NOT_PUBLIC.check(plain, family(plain));
}

export function makeAccessPolicy(rules: AccessRules = NO_EXTRA_ACCESS): AccessPolicy {
  const roots = rules.fileRoots.map((root) => resolve(root));
  const names = new Set<string>();
  const namePorts = new Set<string>();
  const ranges = new BlockList();
  for (const entry of rules.hosts.map((h) => h.trim().toLowerCase()).filter(Boolean)) {
    const cidr = /^(.+)\/(\d{1,3})$/.exec(entry);
    const hostPort = /^(.+):(\d{1,5})$/.exec(entry);
    if (cidr && isIP(cidr[1])) ranges.addSubnet(cidr[1], Number(cidr[2]), family(cidr[1]));
    else if (isIP(entry)) ranges.addAddress(entry, family(entry));
    else if (hostPort && !entry.includes('::')) namePorts.add(entry);
    else names.add(entry.replace(/^\[|\]$/g, ''));
  }

  const allowed = (hostname: string, address: string, port?: number) => {
    const plain = unmapped(address);
    if (isPublicAddress(plain)) return true;
    const name = hostname.toLowerCase();
    if (names.has(name) || ranges.check(plain, family(plain))) return true;
    if (port === undefined) return [...namePorts].some((entry) => entry.startsWith(`${name}:`) || entry.startsWith(`${plain}:`));
    return namePorts.has(`${name}:${port}`) || namePorts.has(`${plain}:${port}`);
  };

  // The message names the host as given, never what it resolved to: no internal address leaks.
  const refusal = (hostname: string, port?: number) =>
    new PluginError(
      'ERROR_PERMISSION_DENIED',
      `${hostname}${port ? `:${port}` : ''} is not a public address; the operator can allow it with COSTSYNC_ALLOW_HOSTS`,
    );

  const resolveAll = (hostname: string): Promise<LookupAddress[]> =>
    isIP(hostname)
      ? Promise.resolve([{ address: hostname, family: isIP(hostname) }])
      : new Promise((done, fail) =>
          dnsLookup(hostname, { all: true }, (error, addresses) =>
            error
              ? fail(new PluginError('ERROR_UNAVAILABLE', `${hostname}: the name does not resolve (${error.code})`, true))
              : done(addresses),
          ),
        );

  return {
    async file(path) {
      let real: string;
      try {
        real = await realpath(path);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        throw new PluginError('ERROR_UNKNOWN', code === 'ENOENT' ? `${path}: File not found` : `${path}: ${code ?? 'cannot be read'}`);
      }
      if (roots.length === 0) {
        throw new PluginError(
          'ERROR_PERMISSION_DENIED',
          `${path}: reading local files is off; the operator can allow a directory with COSTSYNC_ALLOW_FILE_ROOTS`,
        );
      }
      for (const root of roots) {
        const realRoot = await realpath(root).catch(() => root);
        if (real === realRoot || real.startsWith(realRoot.endsWith(sep) ? realRoot : realRoot + sep)) return real;
      }
      throw new PluginError('ERROR_PERMISSION_DENIED', `${path} is outside the directories plugins may read (COSTSYNC_ALLOW_FILE_ROOTS)`);
    },

    async host(hostname, port) {
      const name = hostname.replace(/^\[|\]$/g, '');
      for (const { address } of await resolveAll(name)) {
        if (!allowed(name, address, port)) throw refusal(name, port);
      }
    },

    lookup(hostname, options, callback) {
      const name = hostname.replace(/^\[|\]$/g, '');
      resolveAll(name).then(
        (addresses) => {
          const wanted = options.family === 4 || options.family === 6 ? addresses.filter((a) => a.family === options.family) : addresses;
          const refused = wanted.find((a) => !allowed(name, a.address));
          if (refused) return callback(refusal(name) as NodeJS.ErrnoException, '', 0);
          if (wanted.length === 0) return callback(Object.assign(new Error(`${name}: no address`), { code: 'ENOTFOUND' }), '', 0);
          if (options.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, wanted);
          callback(null, wanted[0].address, wanted[0].family);
        },
        (error: NodeJS.ErrnoException) => callback(error, '', 0),
      );
    },
  };
}
