import { readFile } from 'node:fs/promises';
import { extname, join, resolve, sep } from 'node:path';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { packageRoot } from '../../config/package-root.js';

/**
 * The dashboard's files, served as they are from `src/web/static/` in the package (tsc copies
 * no assets into dist/, so the package ships that folder). No build step, no framework: an
 * HTML page, ES modules and a stylesheet. Only files with a known type are served, and only
 * from inside the folder.
 */
const STATIC_DIR = join(packageRoot(), 'src', 'web', 'static');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

/**
 * Everything the page loads or calls comes from this server: a browser refuses anything else,
 * so the dashboard makes no outside request even by mistake.
 */
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "form-action 'self'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

function securityHeaders(reply: FastifyReply): FastifyReply {
  return reply
    .header('content-security-policy', CONTENT_SECURITY_POLICY)
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'no-referrer')
    .header('cache-control', 'no-cache');
}

/** A file of the dashboard's folder, with the headers above; 404 for anything else. */
export async function sendFile(reply: FastifyReply, relative: string): Promise<FastifyReply> {
  const path = resolve(STATIC_DIR, relative);
  const type = TYPES[extname(path)];
  const body = type && path.startsWith(STATIC_DIR + sep) ? await readFile(path).catch(() => undefined) : undefined;
  if (!body) {
    reply.callNotFound();
    return reply;
  }
  return securityHeaders(reply).type(type).send(body);
}

/** `GET /` (the page) and `GET /static/<file>` (its modules, stylesheet and icon); no token needed. */
export function registerWebStatic(app: FastifyInstance): void {
  const page = { kind: 'plain', tag: 'Dashboard', summary: 'The dashboard', contentType: 'text/html' } as const;
  const files = {
    kind: 'plain',
    tag: 'Dashboard',
    summary: "The dashboard's modules, stylesheet and icon",
    contentType: 'text/javascript',
  } as const;
  app.get('/', { config: { doc: page } }, (_request, reply) => sendFile(reply, 'index.html'));
  app.get('/static/*', { config: { doc: files } }, (request, reply) => sendFile(reply, (request.params as { '*': string })['*']));
}
