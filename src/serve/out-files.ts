// OUT served the way the CDN serves it (CONTRACT.md §4). sirv does the file
// work: resolving the path, content types (mrmime), Last-Modified, weak
// ETags, If-None-Match → 304, Range requests, streaming. This module only
// sets the cache policy a storefront relies on:
// - releases/** never change once latest.json names them, so browsers and
//   CDNs may keep them for a year without asking again (immutable);
// - latest.json is replaced every hour: a short max-age bounds how stale a
//   reader gets, and its ETag makes the check after that a cheap 304.
//
// sirv runs in its `dev` mode, which looks each request up on disk instead of
// indexing the directory once at start: the pipeline publishes a new release
// and replaces latest.json while the server runs, and those must be served
// without a restart. (Its dev mode would say `no-cache`; setHeaders overrides.)
import type { IncomingMessage, ServerResponse } from 'node:http';
import sirv from 'sirv';
import { beforeWriteHead, notFound } from './response-hooks.js';

export const RELEASE_CACHE_CONTROL = 'public, max-age=31536000, immutable';
export const LATEST_CACHE_CONTROL = 'public, max-age=60';
export const LATEST_PATH = '/latest.json';

export const cacheControlOf = (path: string) => (path === LATEST_PATH ? LATEST_CACHE_CONTROL : RELEASE_CACHE_CONTROL);

/**
 * A handler for the OUT routes (`path` is the already-checked decoded
 * path, see request-path.ts). Anything sirv finds no file for, including
 * a directory, is a plain 404 that says nothing about what exists.
 */
export function outFiles(outDir: string): (req: IncomingMessage, res: ServerResponse, path: string) => void {
  const files = sirv(outDir, {
    dev: true,
    etag: true,
    extensions: [],
    dotfiles: false,
    setHeaders: (res, pathname) => res.setHeader('Cache-Control', cacheControlOf(pathname)),
    onNoMatch: (_req, res) => notFound(res),
  });
  return (req, res, path) => {
    // Public data meant for a storefront that may live on another origin.
    res.setHeader('Access-Control-Allow-Origin', '*');
    // sirv answers a matching If-None-Match with a bare 304; RFC 9110 wants
    // it to carry the ETag and Cache-Control the 200 would have. sirv only
    // says 304 when If-None-Match equals the current ETag, so that is it.
    beforeWriteHead(res, (status) => {
      const etag = req.headers['if-none-match'];
      if (status !== 304 || etag === undefined) return;
      res.setHeader('ETag', etag);
      res.setHeader('Cache-Control', cacheControlOf(path));
    });
    files(req, res);
  };
}
