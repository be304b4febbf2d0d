import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { ContainerClient, StorageSharedKeyCredential } from '@azure/storage-blob';
import S3rver from 's3rver';
import type { Struct } from '../../src/plugins/plugin.js';
import { until, withDeadline } from './wait.js';

/**
 * Real object-storage servers for the store tests, started on loopback in a temporary
 * folder and removed after: s3rver (an S3-compatible server) and Azurite's blob service
 * (Microsoft's emulator, run as its own process). Files are put with the
 * vendor's own SDK, as an export job would write them, so the stores are tested against
 * the same wire protocol they meet in production, never against a mock of the SDK.
 */
export interface ObjectServer {
  /** The endpoint URL a data source's secret_data names. */
  readonly endpoint: string;
  /** secret_data that reads the bucket or container. */
  readonly secret: Struct;
  put(key: string, body: string | Buffer): Promise<void>;
  close(): Promise<void>;
}

/** s3rver's fixed credentials (it accepts only these). */
export const S3RVER_KEY = { id: 'S3RVER', secret: 'S3RVER' };

export async function startS3(bucket: string): Promise<ObjectServer> {
  const directory = mkdtempSync(join(tmpdir(), 'costsync-s3rver-'));
  const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory, configureBuckets: [{ name: bucket }] });
  const { port } = await withDeadline(server.run(), 30_000, 's3rver on 127.0.0.1');
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new S3Client({
    region: 'us-east-1',
    endpoint,
    forcePathStyle: true,
    credentials: { accessKeyId: S3RVER_KEY.id, secretAccessKey: S3RVER_KEY.secret },
  });
  return {
    endpoint,
    secret: { aws_access_key_id: S3RVER_KEY.id, aws_secret_access_key: S3RVER_KEY.secret, endpoint },
    async put(key, body) {
      await withDeadline(client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body })), 30_000, `s3rver storing ${key}`);
    },
    async close() {
      client.destroy();
      await withDeadline(server.close(), 10_000, 's3rver closing');
      rmSync(directory, { recursive: true, force: true });
    },
  };
}

/** Azurite's well-known development account (the same in every Azurite). */
export const AZURITE_ACCOUNT = {
  name: 'devstoreaccount1',
  key: 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==',
};

export interface AzuriteServer extends ObjectServer {
  readonly port: number;
}

export async function startAzurite(container: string): Promise<AzuriteServer> {
  const location = mkdtempSync(join(tmpdir(), 'costsync-azurite-'));
  const port = await freePort();
  const bin = fileURLToPath(new URL('../../node_modules/.bin/azurite-blob', import.meta.url));
  const args = ['--blobHost', '127.0.0.1', '--blobPort', String(port), '--location', location];
  const child = spawn(bin, [...args, '--silent', '--disableTelemetry', '--skipApiVersionCheck', '--loose'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  for (const stream of [child.stdout, child.stderr]) stream?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const stop = () => stopProcess(child).finally(() => rmSync(location, { recursive: true, force: true }));
  try {
    await until(
      `Azurite's blob service to listen on 127.0.0.1:${port}`,
      async () => {
        if (child.exitCode !== null) throw new Error(`azurite-blob exited (${child.exitCode}): ${output.trim()}`);
        return listening(port);
      },
      60_000,
      { everyMs: 100 },
    );
  } catch (error) {
    await stop();
    throw error;
  }
  const endpoint = `http://127.0.0.1:${port}/${AZURITE_ACCOUNT.name}`;
  const credential = new StorageSharedKeyCredential(AZURITE_ACCOUNT.name, AZURITE_ACCOUNT.key);
  const client = new ContainerClient(`${endpoint}/${container}`, credential);
  await withDeadline(client.create(), 30_000, `Azurite creating container ${container}`);
  return {
    port,
    endpoint,
    secret: { account_name: AZURITE_ACCOUNT.name, account_key: AZURITE_ACCOUNT.key, account_url: endpoint },
    async put(key, body) {
      await withDeadline(client.getBlockBlobClient(key).uploadData(Buffer.from(body)), 30_000, `Azurite storing ${key}`);
    },
    close: stop,
  };
}

async function freePort(): Promise<number> {
  const server = createServer();
  await withDeadline(new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve)), 10_000, 'a free loopback port');
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (!address || typeof address === 'string') throw new Error('no free port');
  return address.port;
}

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** SIGTERM, then SIGKILL if the process has not exited within five seconds. */
async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  try {
    await withDeadline(exited, 5_000, 'azurite-blob to exit');
  } catch {
    child.kill('SIGKILL');
    await withDeadline(exited, 5_000, 'azurite-blob to exit after SIGKILL');
  }
}

/**
 * A loopback port that counts the connections made to it and answers none: where a store
 * is pointed to show that a refused endpoint is refused before anything is sent.
 */
export async function startConnectionCounter(): Promise<{ port: number; connections(): number; close(): Promise<void> }> {
  let count = 0;
  const server = createServer((socket) => {
    count++;
    socket.destroy();
  });
  await withDeadline(new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve)), 10_000, 'a loopback listener');
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('the listener has no port');
  return {
    port: address.port,
    connections: () => count,
    close: () => withDeadline(new Promise<void>((resolve) => server.close(() => resolve())), 10_000, 'the loopback listener closing'),
  };
}
