// The server's two pure decisions, as tables: which request paths are served
// (and by whom), and which content coding answers an Accept-Encoding.
import { describe, expect, it } from 'vitest';
import { negotiateEncoding } from '../../src/serve/compress.js';
import { routeOf, safePath } from '../../src/serve/request-path.js';

describe('routing', () => {
  it.each([
    ['/', { kind: 'page' }],
    ['/index.html', { kind: 'page' }],
    ['/?category=toys', { kind: 'page' }],
    ['/app.js', { kind: 'script', path: '/app.js' }],
    ['/category-picker.js', { kind: 'script', path: '/category-picker.js' }],
    ['/latest.json', { kind: 'out', path: '/latest.json' }],
    ['/latest.json?t=1', { kind: 'out', path: '/latest.json' }],
    ['/releases/R/manifest.json', { kind: 'out', path: '/releases/R/manifest.json' }],
    ['/releases/R/categories/caf%C3%A9.json', { kind: 'out', path: '/releases/R/categories/café.json' }],
  ])('%s goes to %j', (url, route) => {
    expect(routeOf(url)).toEqual(route);
  });

  it.each([
    '/notes.txt', // in OUT, but not a file the contract publishes
    '/state/run.lock',
    '/app.js.map',
    '/sub/app.js',
    '/App.js',
    '/releases/../latest.json',
    '/%2e%2e/etc/passwd',
    '/releases/%2E%2E%2Fsecret',
    '/releases/R/.manifest.json.1.tmp',
    '/releases/a\\..\\b',
    '/releases/%5c..%5cb',
    '/releases/x%00.json',
    '/releases/%E0%A4%A', // malformed escape
    'releases/R/overall.json', // not absolute
  ])('%s is refused', (url) => {
    expect(routeOf(url)).toBeUndefined();
  });

  it('decodes once: a double-encoded %252e%252e is a literal name, not a parent', () => {
    expect(safePath('/releases/%252e%252e/x')).toBe('/releases/%2e%2e/x');
  });
});

describe('content coding', () => {
  it.each([
    [undefined, undefined],
    ['', undefined],
    ['identity', undefined],
    ['gzip', 'gzip'],
    ['gzip, deflate, br', 'br'],
    ['br;q=0, gzip', 'gzip'],
    ['BR;Q=0.5', 'br'],
    ['gzip;q=0', undefined],
    ['*', 'br'],
    ['*, br;q=0', 'gzip'],
    ['deflate', undefined],
    ['gzip;q=nonsense', undefined],
  ])('Accept-Encoding %j → %j', (header, expected) => {
    expect(negotiateEncoding(header)).toBe(expected);
  });
});
