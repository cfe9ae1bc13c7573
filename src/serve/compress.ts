// On-the-fly compression, the way a CDN edge compresses JSON for clients
// that ask. sirv only serves precompressed siblings (x.json.br), and OUT
// holds none: the contract does not name them, and the publisher would have
// to write and prune twice the files. So the response is wrapped instead: at
// writeHead we know the status, type and length sirv chose; if the body is
// worth compressing, Content-Length goes, Content-Encoding comes, and
// whatever sirv streams in passes through node:zlib on its way out, with
// backpressure kept in both directions. A manifest listing 30,000 categories
// is megabytes of repetitive JSON; this makes it a few hundred kilobytes.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type Transform } from 'node:stream';
import { constants, createBrotliCompress, createGzip } from 'node:zlib';
import { beforeWriteHead } from './response-hooks.js';

export type Encoding = 'br' | 'gzip';

// Text is worth it; anything already compressed (images, fonts) is not.
const COMPRESSIBLE = /^(?:text\/|application\/(?:json|javascript)|image\/svg\+xml)/;
// Below this, headers and the codec's framing eat what compression saves.
const MIN_BYTES = 1024;
// Quality 11 (the default) spends seconds on a large manifest; 5 is most of
// the gain at a fraction of the time, which matters when compressing per request.
const BROTLI = { params: { [constants.BROTLI_PARAM_QUALITY]: 5 } };

/**
 * The encoding to answer an Accept-Encoding header with: brotli when
 * accepted (it is smaller), else gzip, else none. `q=0` refuses a coding.
 */
export function negotiateEncoding(header: string | undefined): Encoding | undefined {
  if (!header) return undefined;
  const q = new Map<string, number>();
  for (const part of header.toLowerCase().split(',')) {
    const [coding = '', ...params] = part.split(';').map((s) => s.trim());
    const weight = params.find((p) => p.startsWith('q='));
    const value = weight === undefined ? 1 : Number(weight.slice(2));
    q.set(coding, Number.isFinite(value) ? value : 0);
  }
  const accepts = (coding: Encoding) => (q.get(coding) ?? q.get('*') ?? 0) > 0;
  if (accepts('br')) return 'br';
  if (accepts('gzip')) return 'gzip';
  return undefined;
}

/**
 * Arranges for `res` to be compressed if the client accepts it and the
 * response turns out to be a compressible 200. Ranges (206) stay identity:
 * a byte range of a compressed stream is not what the client asked for.
 * sirv's ETags are weak (W/"size-mtime"), which RFC 9110 allows to stand for
 * both the identity and the compressed body.
 */
export function compressWhenAccepted(req: IncomingMessage, res: ServerResponse): void {
  res.setHeader('Vary', 'Accept-Encoding');
  const encoding = negotiateEncoding(req.headers['accept-encoding']);
  if (encoding === undefined) return;
  beforeWriteHead(res, (status) => {
    if (status !== 200 || res.hasHeader('Content-Encoding')) return;
    if (!COMPRESSIBLE.test(String(res.getHeader('Content-Type') ?? ''))) return;
    if (Number(res.getHeader('Content-Length') ?? Infinity) < MIN_BYTES) return;
    res.removeHeader('Content-Length');
    res.setHeader('Content-Encoding', encoding);
    streamThrough(res, encoding === 'br' ? createBrotliCompress(BROTLI) : createGzip());
  });
}

type AnyWrite = (...args: unknown[]) => boolean;

/** Redirects res.write/res.end into `zip` and zip's output into the real res. */
function streamThrough(res: ServerResponse, zip: Transform): void {
  const write = res.write.bind(res) as (chunk: Buffer) => boolean;
  const end = res.end.bind(res) as () => ServerResponse;
  // Out: pause the codec while the socket is full.
  zip.on('data', (chunk: Buffer) => {
    if (!write(chunk)) zip.pause();
  });
  res.on('drain', () => zip.resume());
  zip.on('end', () => end());
  zip.on('error', (err) => res.destroy(err));
  res.on('close', () => zip.destroy());
  // In: the file stream piped into res sees the codec's backpressure, and
  // waits for a 'drain' on res, so forward the codec's.
  zip.on('drain', () => res.emit('drain'));
  res.write = ((...args: unknown[]) => (zip.write as AnyWrite).apply(zip, args)) as ServerResponse['write'];
  res.end = ((...args: unknown[]) => {
    (zip.end as (...a: unknown[]) => void).apply(zip, args);
    return res;
  }) as ServerResponse['end'];
}
