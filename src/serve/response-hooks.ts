// Small pieces of HTTP plumbing shared by the server's handlers: a hook that
// runs just before a response's headers go out (sirv writes its headers in a
// single writeHead call, and the compressor and the 304 fix-up need to see
// and amend them), and the plain error responses.
import type { ServerResponse } from 'node:http';

type Headers = Record<string, number | string | readonly string[]>;

/**
 * Calls `hook(status)` once, just before the headers are sent, with every
 * header the handler has set (including those it passed to writeHead)
 * already readable through res.getHeader. Node routes an implicit header
 * write (res.end() without writeHead) through res.writeHead too, so the hook
 * sees every response.
 */
export function beforeWriteHead(res: ServerResponse, hook: (status: number) => void): void {
  const original = res.writeHead as (this: ServerResponse, status: number, message?: string) => ServerResponse;
  let called = false;
  res.writeHead = function writeHead(this: ServerResponse, status: number, ...rest: unknown[]) {
    const message = typeof rest[0] === 'string' ? rest[0] : undefined;
    const headers = rest.find((r): r is Headers => typeof r === 'object' && r !== null && !Array.isArray(r));
    for (const [name, value] of Object.entries(headers ?? {})) this.setHeader(name, value);
    if (!called) {
      called = true;
      hook(status);
    }
    return message === undefined ? original.call(this, status) : original.call(this, status, message);
  } as ServerResponse['writeHead'];
}

/** A short plain-text answer; errors are never cached for long. */
export function sendText(res: ServerResponse, status: number, text: string, headers: Headers = {}): void {
  const body = `${text}\n`;
  res.writeHead(status, {
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': Buffer.byteLength(body),
    'Cache-Control': 'no-cache',
    ...headers,
  });
  res.end(body);
}

export const notFound = (res: ServerResponse) => sendText(res, 404, 'Not found');

export const methodNotAllowed = (res: ServerResponse) => sendText(res, 405, 'Method not allowed', { Allow: 'GET, HEAD' });
