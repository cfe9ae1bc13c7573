// The local stand-in for the storefront's CDN: an HTTP server on 127.0.0.1
// that serves OUT with the CDN's cache headers and compression, plus the
// best-sellers page. Each request is checked and routed (request-path.ts),
// offered compression (compress.ts), then handed to sirv over OUT
// (out-files.ts) or to the page (page-files.ts). It is a preview and test
// harness for what the pipeline publishes, not a production web server.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { compressWhenAccepted } from './compress.js';
import { outFiles } from './out-files.js';
import { pageFiles } from './page-files.js';
import { routeOf } from './request-path.js';
import { methodNotAllowed, notFound, sendText } from './response-hooks.js';

export interface ServerOptions {
  /** The output directory the pipeline publishes to (CONTRACT.md §4). */
  readonly outDir: string;
  /** 0 picks a free port. */
  readonly port: number;
  readonly host?: string;
  /** The compiled page modules; the built tool's own by default. */
  readonly pageDir?: string;
}

export interface RunningServer {
  /** `http://127.0.0.1:PORT/`, with the port actually bound. */
  readonly url: string;
  /** Stops accepting, ends open connections (keep-alive ones too), resolves when closed. */
  close(): Promise<void>;
}

/** Starts serving; rejects with the listen error (EADDRINUSE, EACCES) unchanged. */
export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const host = options.host ?? '127.0.0.1';
  const out = outFiles(options.outDir);
  const page = pageFiles(options.pageDir);

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    res.setHeader('X-Content-Type-Options', 'nosniff');
    if (req.method !== 'GET' && req.method !== 'HEAD') return methodNotAllowed(res);
    const route = routeOf(req.url ?? '');
    if (route === undefined) return notFound(res);
    compressWhenAccepted(req, res);
    if (route.kind === 'page') return page.page(req, res);
    if (route.kind === 'script') return page.script(req, res);
    return out(req, res, route.path);
  };

  const server = createServer((req, res) => {
    try {
      handle(req, res);
    } catch (err) {
      // sirv's lookups are synchronous fs calls; a file the server may not
      // read (EACCES) ends this request, not the server.
      if (!res.headersSent) sendText(res, 500, 'Internal server error');
      else res.destroy(err as Error);
    }
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}/`;

  return {
    url,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}
