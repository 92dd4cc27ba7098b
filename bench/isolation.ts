// Cross-origin isolation for the quality page: Chromium gives performance.now()
// 5 µs resolution in a cross-origin isolated page and 100 µs otherwise, too
// coarse for sub-millisecond timings. The harness's static server sends no
// COOP/COEP headers, so this HTTP front adds them. (Playwright's route() could
// add them too, but any route in a context breaks its WebSockets to Kamailio:
// they close with 1006.)
import { createServer, request } from 'node:http';

export interface IsolatingProxy {
  /** http://127.0.0.1:PORT (no trailing slash) */
  readonly url: string;
  stop(): Promise<void>;
}

const ISOLATION_HEADERS = {
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-embedder-policy': 'require-corp',
} as const;

/** Serves everything of the server on 127.0.0.1:`targetPort`, with COOP + COEP added to each response. */
export async function startIsolatingProxy(targetPort: number): Promise<IsolatingProxy> {
  const server = createServer((incoming, outgoing) => {
    const upstream = request(
      { host: '127.0.0.1', port: targetPort, path: incoming.url, method: incoming.method, headers: incoming.headers },
      (response) => {
        outgoing.writeHead(response.statusCode ?? 502, { ...response.headers, ...ISOLATION_HEADERS });
        response.pipe(outgoing);
      },
    );
    upstream.on('error', (error) => {
      if (!outgoing.headersSent) outgoing.writeHead(502, { 'content-type': 'text/plain' });
      outgoing.end(error.message);
    });
    incoming.pipe(upstream);
  });
  await new Promise<void>((done, fail) => {
    server.once('error', fail);
    server.listen(0, '127.0.0.1', done);
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('isolating proxy: no TCP address');
  return {
    url: `http://127.0.0.1:${address.port}`,
    stop: () =>
      new Promise<void>((done, fail) => {
        server.closeAllConnections();
        server.close((error) => (error ? fail(error) : done()));
      }),
  };
}
