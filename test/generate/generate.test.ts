// `generate`: the same flags give the same bytes; the logs hold what the
// summary says, in the hours it says; refunds and retries look as §2 says
// they do; the catalog reads back as written; used logs are refused.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadCatalog } from '../../src/catalog/load.js';
import { generate } from '../../src/generate/generate.js';
import { cli } from '../pipeline/helpers/world.js';
import { linesUnder, readLogs, removeTempDirs, tempDataDir } from '../log/writer-fixture.js';

afterEach(removeTempDirs);

const NOW = '2026-11-27T19:05:00Z';
const SMALL = ['--products', '400', '--categories', '12', '--purchases', '4000', '--hours', '24', '--now', NOW];

/** Path → sha256 of every file under dir: the whole tree, byte for byte. */
function tree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const path = join(d, name);
      if (statSync(path).isDirectory()) walk(path);
      else out[relative(dir, path)] = createHash('sha256').update(readFileSync(path)).digest('hex');
    }
  };
  walk(dir);
  return out;
}

describe('generate', () => {
  it('writes byte-identical catalogs and logs for the same seed, and different ones for another', async () => {
    const [a, b, c] = [tempDataDir('rank-gen-'), tempDataDir('rank-gen-'), tempDataDir('rank-gen-')];
    const flags = [...SMALL, '--refund-rate', '0.05', '--duplicate-rate', '0.02'];
    expect((await cli(['generate', '--data', a, '--seed', '7', ...flags])).code).toBe(0);
    expect((await cli(['generate', '--data', b, '--seed', '7', ...flags])).code).toBe(0);
    expect((await cli(['generate', '--data', c, '--seed', '8', ...flags])).code).toBe(0);
    const ta = tree(a);
    expect(Object.keys(ta).length).toBeGreaterThan(20);
    expect(tree(b)).toEqual(ta);
    expect(tree(c)).not.toEqual(ta);
    expect(Object.keys(ta).filter((p) => p.startsWith('logs/')).every((p) => p.endsWith('/generate-s7.log'))).toBe(true);
  });

  it('puts every purchase in the H whole hours before the hour of --now, as many as the summary says', async () => {
    const data = tempDataDir('rank-gen-');
    const r = await cli(['generate', '--data', data, ...SMALL, '--json']);
    const s = JSON.parse(r.stdout);
    expect(s).toMatchObject({ purchases: 4000, refunds: 0, duplicates: 0, lines: 4000, window: { start: '2026-11-26T19:00:00.000Z', end: '2026-11-27T19:00:00.000Z' } });
    const logs = readLogs(data);
    const global = linesUnder(logs, 'logs/global/');
    expect(global).toHaveLength(4000);
    const start = Date.parse(s.window.start);
    const end = Date.parse(s.window.end);
    for (const line of global) {
      const ms = Date.parse(line.split(',')[1]);
      expect(ms >= start && ms < end).toBe(true);
    }
    // Without rates or --event-ids, lines carry no eventId.
    expect(global.every((l) => l.split(',').length === 3)).toBe(true);
    expect(new Set(global.map((l) => l.split(',')[1].slice(0, 13))).size).toBe(24);
  });

  it('adds refunds (negative, the purchase\'s timestamp, own eventId) and retries (same line twice)', async () => {
    const data = tempDataDir('rank-gen-');
    const { summary } = await generate({ dataDir: data, products: 300, categories: 10, purchases: 5000, hours: 12, nowMs: Date.parse(NOW), seed: 3, refundRate: 0.1, duplicateRate: 0.05 });
    const global = linesUnder(readLogs(data), 'logs/global/');
    expect(global).toHaveLength(summary.lines);
    expect(summary.refunds).toBeGreaterThan(300);
    expect(summary.duplicates).toBeGreaterThan(150);
    const byEvent = new Map<string, string[]>();
    for (const line of global) byEvent.set(line.split(',')[3], [...(byEvent.get(line.split(',')[3]) ?? []), line]);
    let refunds = 0;
    for (const [eventId, lines] of byEvent) {
      // A retried event is the very same line again.
      expect(new Set(lines).size).toBe(1);
      if (!eventId.endsWith('-r')) continue;
      refunds++;
      const [id, ts, q] = lines[0].split(',');
      const [pid, pts, pq] = byEvent.get(eventId.slice(0, -2))![0].split(',');
      expect([id, ts]).toEqual([pid, pts]);
      expect(Number(q)).toBeLessThan(0);
      expect(-Number(q)).toBeLessThanOrEqual(Number(pq));
    }
    expect(refunds).toBe(summary.refunds);
    expect(global.length - byEvent.size).toBe(summary.duplicates);
  });

  it('gives every purchase an eventId with --event-ids', async () => {
    const data = tempDataDir('rank-gen-');
    await cli(['generate', '--data', data, ...SMALL, '--event-ids']);
    const global = linesUnder(readLogs(data), 'logs/global/');
    expect(new Set(global.map((l) => l.split(',')[3])).size).toBe(4000);
  });

  it('writes a catalog that loads back as generated: quoted names, 1-3 categories, skewed sizes', async () => {
    const data = tempDataDir('rank-gen-');
    const { catalog } = await generate({ dataDir: data, products: 3000, categories: 40, purchases: 0, hours: 1, nowMs: Date.parse(NOW), seed: 1 });
    const loaded = await loadCatalog(data);
    expect(Array.from(loaded.productIds)).toEqual(Array.from(catalog.productIds));
    expect(Array.from(loaded.categoryIndexes)).toEqual(Array.from(catalog.categoryIndexes));
    expect(loaded.categories.map((c) => c.slug)).toEqual(catalog.categories.map((c) => c.slug));
    const products = readFileSync(join(data, 'catalog', 'products.csv'), 'utf8');
    expect(products).toMatch(/\n\d+,[a-z0-9|-]+,"[^"\n]*, [^"\n]*"\n/);
    expect(readFileSync(join(data, 'catalog', 'categories.csv'), 'utf8')).toContain('music,"Music, Film & Games"');
    const sizes = new Map<number, number>();
    for (let i = 0; i < loaded.productIds.length; i++) {
      const k = loaded.categoryOffsets[i + 1] - loaded.categoryOffsets[i];
      expect(k).toBeGreaterThanOrEqual(1);
      expect(k).toBeLessThanOrEqual(3);
      for (const c of loaded.categoriesOf(loaded.productIds[i])) sizes.set(c, (sizes.get(c) ?? 0) + 1);
    }
    const counts = [...sizes.values()].sort((x, y) => y - x);
    expect(counts[0]).toBeGreaterThan(5 * counts[counts.length - 1]);
  });

  it('refuses (exit 64, with a hint) a data dir whose logs/ already has files, and changes nothing', async () => {
    const data = tempDataDir('rank-gen-');
    mkdirSync(join(data, 'logs', 'global', '2026-11-27', '18'), { recursive: true });
    writeFileSync(join(data, 'logs', 'global', '2026-11-27', '18', 'other.log'), '1,2026-11-27T18:00:00Z,1\n');
    const r = await cli(['generate', '--data', data, ...SMALL]);
    expect(r.code).toBe(64);
    expect(r.stderr).toContain('already has files');
    expect(r.stderr).toContain('hint:');
    expect(Object.keys(tree(data))).toEqual(['logs/global/2026-11-27/18/other.log']);
  });

  it('exits 64 naming the flag for a bad rate or count', async () => {
    const data = tempDataDir('rank-gen-');
    const a = await cli(['generate', '--data', data, '--refund-rate', '1.5']);
    const b = await cli(['generate', '--data', data, '--products', '0']);
    expect([a.code, b.code]).toEqual([64, 64]);
    expect(a.stderr).toContain('--refund-rate');
    expect(b.stderr).toContain('--products');
  });
});
