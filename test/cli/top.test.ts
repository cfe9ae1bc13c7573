import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli } from '../pipeline/helpers/world.js';

let out: string;
const window = { start: '2026-11-20T19:00:00.000Z', end: '2026-11-27T19:00:00.000Z' };

beforeAll(() => {
  out = mkdtempSync(join(tmpdir(), 'top-'));
  const base = join(out, 'releases', 'R1');
  mkdirSync(join(base, 'categories'), { recursive: true });
  writeFileSync(join(out, 'latest.json'), JSON.stringify({ schemaVersion: 1, release: 'R1', base: 'releases/R1/', generatedAt: '2026-11-27T19:05:00.000Z' }));
  const list = (scope: string, items: unknown[], category?: unknown) => JSON.stringify({ schemaVersion: 1, scope, category, generatedAt: '2026-11-27T19:05:00.000Z', window, items });
  writeFileSync(join(base, 'overall.json'), list('overall', [
    { rank: 1, productId: 1423, sales: 9120, name: 'Trail shoe' },
    { rank: 2, productId: 7, sales: 88 },
    { rank: 3, productId: 31, sales: 5, name: 'Mug, "large"' },
  ]));
  writeFileSync(join(base, 'categories', 'toys.json'), list('category', [{ rank: 1, productId: 7, sales: 88 }], { slug: 'toys', name: 'Toys' }));
  writeFileSync(join(base, 'manifest.json'), JSON.stringify({ schemaVersion: 1, release: 'R1', categories: [
    { slug: 'toys', name: 'Toys', path: 'categories/toys.json', productsRanked: 1 },
    { slug: 'tools', name: 'Tools', path: 'categories/tools.json', productsRanked: 0 },
  ] }));
});
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('top', () => {
  it('prints the overall list as an aligned table', async () => {
    const r = await cli(['top', '--out', out, '-n', '3']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe([
      `Best sellers overall, ${window.start} .. ${window.end} (release R1)`,
      'rank  product  name          sales',
      '----  -------  ------------  -----',
      '   1     1423  Trail shoe     9120',
      '   2        7                   88',
      '   3       31  Mug, "large"      5',
      '',
    ].join('\n'));
  });

  it('writes CSV with fast-csv quoting', async () => {
    const r = await cli(['top', '--out', out, '--csv']);
    expect(r.stdout).toBe('rank,product_id,name,sales\n1,1423,Trail shoe,9120\n2,7,,88\n3,31,"Mug, ""large""",5\n');
  });

  it('prints a category list', async () => {
    const r = await cli(['top', '--out', out, '--category', 'toys']);
    expect(r.stdout).toContain('Best sellers in Toys (toys)');
    expect(r.stdout).toContain('   1        7           88');
  });

  it('exits 64 on an unknown slug and suggests the nearest ones', async () => {
    const r = await cli(['top', '--out', out, '--category', 'toy']);
    expect(r.code).toBe(64);
    expect(r.stderr).toMatch(/not a published category[\s\S]*did you mean toys\?/);
  });

  it('exits 64 and says how to publish when nothing is published', async () => {
    const r = await cli(['top', '--out', join(out, 'nowhere')]);
    expect(r.code).toBe(64);
    expect(r.stderr).toMatch(/nothing is published[\s\S]*run --hourly/);
  });
});

describe('run: usage errors name the flag', () => {
  it('exits 64 without --hourly or --daily', async () => {
    const r = await cli(['run', '--data', out]);
    expect(r.code).toBe(64);
    expect(r.stderr).toMatch(/--hourly or --daily/);
  });
  it('exits 64 on a --now that is not a time', async () => {
    const r = await cli(['run', '--hourly', '--data', out, '--now', 'yesterday']);
    expect(r.code).toBe(64);
    expect(r.stderr).toMatch(/--now "yesterday" is not an ISO-8601 time/);
  });
  it('exits 64 on a bad --max-bad-ratio and on an unknown flag', async () => {
    expect((await cli(['run', '--hourly', '--data', out, '--max-bad-ratio', '2'])).code).toBe(64);
    expect((await cli(['run', '--hourly', '--bogus'])).code).toBe(64);
  });
});
