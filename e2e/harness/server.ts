// Minimal static HTTP server on 127.0.0.1 for e2e pages: serves a root folder
// (the repo root for tests, so pages can import /dist/index.js and
// /node_modules/... as ES modules) and/or folders mounted under URL prefixes
// (the demo serves only those). Never a dot-file or dot-folder (.git, .env).
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { extname, join, resolve, sep } from 'node:path';

export interface StaticServerOptions {
  /** Folder served at "/"; without it only the mounts are served. */
  root?: string;
  /** URL prefix (e.g. "/pages/") → folder; checked before root. */
  mounts?: Record<string, string>;
  /** Defaults to a free port. */
  port?: number;
}

export interface StaticServer {
  /** http://127.0.0.1:PORT (no trailing slash) */
  readonly url: string;
  readonly port: number;
  stop(): Promise<void>;
}

/**
 * Bare specifiers that tsup leaves external in dist/ (and that SIP.js/XState
 * ESM builds import), mapped to files under the served repo root. Pages name
 * it with the {@link IMPORT_MAP_PLACEHOLDER} comment; the server puts
 * {@link importMapTag} there, so every page has the one map.
 */
export const IMPORT_MAP = {
  imports: {
    'sip.js': '/node_modules/sip.js/lib/index.js',
    'sip.js/': '/node_modules/sip.js/',
    xstate: '/node_modules/xstate/dist/xstate.esm.js',
    'xstate/': '/node_modules/xstate/',
  },
} as const;

/** Where a served HTML page gets the import map. */
export const IMPORT_MAP_PLACEHOLDER = '<!-- callchart:importmap -->';

/** `<script type="importmap">` for {@link IMPORT_MAP} (import maps must be inline). */
export function importMapTag(): string {
  return `<script type="importmap">${JSON.stringify(IMPORT_MAP)}</script>`;
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.cjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.wav': 'audio/wav',
  '.txt': 'text/plain; charset=utf-8',
};

export async function startStaticServer(options: StaticServerOptions): Promise<StaticServer> {
  const routes = buildRoutes(options);
  const server = createServer((request, response) => {
    serve(routes, request, response).catch((error: Error) => {
      if (!response.headersSent) response.writeHead(500, { 'content-type': 'text/plain' });
      response.end(String(error.message));
    });
  });

  await new Promise<void>((done, fail) => {
    server.once('error', fail);
    server.listen(options.port ?? 0, '127.0.0.1', done);
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('static server: no TCP address');

  return {
    url: `http://127.0.0.1:${address.port}`,
    port: address.port,
    stop: () =>
      new Promise<void>((done, fail) => {
        // Browsers keep connections alive; drop them so close() returns now.
        server.closeAllConnections();
        server.close((error) => (error ? fail(error) : done()));
      }),
  };
}

interface Route {
  prefix: string;
  dir: string;
}

/** Longest prefix first, root last. */
function buildRoutes({ root, mounts = {} }: StaticServerOptions): Route[] {
  const mounted = Object.entries(mounts).map(([prefix, dir]) => ({
    prefix: prefix.endsWith('/') ? prefix : `${prefix}/`,
    dir: resolve(dir),
  }));
  mounted.sort((a, b) => b.prefix.length - a.prefix.length);
  return root === undefined ? mounted : [...mounted, { prefix: '/', dir: resolve(root) }];
}

async function serve(routes: Route[], request: IncomingMessage, response: ServerResponse): Promise<void> {
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    response.writeHead(405).end();
    return;
  }
  const pathname = decodeURIComponent(new URL(request.url ?? '/', 'http://localhost').pathname);
  // Chromium asks for it on every page; a 404 would show up as a console error.
  if (pathname === '/favicon.ico') {
    response.writeHead(204).end();
    return;
  }
  // No dot-files or dot-folders, under any route (.git, .env, .ci).
  const file = pathname.split('/').some((segment) => segment.startsWith('.')) ? undefined : await resolveFile(routes, pathname);
  if (!file) {
    response.writeHead(404, { 'content-type': 'text/plain' }).end(`not found: ${pathname}`);
    return;
  }
  response.writeHead(200, {
    'content-type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream',
    // Tests rebuild dist/ between runs: never let the browser cache it.
    'cache-control': 'no-store',
  });
  if (request.method === 'HEAD') {
    response.end();
    return;
  }
  if (extname(file) === '.html') {
    const html = await readFile(file, 'utf8');
    response.end(html.replace(IMPORT_MAP_PLACEHOLDER, importMapTag()));
    return;
  }
  createReadStream(file).pipe(response);
}

/** Maps a URL path to a file inside a route's folder; refuses to escape it. */
async function resolveFile(routes: Route[], pathname: string): Promise<string | undefined> {
  const route = routes.find((candidate) => pathname.startsWith(candidate.prefix));
  if (!route) return undefined;
  let file = resolve(join(route.dir, pathname.slice(route.prefix.length)));
  if (file !== route.dir && !file.startsWith(route.dir + sep)) return undefined;
  let info = await stat(file).catch(() => undefined);
  if (info?.isDirectory()) {
    file = join(file, 'index.html');
    info = await stat(file).catch(() => undefined);
  }
  return info?.isFile() ? file : undefined;
}
