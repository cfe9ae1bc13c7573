// The server as a CDN client sees it: cache headers, ETags, content types,
// compression, and nothing served from outside OUT. Plain HTTP against
// startServer on a free port and a hand-built OUT in a temp directory.
import { mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PAGE_MODULES } from '../../src/serve/page-html.js';
import { type RunningServer, startServer } from '../../src/serve/server.js';
import { buildFixtureOut, type FixtureOut, HOURLY_ID } from './fixture-out.js';
import { compilePage, rawGet, type TempDir, tempDir } from './serve-helpers.js';

let tmp: TempDir;
let out: FixtureOut;
let server: RunningServer;
let pageDir: string;
const release = `releases/${HOURLY_ID}`;
const SECRET = 'the secret next to OUT';

beforeAll(async () => {
  tmp = tempDir();
  out = buildFixtureOut(join(tmp.path, 'out'), { categories: 40, products: 400 });
  // Things that must never be served: a file beside OUT (and in a directory
  // whose name starts like OUT's), and the publisher's dot-named temp file.
  writeFileSync(join(tmp.path, 'secret.txt'), SECRET);
  mkdirSync(join(tmp.path, 'out-private'));
  writeFileSync(join(tmp.path, 'out-private', 'secret.txt'), SECRET);
  writeFileSync(join(out.outDir, '.latest.json.123.1.tmp'), SECRET);
  writeFileSync(join(out.outDir, release, '.manifest.json.123.2.tmp'), SECRET);
  writeFileSync(join(out.outDir, 'notes.txt'), SECRET);
  pageDir = join(tmp.path, 'page');
  mkdirSync(pageDir);
  server = await startServer({ outDir: out.outDir, port: 0, pageDir: compilePage(pageDir) });
});

afterAll(async () => {
  await server?.close();
  tmp?.remove();
});

const url = (path: string) => new URL(path, server.url);

describe('release files', () => {
  it('are immutable for a year, typed as JSON, byte for byte what was published', async () => {
    const res = await fetch(url(`${release}/overall.json`), { headers: { 'Accept-Encoding': 'identity' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(await res.text()).toBe(readFileSync(join(out.outDir, release, 'overall.json'), 'utf8'));
  });

  it('include a release published after the server started', async () => {
    const late = join(out.outDir, 'releases', '20261127T200500Z-hourly-99999999');
    mkdirSync(late, { recursive: true });
    writeFileSync(join(late, 'overall.json'), '{"items":[]}');
    const res = await fetch(url('releases/20261127T200500Z-hourly-99999999/overall.json'));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ items: [] });
  });
});

describe('latest.json', () => {
  it('has a short max-age and an ETag, and answers a matching If-None-Match with 304', async () => {
    const first = await fetch(url('latest.json'));
    expect(first.headers.get('cache-control')).toBe('public, max-age=60');
    const etag = first.headers.get('etag');
    expect(etag).toBeTruthy();
    const again = await fetch(url('latest.json'), { headers: { 'If-None-Match': etag as string } });
    expect(again.status).toBe(304);
    expect(again.headers.get('etag')).toBe(etag);
    expect(again.headers.get('cache-control')).toBe('public, max-age=60');
    expect(await again.text()).toBe('');
  });

  it('gets a new ETag and a 200 once the publisher replaces it', async () => {
    const etag = (await fetch(url('latest.json'))).headers.get('etag') as string;
    const next = { ...out.json('latest.json'), generatedAt: '2026-11-27T20:05:00.000Z', release: 'x' };
    const tmpFile = join(out.outDir, '.latest.json.tmp');
    writeFileSync(tmpFile, JSON.stringify(next));
    renameSync(tmpFile, join(out.outDir, 'latest.json'));
    const res = await fetch(url('latest.json'), { headers: { 'If-None-Match': etag } });
    expect(res.status).toBe(200);
    expect(res.headers.get('etag')).not.toBe(etag);
    expect(await res.json()).toEqual(next);
  });
});

describe('compression', () => {
  const path = `/${release}/manifest.json`;
  const published = () => readFileSync(join(out.outDir, release, 'manifest.json'));

  it('gzips when the client accepts only gzip', async () => {
    const res = await rawGet(server.url, path, { 'Accept-Encoding': 'gzip' });
    expect(res.headers['content-encoding']).toBe('gzip');
    expect(res.headers['vary']).toMatch(/Accept-Encoding/i);
    expect(res.headers['content-length']).toBeUndefined();
    expect(res.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(gunzipSync(res.body).equals(published())).toBe(true);
    expect(res.body.length).toBeLessThan(published().length / 3);
  });

  it('prefers brotli when offered both', async () => {
    const res = await rawGet(server.url, path, { 'Accept-Encoding': 'gzip, deflate, br' });
    expect(res.headers['content-encoding']).toBe('br');
    expect(brotliDecompressSync(res.body).equals(published())).toBe(true);
  });

  it('sends identity with its length when not asked, or when br and gzip are refused', async () => {
    for (const accept of [undefined, 'br;q=0, gzip;q=0, identity']) {
      const res = await rawGet(server.url, path, accept ? { 'Accept-Encoding': accept } : {});
      expect(res.headers['content-encoding']).toBeUndefined();
      expect(Number(res.headers['content-length'])).toBe(published().length);
      expect(res.body.equals(published())).toBe(true);
    }
  });

  it('compresses the page and its script too', async () => {
    for (const page of ['/', '/app.js']) {
      const res = await rawGet(server.url, page, { 'Accept-Encoding': 'gzip' });
      expect(res.status).toBe(200);
      expect(res.headers['content-encoding']).toBe('gzip');
      expect(gunzipSync(res.body).length).toBeGreaterThan(res.body.length);
    }
  });
});

describe('what is not served', () => {
  const attempts = [
    '/../secret.txt',
    '/releases/../../secret.txt',
    '/%2e%2e/secret.txt',
    '/%2E%2E/%2e%2e/secret.txt',
    '/releases/%2e%2e/%2e%2e/secret.txt',
    '/releases/..%2f..%2fsecret.txt',
    '/releases/..%5c..%5csecret.txt',
    '/releases/%252e%252e/%252e%252e/secret.txt',
    '/../out-private/secret.txt',
    '/releases/%00/../../secret.txt',
    '/.latest.json.123.1.tmp',
    `/${release}/.manifest.json.123.2.tmp`,
    `/${release}/%2emanifest.json.123.2.tmp`,
    '/notes.txt',
  ];
  it.each(attempts)('%s is a 404 that leaks nothing', async (path) => {
    const res = await rawGet(server.url, path);
    expect(res.status).toBe(404);
    expect(res.body.toString()).not.toContain(SECRET);
  });

  it.each(['/releases/', `/${release}/`, `/${release}`, `/${release}/categories/`, `/${release}/categories`])(
    'the directory %s is a 404, not a listing',
    async (path) => {
      const res = await rawGet(server.url, path);
      expect(res.status).toBe(404);
      expect(res.headers['cache-control']).not.toMatch(/immutable/);
    },
  );

  it('a missing release file is a 404 that is not cached as immutable', async () => {
    const res = await fetch(url(`${release}/ranks/000.json`));
    expect(res.status).toBe(404);
    expect(res.headers.get('cache-control')).toBe('no-cache');
  });

  it('anything but GET and HEAD is refused with 405', async () => {
    const res = await fetch(url('latest.json'), { method: 'POST', body: '{}' });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('GET, HEAD');
  });
});

describe('the page', () => {
  it('is HTML at / with a policy that allows only its own scripts', async () => {
    const res = await fetch(url('/'));
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(await res.text()).toContain('<script type="module" src="/app.js">');
  });

  it('serves its modules as JavaScript, and 404s a module it does not have', async () => {
    const app = await fetch(url('/app.js'));
    expect(app.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect(app.headers.get('cache-control')).toBe('no-cache');
    expect((await fetch(url('/nope.js'))).status).toBe(404);
  });

  it('preloads every module of the page, so none costs an extra round trip', async () => {
    const modules = readdirSync(pageDir).map((f) => f.replace(/\.js$/, '')).filter((m) => m !== 'app');
    expect([...PAGE_MODULES].sort()).toEqual(modules.sort());
    for (const m of PAGE_MODULES) expect((await fetch(url(`/${m}.js`))).status).toBe(200);
  });

  it('answers HEAD with headers and no body', async () => {
    const res = await rawGet(server.url, `/${release}/overall.json`, {}, 'HEAD');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.body.length).toBe(0);
  });
});
