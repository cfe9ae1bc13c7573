// The best-sellers page: its HTML at `/` and its compiled modules at
// `/NAME.js`. The modules are ./page/*.ts compiled by tsc next to this file
// in dist/, and served by sirv like OUT is, but with `no-cache`: they change
// when the tool is upgraded, and the ETag keeps the revalidation cheap.
// A Content-Security-Policy lets the page run only its own scripts and its
// one inline style, so a product name in the JSON can never become markup.
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { fileURLToPath } from 'node:url';
import sirv from 'sirv';
import { PAGE_CSS, PAGE_HTML } from './page-html.js';
import { notFound } from './response-hooks.js';

/** The compiled page modules: dist/src/serve/page/ when running the built tool. */
export const DEFAULT_PAGE_DIR = fileURLToPath(new URL('./page/', import.meta.url));

const hashOf = (text: string) => createHash('sha256').update(text).digest('base64');

const CSP = [
  "default-src 'self'",
  `style-src 'sha256-${hashOf(PAGE_CSS)}'`,
  "img-src 'self' data:",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

export interface PageFiles {
  page(req: IncomingMessage, res: ServerResponse): void;
  script(req: IncomingMessage, res: ServerResponse): void;
}

export function pageFiles(pageDir: string = DEFAULT_PAGE_DIR): PageFiles {
  const html = Buffer.from(PAGE_HTML);
  const etag = `"${hashOf(PAGE_HTML).slice(0, 22)}"`;
  const scripts = sirv(pageDir, {
    dev: true,
    etag: true,
    extensions: [],
    setHeaders: (res) => res.setHeader('Cache-Control', 'no-cache'),
    onNoMatch: (_req, res) => notFound(res),
  });
  return {
    page(req, res) {
      const headers = { ETag: etag, 'Cache-Control': 'no-cache', 'Content-Security-Policy': CSP };
      if (req.headers['if-none-match'] === etag) {
        res.writeHead(304, headers);
        res.end();
        return;
      }
      res.writeHead(200, { ...headers, 'Content-Type': 'text/html; charset=utf-8', 'Content-Length': html.byteLength });
      res.end(html);
    },
    script: (req, res) => scripts(req, res),
  };
}
