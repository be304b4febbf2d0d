import { createReadStream } from 'node:fs';
import { open, readdir, stat } from 'node:fs/promises';
import { dirname, join, sep } from 'node:path';
import type { Readable } from 'node:stream';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { PluginError } from '../../plugin.js';
import type { FileEntry, FileStore, StoreContext, StoreKind } from '../store.js';

/**
 * `file://` locations: local files, only under the directories the operator allows
 * (`COSTSYNC_ALLOW_FILE_ROOTS`; the access policy checks each file's real path, so a symlink
 * out of a root is out). A prefix ending in `/` is a folder, listed recursively.
 */
export const localFiles: StoreKind = {
  schemes: ['file:'],
  make: ({ access }: StoreContext): FileStore => {
    const path = (url: string) => fileURLToPath(url);
    return {
      async *list(prefix) {
        const wanted = path(prefix);
        const folder = prefix.endsWith('/') ? wanted : dirname(wanted);
        await access.file(folder);
        for await (const file of walk(folder)) {
          if (!file.startsWith(wanted)) continue;
          const real = await access.file(file);
          const { size } = await stat(real);
          yield { url: pathToFileURL(file).href, size } satisfies FileEntry;
        }
      },
      async open(url) {
        return openFile(await access.file(path(url)), url);
      },
      async check(url) {
        await access.file(url.endsWith('/') ? path(url) : dirname(path(url)));
      },
      async size(url) {
        return (await stat(await access.file(path(url)))).size;
      },
      async range(url, start, end) {
        const handle = await open(await access.file(path(url)), 'r');
        try {
          const buffer = Buffer.alloc(Math.max(0, end - start));
          const { bytesRead } = await handle.read(buffer, 0, buffer.length, start);
          return buffer.subarray(0, bytesRead);
        } finally {
          await handle.close();
        }
      },
    };
  },
};

/** Files under `folder`, depth first, in name order. */
async function* walk(folder: string): AsyncGenerator<string> {
  const entries = await readdir(folder, { withFileTypes: true }).catch((error: NodeJS.ErrnoException) => {
    throw new PluginError('ERROR_UNKNOWN', `${pathToFileURL(folder).href}: ${error.code === 'ENOENT' ? 'folder not found' : error.code}`);
  });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    const full = join(folder, entry.name);
    if (entry.isDirectory()) yield* walk(full.endsWith(sep) ? full : full + sep);
    else if (entry.isFile() || entry.isSymbolicLink()) yield full;
  }
}

function openFile(path: string, url: string): Promise<Readable> {
  const stream = createReadStream(path);
  return new Promise((resolve, reject) => {
    stream.once('open', () => resolve(stream));
    stream.once('error', (error: NodeJS.ErrnoException) =>
      reject(new PluginError('ERROR_UNKNOWN', `${url}: ${error.code === 'ENOENT' ? 'File not found' : error.message}`)),
    );
  });
}
