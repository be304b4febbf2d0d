import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import S3rver from 's3rver';
import type { Struct } from '../../src/plugins/plugin.js';
import { withDeadline } from './wait.js';

/**
 * Real object-storage servers for the store tests, started on loopback in a temporary
 * folder and removed after: s3rver (an S3-compatible server). Files are put with the
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
